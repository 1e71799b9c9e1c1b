import type { HttpRequest } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { TokenStore } from '../../../core/auth/token.store';
import { allByTestId, byTestId, settle } from '../../../testing/dom';
import { aPublishedReel, aPublishingLimit, aReel } from '../../../testing/reels.fixtures';
import { anAccount } from '../../../testing/social-accounts.fixtures';
import { TEST_API, provideTestApp } from '../../../testing/test-providers';
import type { Account } from '../../social-accounts/data/social-accounts.model';
import type { PublishingLimit, Reel } from '../data/reels.model';
import { REELS_POLL_MS } from '../data/reels-tokens';
import { ReelsPage } from './reels-page';

@Component({ template: '<p data-testid="elsewhere">Accounts</p>' })
class Elsewhere {}

const POLL_MS = 20;
const reelsOf = (accountId: string) => (r: HttpRequest<unknown>) =>
  r.method === 'GET' &&
  r.url === `${TEST_API}/social/reels` &&
  r.params.get('account_id') === accountId;
const QUOTA = `${TEST_API}/social/accounts/1/publishing-limit`;

describe('ReelsPage', () => {
  let harness: RouterTestingHarness;
  let httpMock: HttpTestingController;
  let el: HTMLElement;

  const text = (id: string): string | null =>
    byTestId(el, id)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
  const statuses = (): string[] => allByTestId(el, 'reel-status').map((s) => s.textContent!.trim());
  /** Lets the poll timer fire (or not) and the page render what came back. */
  async function waitPoll(): Promise<void> {
    await new Promise((r) => setTimeout(r, POLL_MS * 3));
    await settle(harness.fixture);
  }

  async function open(
    reels: Reel[],
    account: Account = anAccount(),
    limit: PublishingLimit | 'error' = aPublishingLimit(),
    nextCursor: string | null = null,
  ): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/social-accounts/1/reels', ReelsPage);
    el = harness.routeNativeElement as HTMLElement;
    httpMock.expectOne(`${TEST_API}/social/accounts/1`).flush(account);
    const first = httpMock.expectOne(reelsOf('1'));
    expect(first.request.params.get('limit')).toBe('20');
    expect(first.request.params.has('cursor')).toBe(false);
    first.flush({ reels, next_cursor: nextCursor });
    const quota = httpMock.expectOne(QUOTA);
    if (limit === 'error')
      quota.flush(
        { statusCode: 502, code: 'META_UNAVAILABLE', message: 'x' },
        { status: 502, statusText: 'Bad Gateway' },
      );
    else quota.flush(limit);
    await settle(harness.fixture);
  }

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideTestApp(),
        provideRouter([
          { path: 'settings/social-accounts/:accountId/reels', component: ReelsPage },
          { path: 'settings/social-accounts', component: Elsewhere },
        ]),
        { provide: REELS_POLL_MS, useValue: POLL_MS },
      ],
    });
    TestBed.inject(TokenStore).save('jwt', 3600);
    httpMock = TestBed.inject(HttpTestingController);
  });

  afterEach(() => httpMock.verify());

  it("should show the account's reels, the quota beside them and the form", async () => {
    await open([
      aPublishedReel({ id: 2 }),
      aReel({ id: 1, status: 'failed', error_message: 'No.' }),
    ]);
    expect(text('reels-title')).toBe('Reels for @alice');
    expect(text('reel-quota')).toBe('12 of 100 posts in the last 24 h');
    expect(statuses()).toEqual(['Published', 'Failed']);
    expect(byTestId(el, 'reel-form')).not.toBeNull();
    // nothing pending: no polling
    await waitPoll();
    httpMock.expectNone(reelsOf('1'));
  });

  it('should poll while a reel is in the pipeline, then show Published with its link and stop', async () => {
    await open([aReel({ id: 41, status: 'queued' })]);
    expect(statuses()).toEqual(['Queued']);

    await waitPoll();
    httpMock
      .expectOne(reelsOf('1'))
      .flush({ reels: [aReel({ id: 41, status: 'processing' })], next_cursor: null });
    await settle(harness.fixture);
    expect(statuses()).toEqual(['Processing at Instagram']);

    await waitPoll();
    httpMock.expectOne(reelsOf('1')).flush({
      reels: [aPublishedReel({ id: 41, permalink: 'https://www.instagram.com/reel/C0ffee123/' })],
      next_cursor: null,
    });
    await settle(harness.fixture);
    // the publish used one post of the quota: the line follows
    httpMock.expectOne(QUOTA).flush(aPublishingLimit({ quota_usage: 13 }));
    await settle(harness.fixture);
    expect(statuses()).toEqual(['Published']);
    expect(byTestId<HTMLAnchorElement>(el, 'reel-permalink')!.href).toBe(
      'https://www.instagram.com/reel/C0ffee123/',
    );
    expect(text('reel-quota')).toBe('13 of 100 posts in the last 24 h');

    await waitPoll();
    httpMock.expectNone(reelsOf('1'));
  });

  it('should not poll every few seconds for a reel scheduled days ahead', async () => {
    await open([aReel({ id: 41, status: 'scheduled', publish_at: '2026-06-17T09:00:00.000Z' })]);
    expect(statuses()).toEqual(['Scheduled']);
    await waitPoll();
    httpMock.expectNone(reelsOf('1'));
    await harness.navigateByUrl('/settings/social-accounts');
  });

  it('should stop polling when the user leaves the page', async () => {
    await open([aReel({ id: 41, status: 'processing' })]);
    await harness.navigateByUrl('/settings/social-accounts');
    expect(byTestId(harness.routeNativeElement!, 'elsewhere')).not.toBeNull();
    // a poll that went out before leaving may still answer: it must not start another one
    for (const late of httpMock.match(reelsOf('1')))
      late.flush({ reels: [aReel({ id: 41, status: 'processing' })], next_cursor: null });
    await waitPoll();
    await waitPoll();
    httpMock.expectNone(reelsOf('1'));
  });

  it('should put a submitted reel on top of the list and start watching it', async () => {
    await open([aPublishedReel({ id: 2 })]);
    const url = byTestId<HTMLInputElement>(el, 'reel-video-url')!;
    url.value = 'https://cdn.example.com/launch.mp4';
    url.dispatchEvent(new Event('input'));
    await settle(harness.fixture);
    byTestId<HTMLButtonElement>(el, 'reel-submit')!.click();
    await settle(harness.fixture);
    const post = httpMock.expectOne(`${TEST_API}/social/reels`);
    // the API wants the account's id as a number (IsInt), not the route's text
    expect(post.request.body).toMatchObject({ account_id: 1 });
    post.flush(aReel({ id: 3, status: 'queued' }), { status: 202, statusText: 'Accepted' });
    await settle(harness.fixture);
    expect(statuses()).toEqual(['Queued', 'Published']);
    expect(text('reel-notice')).toContain('Sent to Instagram');

    await waitPoll();
    httpMock.expectOne(reelsOf('1')).flush({
      reels: [aReel({ id: 3, status: 'uploading' }), aPublishedReel({ id: 2 })],
      next_cursor: null,
    });
    await settle(harness.fixture);
    expect(statuses()).toEqual(['Uploading to Instagram', 'Published']);

    // the next reel on its way: the previous message goes
    url.value = 'https://cdn.example.com/second.mp4';
    url.dispatchEvent(new Event('input'));
    await settle(harness.fixture);
    byTestId<HTMLButtonElement>(el, 'reel-submit')!.click();
    await settle(harness.fixture);
    expect(byTestId(el, 'reel-notice')).toBeNull();
    httpMock
      .expectOne(`${TEST_API}/social/reels`)
      .flush(aReel({ id: 4 }), { status: 202, statusText: 'Accepted' });
    await settle(harness.fixture);
    expect(text('reel-notice')).toContain('Sent to Instagram');
    for (const late of httpMock.match(reelsOf('1')))
      late.flush({ reels: [aReel({ id: 4 }), aReel({ id: 3 })], next_cursor: null });
    await harness.navigateByUrl('/settings/social-accounts');
  });

  it('should explain instead of offering the form when the account needs a reconnect', async () => {
    await open([], anAccount({ status: 'needs_reconnect', is_token_valid: false }));
    expect(text('reels-blocked')).toContain('Use "Renew access" to reconnect the account.');
    expect(byTestId(el, 'reel-form')).toBeNull();
    expect(text('reels-empty')).toContain('No reels yet');
  });

  it('should explain when the account did not grant publishing', async () => {
    await open([], anAccount({ permissions: ['instagram_basic', 'pages_show_list'] }));
    expect(text('reels-blocked')).toContain('AutoReels may not publish to this account.');
    expect(byTestId(el, 'reel-form')).toBeNull();
  });

  it('should still offer the form when the quota cannot be read', async () => {
    await open([], anAccount(), 'error');
    expect(text('reel-quota')).toBe('Publishing limit unavailable right now');
    expect(byTestId(el, 'reel-form')).not.toBeNull();
  });

  it('should say so and offer a retry when the account is not found', async () => {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/social-accounts/1/reels', ReelsPage);
    el = harness.routeNativeElement as HTMLElement;
    httpMock
      .expectOne(`${TEST_API}/social/accounts/1`)
      .flush(
        { statusCode: 404, code: 'ACCOUNT_NOT_FOUND', message: 'x' },
        { status: 404, statusText: 'Not Found' },
      );
    httpMock.expectOne(reelsOf('1')).flush({ reels: [], next_cursor: null });
    httpMock.expectOne(QUOTA).flush(aPublishingLimit());
    await settle(harness.fixture);
    expect(text('reels-load-error')).toContain('This Instagram account is no longer connected.');
    expect(byTestId(el, 'reel-form')).toBeNull();
  });

  describe('cancel a scheduled reel', () => {
    const AT = '2026-06-20T09:00:00.000Z';
    const scheduled = (overrides: Partial<Reel> = {}): Reel =>
      aReel({
        id: 41,
        status: 'scheduled',
        publish_at: AT,
        caption: 'Later #coffee',
        ...overrides,
      });
    const cancelButton = (): HTMLButtonElement | null =>
      byTestId<HTMLButtonElement>(el, 'reel-cancel');

    it('should cancel it with DELETE and show it "Cancelled", saying so to screen readers', async () => {
      await open([scheduled(), aPublishedReel({ id: 40 })]);
      expect(statuses()).toEqual(['Scheduled', 'Published']);
      cancelButton()!.click();
      await settle(harness.fixture);
      expect(cancelButton()!.disabled).toBe(true);
      expect(cancelButton()!.textContent!.trim()).toBe('Cancelling…');

      const del = httpMock.expectOne(`${TEST_API}/social/reels/41`);
      expect(del.request.method).toBe('DELETE');
      expect(del.request.headers.get('Authorization')).toBe('Bearer jwt');
      del.flush(scheduled({ status: 'cancelled', updated_at: '2026-06-15T12:00:01.000Z' }));
      await settle(harness.fixture);
      expect(statuses()).toEqual(['Cancelled', 'Published']);
      expect(cancelButton()).toBeNull();
      expect(byTestId(el, 'reel-cancel-error')).toBeNull();
      expect(text('reels-announcement')).toMatch(
        /^Cancelled the reel scheduled for .*"Later #coffee"\.$/,
      );
      // nothing is left to watch
      await waitPoll();
      httpMock.expectNone(reelsOf('1'));
    });

    it('should say it is too late and show the real status when publishing started meanwhile', async () => {
      await open([scheduled()]);
      cancelButton()!.click();
      await settle(harness.fixture);
      httpMock.expectOne(`${TEST_API}/social/reels/41`).flush(
        {
          statusCode: 409,
          code: 'REEL_NOT_CANCELLABLE',
          message: 'This reel is already processing; it can no longer be cancelled.',
        },
        { status: 409, statusText: 'Conflict' },
      );
      await settle(harness.fixture);
      const fresh = httpMock.expectOne(
        (r) => r.method === 'GET' && r.url === `${TEST_API}/social/reels/41`,
      );
      fresh.flush(scheduled({ status: 'processing', updated_at: '2026-06-15T12:00:05.000Z' }));
      await settle(harness.fixture);
      expect(statuses()).toEqual(['Processing at Instagram']);
      expect(cancelButton()).toBeNull();
      expect(text('reel-cancel-error')).toBe(
        'This reel is already being published, so it can no longer be cancelled.',
      );
      // it is in the pipeline now: the screen watches it again
      await waitPoll();
      httpMock.expectOne(reelsOf('1')).flush({
        reels: [aPublishedReel({ id: 41, updated_at: '2026-06-15T12:00:09.000Z' })],
        next_cursor: null,
      });
      await settle(harness.fixture);
      httpMock.expectOne(QUOTA).flush(aPublishingLimit({ quota_usage: 13 }));
      await settle(harness.fixture);
      expect(statuses()).toEqual(['Published']);
    });

    it('should keep the reel and offer Cancel again when the server cannot be reached', async () => {
      await open([scheduled()]);
      cancelButton()!.click();
      await settle(harness.fixture);
      httpMock
        .expectOne(`${TEST_API}/social/reels/41`)
        .error(new ProgressEvent('error'), { status: 0 });
      await settle(harness.fixture);
      expect(statuses()).toEqual(['Scheduled']);
      expect(text('reel-cancel-error')).toMatch(/^Can't reach the server/);
      expect(cancelButton()!.disabled).toBe(false);

      cancelButton()!.click();
      await settle(harness.fixture);
      expect(byTestId(el, 'reel-cancel-error')).toBeNull();
      httpMock
        .expectOne(`${TEST_API}/social/reels/41`)
        .flush(scheduled({ status: 'cancelled', updated_at: '2026-06-15T12:00:01.000Z' }));
      await settle(harness.fixture);
      expect(statuses()).toEqual(['Cancelled']);
      await harness.navigateByUrl('/settings/social-accounts');
    });
  });

  describe('show older', () => {
    const page = (from: number, to: number, overrides: Partial<Reel> = {}): Reel[] =>
      Array.from({ length: from - to + 1 }, (_, i) =>
        aPublishedReel({ id: from - i, ...overrides }),
      );

    it('should load the page below the last reel shown and stop offering it at the end', async () => {
      await open(page(45, 26), anAccount(), aPublishingLimit(), '26');
      expect(statuses()).toHaveLength(20);
      byTestId<HTMLButtonElement>(el, 'reels-show-older')!.click();
      await settle(harness.fixture);
      const older = httpMock.expectOne(reelsOf('1'));
      expect(older.request.params.get('cursor')).toBe('26');
      expect(older.request.params.get('limit')).toBe('20');
      expect(byTestId<HTMLButtonElement>(el, 'reels-show-older')!.disabled).toBe(true);
      older.flush({ reels: page(25, 6), next_cursor: '6' });
      await settle(harness.fixture);
      expect(allByTestId(el, 'reel-item').map((i) => Number(i.dataset['reelId']))).toEqual(
        Array.from({ length: 40 }, (_, i) => 45 - i),
      );

      byTestId<HTMLButtonElement>(el, 'reels-show-older')!.click();
      await settle(harness.fixture);
      const last = httpMock.expectOne(reelsOf('1'));
      expect(last.request.params.get('cursor')).toBe('6');
      last.flush({ reels: page(5, 1), next_cursor: null });
      await settle(harness.fixture);
      expect(statuses()).toHaveLength(45);
      expect(byTestId(el, 'reels-show-older')).toBeNull();
    });

    it('should say so and let the user try again when the older page fails', async () => {
      await open(page(45, 26), anAccount(), aPublishingLimit(), '26');
      byTestId<HTMLButtonElement>(el, 'reels-show-older')!.click();
      await settle(harness.fixture);
      httpMock.expectOne(reelsOf('1')).error(new ProgressEvent('error'), { status: 0 });
      await settle(harness.fixture);
      expect(text('reels-older-error')).toMatch(/^Can't reach the server/);
      expect(statuses()).toHaveLength(20);
      byTestId<HTMLButtonElement>(el, 'reels-show-older')!.click();
      await settle(harness.fixture);
      httpMock.expectOne(reelsOf('1')).flush({ reels: page(25, 24), next_cursor: '24' });
      await settle(harness.fixture);
      expect(statuses()).toHaveLength(22);
      expect(byTestId(el, 'reels-older-error')).toBeNull();
    });

    it('should keep the older reels and watch all that are shown while one is in the pipeline', async () => {
      await open(
        [aReel({ id: 45, status: 'processing' }), ...page(44, 26)],
        anAccount(),
        aPublishingLimit(),
        '26',
      );
      byTestId<HTMLButtonElement>(el, 'reels-show-older')!.click();
      await settle(harness.fixture);
      // the poll timer may have fired meanwhile: answer it as the API would have then
      for (const r of httpMock.match((r) => reelsOf('1')(r) && !r.params.has('cursor')))
        r.flush({
          reels: [aReel({ id: 45, status: 'processing' }), ...page(44, 26)],
          next_cursor: '26',
        });
      httpMock
        .expectOne((r) => reelsOf('1')(r) && r.params.get('cursor') === '26')
        .flush({ reels: page(25, 16), next_cursor: '16' });
      await settle(harness.fixture);
      expect(statuses()).toHaveLength(30);

      await waitPoll();
      const poll = httpMock.expectOne(reelsOf('1'));
      // as many as are shown, from the top: the older ones move too
      expect(poll.request.params.get('limit')).toBe('30');
      expect(poll.request.params.has('cursor')).toBe(false);
      poll.flush({
        reels: [
          aPublishedReel({ id: 45, updated_at: '2026-06-15T12:00:40.000Z' }),
          ...page(44, 16),
        ],
        next_cursor: '16',
      });
      await settle(harness.fixture);
      httpMock.expectOne(QUOTA).flush(aPublishingLimit({ quota_usage: 13 }));
      await settle(harness.fixture);
      expect(statuses()).toHaveLength(30);
      expect(statuses()[0]).toBe('Published');
      expect(byTestId(el, 'reels-show-older')).not.toBeNull();
    });
  });
});
