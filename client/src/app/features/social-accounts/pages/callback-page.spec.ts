import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { allByTestId, byTestId, settle } from '../../../testing/dom';
import { aCandidate, anAccount } from '../../../testing/social-accounts.fixtures';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import { CallbackPage, PENDING_SELECTION_KEY } from './callback-page';
import { FlashStore } from '../data/flash.store';
import type { NeedsSelectionResult } from '../data/social-accounts.model';

@Component({ template: 'settings' })
class SettingsStub {}

const CALLBACK = `${TEST_API}/social/facebook/callback`;

const SELECTION: NeedsSelectionResult = {
  status: 'needs_selection',
  state: 'st-1',
  expires_at: '2026-06-15T12:10:00Z',
  candidates: [
    aCandidate({ ig_user_id: '111', username: 'alice', already_connected: true }),
    aCandidate({ ig_user_id: '222', username: 'bob', page_name: 'Bob Page' }),
  ],
};

describe('CallbackPage', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let router: Router;
  let el: HTMLElement;

  async function open(url: string): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url);
    el = harness.routeNativeElement as HTMLElement;
  }

  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'settings/social-accounts', component: SettingsStub },
          { path: 'settings/social-accounts/callback', component: CallbackPage },
          {
            path: 'settings/social-accounts/callback/instagram',
            component: CallbackPage,
            data: { loginType: 'instagram' },
          },
        ]),
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
  });

  afterEach(() => httpMock.verify());

  it('should forward the query, then go to ?connected=1 with "Connected @alice" when the API says connected', async () => {
    await open('/settings/social-accounts/callback?code=AQ-x&state=st-1');
    expect(el.textContent).toContain('Connecting your Instagram account…');
    const req = httpMock.expectOne(`${CALLBACK}?code=AQ-x&state=st-1`);
    expect(req.request.headers.get('Accept')).toBe('application/json');
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
    req.flush({ status: 'connected', accounts: [anAccount()], message: 'Connected @alice.' });
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts?connected=1');
    expect(TestBed.inject(FlashStore).take()).toEqual({
      tone: 'success',
      text: 'Connected @alice.',
    });
  });

  it('should complete an Instagram login through the Instagram callback when it lands on …/callback/instagram', async () => {
    await open('/settings/social-accounts/callback/instagram?code=AQB-x&state=st-9');
    const req = httpMock.expectOne(`${TEST_API}/social/instagram/callback?code=AQB-x&state=st-9`);
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
    req.flush({
      status: 'connected',
      accounts: [anAccount({ instagram_username: 'lena.bakes', login_type: 'instagram' })],
      message: 'Connected @lena.bakes.',
    });
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts?connected=1');
    expect(TestBed.inject(FlashStore).take()).toEqual({
      tone: 'success',
      text: 'Connected @lena.bakes.',
    });
  });

  it('should show a calm message, not an error, when the user cancelled the dialog', async () => {
    await open(
      '/settings/social-accounts/callback?error=access_denied&error_reason=user_denied&error_description=Permissions+error&state=st-1',
    );
    const req = httpMock.expectOne((r) => r.url.startsWith(CALLBACK));
    expect(req.request.url).toBe(
      `${CALLBACK}?error=access_denied&error_reason=user_denied&error_description=Permissions%20error&state=st-1`,
    );
    req.flush(
      {
        statusCode: 400,
        code: 'OAUTH_DENIED',
        message: 'You cancelled the Facebook dialog; nothing was changed.',
        reason: 'user_denied',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts?error=OAUTH_DENIED');
    const flash = TestBed.inject(FlashStore).take()!;
    expect(flash.tone).toBe('info');
    expect(flash.text).toBe('You cancelled the Facebook dialog; nothing was changed.');
  });

  it('should name the declined permissions when PERMISSIONS_DECLINED', async () => {
    await open('/settings/social-accounts/callback?code=c&state=s');
    httpMock
      .expectOne((r) => r.url.startsWith(CALLBACK))
      .flush(
        {
          statusCode: 400,
          code: 'PERMISSIONS_DECLINED',
          message:
            'AutoReels needs every requested permission; these were declined: instagram_content_publish. Connect again and allow them.',
          declined: ['instagram_content_publish'],
        },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts?error=PERMISSIONS_DECLINED');
    const flash = TestBed.inject(FlashStore).take()!;
    expect(flash.tone).toBe('error');
    expect(flash.text).toContain('instagram_content_publish');
    expect(flash.declined).toEqual(['instagram_content_publish']);
  });

  // Status per code as the API's error-codes.ts maps them.
  it.each([
    ['OAUTH_STATE_EXPIRED', 400, 'This connection attempt expired; please start again.'],
    [
      'NO_INSTAGRAM_ACCOUNT',
      422,
      'No Instagram business account found. Make sure your Instagram account is a professional (Business or Creator) account linked to a Facebook Page you manage, then connect again and tick that Page.',
    ],
    ['META_UNAVAILABLE', 502, 'Facebook is not answering right now; please try again shortly.'],
  ])(
    'should go back to the settings page with ?error=%s when the API refuses with %i',
    async (code, status, message) => {
      await open('/settings/social-accounts/callback?code=c&state=s');
      httpMock
        .expectOne((r) => r.url.startsWith(CALLBACK))
        .flush({ statusCode: status, code, message }, { status, statusText: 'Error' });
      await settle(harness.fixture);
      expect(router.url).toBe(`/settings/social-accounts?error=${code}`);
    },
  );

  it('should show the picker, clean the URL, require one choice, then connect the chosen accounts', async () => {
    await open('/settings/social-accounts/callback?code=c&state=st-1');
    httpMock.expectOne((r) => r.url.startsWith(CALLBACK)).flush(SELECTION);
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts/callback');
    expect(byTestId(el, 'picker')).not.toBeNull();
    const options = allByTestId<HTMLInputElement>(el, 'picker-option');
    expect(options.map((o) => o.value)).toEqual(['111', '222']);
    // New accounts are pre-ticked; already connected ones are not.
    expect(options.map((o) => o.checked)).toEqual([false, true]);
    expect(el.textContent).toContain('Already connected');

    options[1].click();
    byTestId<HTMLButtonElement>(el, 'picker-submit')!.click();
    await settle(harness.fixture);
    expect(el.textContent).toContain('Choose at least one account.');
    httpMock.expectNone(`${TEST_API}/social/facebook/select`);

    allByTestId<HTMLInputElement>(el, 'picker-option')[0].click();
    allByTestId<HTMLInputElement>(el, 'picker-option')[1].click();
    byTestId<HTMLButtonElement>(el, 'picker-submit')!.click();
    await settle(harness.fixture);
    expect(byTestId<HTMLButtonElement>(el, 'picker-submit')!.disabled).toBe(true);
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/select`);
    expect(req.request.body).toEqual({ state: 'st-1', ig_user_ids: ['111', '222'] });
    req.flush({
      status: 'connected',
      accounts: [
        anAccount({ instagram_username: 'alice' }),
        anAccount({ id: 2, instagram_username: 'bob', is_default: false }),
      ],
      message: 'Connected @alice, @bob.',
    });
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts?connected=1');
    expect(TestBed.inject(FlashStore).take()!.text).toBe('Connected @alice, @bob.');
    expect(sessionStorage.getItem(PENDING_SELECTION_KEY)).toBeNull();
  });

  it('should bring the picker back without calling the API when the cleaned page is reloaded', async () => {
    sessionStorage.setItem(PENDING_SELECTION_KEY, JSON.stringify(SELECTION));
    await open('/settings/social-accounts/callback');
    await settle(harness.fixture);
    expect(allByTestId(el, 'picker-option')).toHaveLength(2);
    httpMock.expectNone((r) => r.url.startsWith(CALLBACK));
  });

  it('should quietly return to the settings page when revisited without a query', async () => {
    await open('/settings/social-accounts/callback');
    await settle(harness.fixture);
    expect(router.url).toBe('/settings/social-accounts');
    expect(TestBed.inject(FlashStore).take()).toBeNull();
  });
});
