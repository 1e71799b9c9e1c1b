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
  ): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/settings/social-accounts/1/reels', ReelsPage);
    el = harness.routeNativeElement as HTMLElement;
    httpMock.expectOne(`${TEST_API}/social/accounts/1`).flush(account);
    httpMock.expectOne(reelsOf('1')).flush({ reels, next_cursor: null });
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
});
