import { HttpTestingController } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { TokenStore } from '../../../core/auth/token.store';
import { allByTestId, byTestId, settle } from '../../../testing/dom';
import {
  aDisconnectResult,
  aLoginUrl,
  aRefreshResult,
  anAccount,
  anEvent,
} from '../../../testing/social-accounts.fixtures';
import { TEST_API, TEST_NOW, provideTestApp } from '../../../testing/test-providers';
import { AccountCard } from './account-card';
import { BrowserNavigator } from './connect-launcher';

describe('AccountCard', () => {
  let fixture: ComponentFixture<AccountCard>;
  let httpMock: HttpTestingController;
  let el: HTMLElement;
  let goTo: ReturnType<typeof vi.fn>;
  let removed: string[];
  let changed: number;

  beforeEach(async () => {
    localStorage.clear();
    goTo = vi.fn();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([]),
        { provide: BrowserNavigator, useValue: { goTo } },
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AccountCard);
    fixture.componentRef.setInput('account', anAccount({ is_default: false }));
    fixture.componentRef.setInput('now', TEST_NOW);
    removed = [];
    changed = 0;
    fixture.componentInstance.removed.subscribe((m) => removed.push(m));
    fixture.componentInstance.changed.subscribe(() => changed++);
    el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    await settle(fixture);
  });

  afterEach(() => {
    httpMock.verify();
    el.remove();
  });

  it('should say "Refreshing…", block a second click, then show the honest result when refreshing', async () => {
    byTestId<HTMLButtonElement>(el, 'refresh-button')!.click();
    await settle(fixture);
    const button = byTestId<HTMLButtonElement>(el, 'refresh-button')!;
    expect(button.textContent).toContain('Refreshing…');
    expect(button.disabled).toBe(true);
    expect(byTestId<HTMLButtonElement>(el, 'disconnect-button')!.disabled).toBe(true);
    button.click();
    const message =
      'Connection verified. Facebook keeps this token until 4 Aug 2026; reconnect before then to extend it.';
    httpMock
      .expectOne(`${TEST_API}/social/accounts/1/refresh-token`)
      .flush(aRefreshResult({ message }));
    await settle(fixture);
    expect(byTestId(el, 'refresh-result')!.textContent).toContain(message);
    expect(byTestId<HTMLButtonElement>(el, 'refresh-button')!.textContent).toContain(
      'Refresh token',
    );
    expect(changed).toBe(1);
  });

  it('should show why instead of a life bar when the connection stopped working', async () => {
    fixture.componentRef.setInput(
      'account',
      anAccount({
        status: 'needs_reconnect',
        is_token_valid: false,
        status_reason: 'Your Facebook password changed.',
      }),
    );
    await settle(fixture);
    expect(byTestId(el, 'life-bar')).toBeNull();
    expect(byTestId(el, 'account-expiry')!.textContent).toContain('Stopped working');
    expect(byTestId(el, 'status-reason')!.textContent).toContain('password changed');
  });

  it('should not repeat the reason as a refresh result when the check finds the connection dead', async () => {
    byTestId<HTMLButtonElement>(el, 'refresh-button')!.click();
    // A dead connection is not an HTTP error: the route answers 200 with success false.
    httpMock.expectOne(`${TEST_API}/social/accounts/1/refresh-token`).flush(
      aRefreshResult({
        success: false,
        message: 'Your Facebook password changed.',
        new_expires_at: null,
        status: 'needs_reconnect',
        next_check_at: null,
      }),
    );
    await settle(fixture);
    expect(byTestId(el, 'refresh-result')).toBeNull();
    expect(changed).toBe(1);
  });

  // The refresh route's documented failures (refresh.controller.ts, statuses from error-codes.ts).
  it.each([
    [
      502,
      'META_UNAVAILABLE',
      'Facebook is not answering right now; your connection is unchanged. Try again shortly.',
      'Facebook is not responding right now.',
    ],
    [
      429,
      'META_RATE_LIMITED',
      'Facebook is limiting requests right now; your connection is unchanged. Try again later.',
      'Facebook is limiting requests right now.',
    ],
    [
      409,
      'REFRESH_IN_PROGRESS',
      'A check of this account is already running; try again in a minute.',
      'A refresh for this account is already running.',
    ],
  ])(
    'should show the error next to the card and allow a retry when the refresh answers %i %s',
    async (status, code, message, shown) => {
      byTestId<HTMLButtonElement>(el, 'refresh-button')!.click();
      httpMock
        .expectOne(`${TEST_API}/social/accounts/1/refresh-token`)
        .flush({ statusCode: status, code, message }, { status, statusText: 'Error' });
      await settle(fixture);
      expect(byTestId(el, 'card-error')!.textContent).toContain(shown);
      expect(byTestId(el, 'refresh-result')).toBeNull();
      expect(byTestId<HTMLButtonElement>(el, 'refresh-button')!.disabled).toBe(false);
      expect(changed).toBe(0);
    },
  );

  it("should open this account's Reels screen from Publish a Reel", async () => {
    const link = byTestId<HTMLAnchorElement>(el, 'publish-reel-link')!;
    expect(link.textContent!.trim()).toBe('Publish a Reel');
    expect(link.getAttribute('href')).toBe('/settings/social-accounts/1/reels');
    expect(link.getAttribute('aria-label')).toBe('Publish a Reel to @alice');
  });

  it('should ask to renew this account when Renew access is clicked', async () => {
    byTestId<HTMLButtonElement>(el, 'renew-button')!.click();
    const req = httpMock.expectOne(`${TEST_API}/social/facebook/login`);
    expect(req.request.body).toEqual({ account_id: 1 });
    req.flush(aLoginUrl('http://x/dialog'));
    await settle(fixture);
    expect(goTo).toHaveBeenCalledWith('http://x/dialog');
  });

  it('should explain the consequences and disconnect only after confirmation', async () => {
    byTestId<HTMLButtonElement>(el, 'disconnect-button')!.click();
    await settle(fixture);
    const dialog = el.querySelector('dialog')!;
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain(
      "We'll revoke AutoReels' access at Facebook (unless another connected account still uses it) and delete the stored tokens. Scheduled posts for @alice will stop.",
    );
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');
    httpMock.expectNone(`${TEST_API}/social/accounts/1`);

    byTestId<HTMLButtonElement>(el, 'confirm-disconnect')!.click();
    await settle(fixture);
    expect(byTestId<HTMLButtonElement>(el, 'confirm-disconnect')!.textContent).toContain(
      'Disconnecting…',
    );
    const req = httpMock.expectOne(`${TEST_API}/social/accounts/1`);
    expect(req.request.method).toBe('DELETE');
    req.flush(aDisconnectResult({ message: 'Disconnected @alice.' }));
    await settle(fixture);
    expect(removed).toEqual(['Disconnected @alice.']);
    expect(dialog.open).toBe(false);
  });

  it('should close the dialog without calling the API when Cancel is chosen', async () => {
    byTestId<HTMLButtonElement>(el, 'disconnect-button')!.click();
    await settle(fixture);
    (document.activeElement as HTMLButtonElement).click();
    await settle(fixture);
    expect(el.querySelector('dialog')!.open).toBe(false);
    httpMock.expectNone(`${TEST_API}/social/accounts/1`);
    expect(removed).toEqual([]);
  });

  it('should list the events when History is expanded', async () => {
    const history = byTestId<HTMLButtonElement>(el, 'history-button')!;
    expect(history.getAttribute('aria-expanded')).toBe('false');
    history.click();
    await settle(fixture);
    expect(history.getAttribute('aria-expanded')).toBe('true');
    httpMock.expectOne(`${TEST_API}/social/accounts/1/events`).flush({
      events: [
        anEvent({
          id: '42',
          message: 'Connection verified. Facebook keeps this token until 4 Aug 2026.',
        }),
        anEvent({
          id: '41',
          outcome: 'skipped',
          actor: 'worker',
          message: 'Meta was unavailable; will retry.',
          error_code: 'GRAPH_RATE_LIMITED',
          graph_error_code: 4,
          created_at: '2026-06-14T12:00:00Z',
        }),
      ],
    });
    await settle(fixture);
    const items = allByTestId(el, 'event-item');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('Refresh');
    expect(items[0].textContent).toContain('Success');
    expect(items[0].textContent).toContain('1 hour ago');
    expect(items[1].textContent).toContain('Skipped');
    expect(items[1].textContent).toContain('Facebook error code 4');
  });

  it('should make the account the default when asked', async () => {
    byTestId<HTMLButtonElement>(el, 'default-button')!.click();
    const req = httpMock.expectOne(`${TEST_API}/social/accounts/1`);
    expect(req.request.method).toBe('PATCH');
    req.flush(anAccount({ is_default: true }));
    await settle(fixture);
    expect(changed).toBe(1);
  });
});
