import { AppConfigStore } from '../../../core/config/app-config.store';
import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { Login } from '../../auth/pages/login';
import { allByTestId, byTestId, settle } from '../../../testing/dom';
import { aUser } from '../../../testing/auth.fixtures';
import {
  aDisconnectResult,
  aLoginUrl,
  anAccount,
  anAlert,
} from '../../../testing/social-accounts.fixtures';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import { BrowserNavigator } from '../components/connect-launcher';
import { FlashStore } from '../data/flash.store';
import type { Account, AccountAlert } from '../data/social-accounts.model';
import { SocialAccountsPage } from './social-accounts-page';

const ALERT: AccountAlert = anAlert({
  id: 3,
  account_id: 2,
  kind: 'token_invalid',
  threshold_days: null,
  message: 'Facebook no longer accepts the connection. Reconnect to keep posting.',
  instagram_username: 'bob',
  token_expires_at: null,
});

describe('SocialAccountsPage', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let el: HTMLElement;
  let goTo: ReturnType<typeof vi.fn>;

  async function open(
    url: string,
    accounts: Account[],
    alerts: AccountAlert[] = [],
  ): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, SocialAccountsPage);
    el = harness.routeNativeElement as HTMLElement;
    httpMock.expectOne(`${TEST_API}/auth/me`).flush(aUser({ email: 'ann@example.com' }));
    httpMock.expectOne(`${TEST_API}/social/alerts?unread=true`).flush({ alerts });
    httpMock.expectOne(`${TEST_API}/social/accounts`).flush({ accounts });
    await settle(harness.fixture);
  }

  beforeEach(() => {
    localStorage.clear();
    goTo = vi.fn();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'settings/social-accounts', component: SocialAccountsPage },
          { path: 'login', component: Login },
        ]),
        { provide: BrowserNavigator, useValue: { goTo } },
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
  });

  afterEach(() => httpMock.verify());

  it('should render one card per connected account with status, expiry and life bar', async () => {
    await open('/settings/social-accounts', [
      anAccount(),
      anAccount({
        id: 2,
        instagram_username: 'bob',
        is_default: false,
        status: 'expiring',
        days_until_expiry: 5,
        token_expires_at: '2026-06-20T12:00:00Z',
        token_issued_at: '2026-04-21T12:00:00Z',
        status_reason: 'Facebook keeps this token until 20 Jun 2026.',
      }),
    ]);
    const cards = allByTestId(el, 'account-card');
    expect(cards.map((c) => c.getAttribute('data-username'))).toEqual(['alice', 'bob']);
    expect(byTestId(el, 'user-email')!.textContent).toContain('ann@example.com');

    const [alice, bob] = cards;
    expect(byTestId(alice, 'account-username')!.textContent).toContain('@alice');
    expect(byTestId(alice, 'account-status')!.textContent!.trim()).toBe('Connected');
    expect(byTestId(alice, 'account-expiry')!.textContent).toContain('Expires 4 Aug 2026');
    expect(alice.querySelector('img')!.getAttribute('alt')).toBe('Profile picture of @alice');
    expect(alice.textContent).toContain('Default account');
    expect(alice.textContent).toContain('3 hours ago');
    expect(alice.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe('83');

    expect(byTestId(bob, 'account-status')!.textContent!.trim()).toBe('Expires in 5 days');
    expect(byTestId(bob, 'account-status')!.className).toContain('badge-warn');
    expect(bob.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe('8');
    expect(bob.textContent).toContain('Facebook keeps this token until 20 Jun 2026.');
    expect(byTestId(bob, 'default-button')).not.toBeNull();

    expect(byTestId(el, 'connect-button')!.textContent).toContain('Connect another account');
    expect(byTestId(el, 'empty-state')).toBeNull();
  });

  it('should hide the life bar when the token has no expiry', async () => {
    await open('/settings/social-accounts', [
      anAccount({ token_expires_at: null, days_until_expiry: null }),
    ]);
    const card = byTestId(el, 'account-card')!;
    expect(card.querySelector('[role="progressbar"]')).toBeNull();
    expect(byTestId(card, 'account-expiry')!.textContent).toContain('No expiry date');
  });

  it('should show the empty state with one connect button when nothing is connected', async () => {
    await open('/settings/social-accounts', []);
    expect(allByTestId(el, 'account-card')).toHaveLength(0);
    const buttons = allByTestId(el, 'connect-button');
    expect(buttons).toHaveLength(1);
    expect(buttons[0].textContent).toContain('Connect Instagram Account');
    expect(byTestId(el, 'empty-state')!.textContent).toContain(
      'You need an Instagram professional (Business or Creator) account linked to a Facebook Page you manage.',
    );
  });

  it('should start Facebook Login and leave for the dialog when Connect is clicked', async () => {
    await open('/settings/social-accounts', []);
    byTestId<HTMLButtonElement>(el, 'connect-button')!.click();
    await settle(harness.fixture);
    expect(byTestId<HTMLButtonElement>(el, 'connect-button')!.disabled).toBe(true);
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/login`);
    expect(req.request.body).toEqual({});
    req.flush(aLoginUrl('http://sandbox.test/dialog/oauth?state=s'));
    await settle(harness.fixture);
    expect(goTo).toHaveBeenCalledWith('http://sandbox.test/dialog/oauth?state=s');
  });

  it('should offer Instagram Login beside Facebook Login, each with when to choose it, and start it on click', async () => {
    await open('/settings/social-accounts', []);
    expect(byTestId(el, 'connect-choice-facebook')!.textContent).toContain(
      'Connect with Facebook when',
    );
    expect(byTestId(el, 'connect-choice-instagram')!.textContent).toContain(
      'Connect with Instagram when you have no Facebook Page',
    );
    const ig = byTestId<HTMLButtonElement>(el, 'connect-instagram-button')!;
    expect(ig.textContent).toContain('Connect with Instagram');
    ig.click();
    await settle(harness.fixture);
    expect(byTestId<HTMLButtonElement>(el, 'connect-instagram-button')!.textContent).toContain(
      'Opening Instagram…',
    );
    expect(byTestId<HTMLButtonElement>(el, 'connect-button')!.disabled).toBe(true);
    const req = httpMock.expectOne(`${TEST_API}/social/instagram/login`);
    expect(req.request.body).toEqual({});
    req.flush(aLoginUrl('http://sandbox.test/instagram/www/oauth/authorize?state=s'));
    await settle(harness.fixture);
    expect(goTo).toHaveBeenCalledWith('http://sandbox.test/instagram/www/oauth/authorize?state=s');
  });

  it('should say which way a card was connected, and renew an Instagram-Login account through Instagram', async () => {
    await open('/settings/social-accounts', [
      anAccount({
        login_type: 'instagram',
        facebook_page_id: null,
        facebook_page_name: null,
        status: 'needs_reconnect',
        is_token_valid: false,
      }),
    ]);
    const card = byTestId(el, 'account-card')!;
    expect(byTestId(card, 'login-type')!.textContent).toContain('Connected with Instagram');
    expect(card.textContent).not.toContain('Facebook Page:');
    expect(byTestId(el, 'connect-instagram-button')).not.toBeNull();
  });

  it('should offer only Facebook when the server has no Instagram Login (production without an Instagram app)', async () => {
    TestBed.inject(AppConfigStore).set({ apiUrl: TEST_API, instagramLogin: false });
    await open('/settings/social-accounts', []);
    expect(byTestId(el, 'connect-instagram-button')).toBeNull();
    expect(byTestId(el, 'connect-choice-instagram')).toBeNull();
    expect(byTestId(el, 'connect-button')).not.toBeNull();
  });

  it('should show "Connected @alice" and clean the URL when arriving with ?connected=1', async () => {
    TestBed.inject(FlashStore).set({ tone: 'success', text: 'Connected @alice.' });
    await open('/settings/social-accounts?connected=1', [anAccount()]);
    const flash = byTestId(el, 'flash-message')!;
    expect(flash.textContent).toContain('Connected @alice.');
    expect(flash.parentElement!.getAttribute('aria-live')).toBe('polite');
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
  });

  it('should show a calm message without an error tone when arriving with ?error=OAUTH_DENIED', async () => {
    await open('/settings/social-accounts?error=OAUTH_DENIED', []);
    const flash = byTestId(el, 'flash-message')!;
    expect(flash.textContent).toContain('You cancelled the Facebook dialog; nothing was changed.');
    expect(flash.className).toContain('message-info');
    expect(flash.className).not.toContain('message-error');
    expect(byTestId(el, 'flash-retry')).toBeNull();
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
  });

  it('should explain the fix and offer Try again when arriving with ?error=NO_INSTAGRAM_ACCOUNT', async () => {
    await open('/settings/social-accounts?error=NO_INSTAGRAM_ACCOUNT', []);
    const flash = byTestId(el, 'flash-message')!;
    expect(flash.textContent).toContain(
      'professional (Business or Creator) account linked to a Facebook Page you manage',
    );
    expect(flash.className).toContain('message-error');
    byTestId<HTMLButtonElement>(el, 'flash-retry')!.click();
    httpMock.expectOne(`${TEST_API}/social/facebook/login`).flush(aLoginUrl('http://x/dialog'));
    await settle(harness.fixture);
    expect(goTo).toHaveBeenCalledWith('http://x/dialog');
  });

  it('should list unread alerts and remove one when it is dismissed', async () => {
    await open('/settings/social-accounts', [anAccount()], [ALERT]);
    const banner = byTestId(el, 'alert-banner')!;
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('@bob');
    byTestId<HTMLButtonElement>(el, 'alert-dismiss')!.click();
    await settle(harness.fixture);
    expect(byTestId<HTMLButtonElement>(el, 'alert-dismiss')!.disabled).toBe(true);
    httpMock
      .expectOne(`${TEST_API}/social/alerts/3/read`)
      .flush({ ...ALERT, read_at: '2026-06-15T12:00:00Z' });
    await settle(harness.fixture);
    expect(byTestId(el, 'alert-banner')).toBeNull();
  });

  it('should renew the alerted account when Reconnect is clicked in the alert', async () => {
    await open('/settings/social-accounts', [anAccount()], [ALERT]);
    byTestId<HTMLButtonElement>(el, 'alert-reconnect')!.click();
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/login`);
    expect(req.request.body).toEqual({ account_id: 2 });
    req.flush(aLoginUrl('http://x/renew'));
    await settle(harness.fixture);
    expect(goTo).toHaveBeenCalledWith('http://x/renew');
  });

  it('should start a new connection when Reconnect is clicked in an alert with no account (account_id null)', async () => {
    await open('/settings/social-accounts', [], [anAlert({ account_id: null })]);
    byTestId<HTMLButtonElement>(el, 'alert-reconnect')!.click();
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/login`);
    expect(req.request.body).toEqual({});
    req.flush(aLoginUrl('http://x/new'));
    await settle(harness.fixture);
    expect(goTo).toHaveBeenCalledWith('http://x/new');
  });

  it('should show an error with a retry when the accounts cannot be loaded', async () => {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/social-accounts', SocialAccountsPage);
    el = harness.routeNativeElement as HTMLElement;
    expect(el.textContent).toContain('Loading your accounts…');
    httpMock.expectOne(`${TEST_API}/auth/me`).flush(aUser());
    httpMock.expectOne(`${TEST_API}/social/alerts?unread=true`).flush({ alerts: [] });
    httpMock
      .expectOne(`${TEST_API}/social/accounts`)
      .error(new ProgressEvent('error'), { status: 0 });
    await settle(harness.fixture);
    expect(el.textContent).toContain("Can't reach the server");
    expect(byTestId(el, 'connect-button')).toBeNull();
  });

  it('should remove the card and say so when an account is disconnected', async () => {
    await open('/settings/social-accounts', [
      anAccount(),
      anAccount({ id: 2, instagram_username: 'bob', is_default: false }),
    ]);
    const bob = allByTestId(el, 'account-card')[1];
    byTestId<HTMLButtonElement>(bob, 'disconnect-button')!.click();
    await settle(harness.fixture);
    byTestId<HTMLButtonElement>(bob, 'confirm-disconnect')!.click();
    httpMock
      .expectOne(`${TEST_API}/social/accounts/2`)
      .flush(aDisconnectResult({ message: 'Disconnected @bob.', account_id: 2 }));
    await settle(harness.fixture);
    expect(allByTestId(el, 'account-card').map((c) => c.getAttribute('data-username'))).toEqual([
      'alice',
    ]);
    expect(byTestId(el, 'flash-message')!.textContent).toContain('Disconnected @bob.');
    // The list is reloaded quietly (the default may have moved).
    httpMock.expectOne(`${TEST_API}/social/alerts?unread=true`).flush({ alerts: [] });
    httpMock.expectOne(`${TEST_API}/social/accounts`).flush({ accounts: [anAccount()] });
    await settle(harness.fixture);
    expect(allByTestId(el, 'account-card')).toHaveLength(1);
  });

  it('should clear the session and go to /login when Sign out is clicked', async () => {
    await open('/settings/social-accounts', []);
    byTestId<HTMLButtonElement>(el, 'sign-out')!.click();
    await settle(harness.fixture);
    expect(TestBed.inject(TokenStore).token()).toBeNull();
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('should ask first and call nothing when Sign out everywhere is clicked', async () => {
    await open('/settings/social-accounts', [anAccount()]);
    byTestId<HTMLButtonElement>(el, 'sign-out-everywhere')!.click();
    await settle(harness.fixture);
    const dialog = byTestId<HTMLDialogElement>(el, 'sign-out-everywhere-dialog')!;
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain(
      'Every browser and device signed in to this AutoReels account, this one included, will have to sign in again.',
    );
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');
    httpMock.expectNone(`${TEST_API}/auth/logout-all`);
    expect(TestBed.inject(TokenStore).token()).toBe('jwt');
  });

  it('should close the dialog, stay signed in and refocus the button when Cancel is chosen', async () => {
    await open('/settings/social-accounts', [anAccount()]);
    const trigger = byTestId<HTMLButtonElement>(el, 'sign-out-everywhere')!;
    trigger.click();
    await settle(harness.fixture);
    (document.activeElement as HTMLButtonElement).click();
    await settle(harness.fixture);
    expect(byTestId<HTMLDialogElement>(el, 'sign-out-everywhere-dialog')!.open).toBe(false);
    expect(document.activeElement).toBe(trigger);
    httpMock.expectNone(`${TEST_API}/auth/logout-all`);
    expect(TestBed.inject(TokenStore).token()).toBe('jwt');
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
  });

  it('should end every session, clear this one and say so on the sign-in page when confirmed', async () => {
    await open('/settings/social-accounts', [anAccount()]);
    byTestId<HTMLButtonElement>(el, 'sign-out-everywhere')!.click();
    await settle(harness.fixture);
    byTestId<HTMLButtonElement>(el, 'confirm-sign-out-everywhere')!.click();
    await settle(harness.fixture);
    const confirm = byTestId<HTMLButtonElement>(el, 'confirm-sign-out-everywhere')!;
    expect(confirm.textContent).toContain('Signing out…');
    expect(confirm.disabled).toBe(true);
    const req = httpMock.expectOne(`${TEST_API}/auth/logout-all`);
    expect(req.request.method).toBe('POST');
    expect(req.request.headers.get('Authorization')).toBe('Bearer jwt');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await settle(harness.fixture);
    expect(TestBed.inject(TokenStore).token()).toBeNull();
    expect(TestBed.inject(Router).url).toBe('/login');
    const login = harness.routeNativeElement as HTMLElement;
    expect(byTestId(login, 'login-notice')!.textContent).toContain('Signed out on every device.');
  });

  it('should stay signed in and show why in the dialog when the API cannot sign out everywhere', async () => {
    await open('/settings/social-accounts', [anAccount()]);
    byTestId<HTMLButtonElement>(el, 'sign-out-everywhere')!.click();
    await settle(harness.fixture);
    byTestId<HTMLButtonElement>(el, 'confirm-sign-out-everywhere')!.click();
    httpMock.expectOne(`${TEST_API}/auth/logout-all`).flush(
      {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: 'A backing service is unavailable; please try again shortly.',
      },
      { status: 503, statusText: 'Service Unavailable' },
    );
    await settle(harness.fixture);
    expect(byTestId<HTMLDialogElement>(el, 'sign-out-everywhere-dialog')!.open).toBe(true);
    expect(byTestId(el, 'sign-out-everywhere-error')!.textContent).toContain(
      'The service is temporarily unavailable.',
    );
    expect(byTestId<HTMLButtonElement>(el, 'confirm-sign-out-everywhere')!.disabled).toBe(false);
    expect(TestBed.inject(TokenStore).token()).toBe('jwt');
    expect(TestBed.inject(Router).url).toBe('/settings/social-accounts');
  });
});
