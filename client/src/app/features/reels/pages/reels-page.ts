import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type OnInit,
  computed,
  inject,
  signal,
} from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { CLOCK } from '../../../core/clock';
import { errorCodeOf, toUserMessage } from '../../../core/http/api-error';
import { errorMessageFor } from '../../../core/http/error-messages';
import type { Account, EntityId } from '../../social-accounts/data/social-accounts.model';
import { QuotaLine } from '../components/quota-line';
import { ReelForm } from '../components/reel-form';
import { type CancelState, type OlderState, ReelList } from '../components/reel-list';
import { formatDateTime, scheduledReelName } from '../components/reel-view';
import { type LoadedReels, withNewest, withOlder, withReel } from '../data/reel-paging';
import { MAX_REELS_PAGE, RECENT_REELS, ReelsApi } from '../data/reels.api';
import { type PublishingLimit, type Reel, isFinal } from '../data/reels.model';
import { REELS_POLL_MS } from '../data/reels-tokens';

/** Publishing needs a working connection that granted instagram_content_publish (DESIGN.md §8). */
const PUBLISH_PERMISSION = 'instagram_content_publish';
/** With only reels scheduled ahead, look now and then (the worker may also fail one early). */
const SCHEDULED_POLL_MAX_MS = 60_000;

/**
 * One account's Reels: publish one, watch recent ones move to Published, cancel one still
 * scheduled, page to older ones, see the quota.
 */
@Component({
  selector: 'app-reels-page',
  imports: [RouterLink, ReelForm, ReelList, QuotaLine],
  templateUrl: './reels-page.html',
  styleUrl: './reels-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReelsPage implements OnInit {
  private readonly api = inject(ReelsApi);
  private readonly clock = inject(CLOCK);
  private readonly pollMs = inject(REELS_POLL_MS);
  protected readonly accountId = inject(ActivatedRoute).snapshot.paramMap.get('accountId') ?? '';

  protected readonly account = signal<Account | null>(null);
  private readonly loaded = signal<LoadedReels>({ reels: [], nextCursor: null });
  protected readonly reels = computed(() => this.loaded().reels);
  protected readonly limit = signal<PublishingLimit | null>(null);
  protected readonly limitUnavailable = signal(false);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  protected readonly listError = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly now = signal(this.clock());
  protected readonly cancels = signal<ReadonlyMap<EntityId, CancelState>>(new Map());
  protected readonly cancelNotice = signal<string | null>(null);
  private readonly loadingOlder = signal(false);
  private readonly olderError = signal<string | null>(null);
  protected readonly older = computed((): OlderState => ({
    available: this.loaded().nextCursor !== null,
    loading: this.loadingOlder(),
    error: this.olderError(),
  }));

  protected readonly username = computed(() => this.account()?.instagram_username ?? '');
  /** Why this account cannot publish now, or null when it can. */
  protected readonly blocked = computed((): string | null => {
    const a = this.account();
    if (!a) return null;
    if (a.status !== 'active' && a.status !== 'expiring') return errorMessageFor('NEEDS_RECONNECT');
    if (!a.permissions.includes(PUBLISH_PERMISSION)) return errorMessageFor('PERMISSION_MISSING');
    return null;
  });
  /** Ms until the list is worth asking for again; null when every reel is final. */
  private readonly nextPollMs = computed((): number | null => {
    const open = this.reels().filter((r) => !isFinal(r.status));
    if (open.length === 0) return null;
    if (open.some((r) => r.status !== 'scheduled')) return this.pollMs;
    // Only reels scheduled ahead: nothing moves before the earliest one is due.
    const due = Math.min(...open.map((r) => Date.parse(r.publish_at) || 0));
    return Math.min(SCHEDULED_POLL_MAX_MS, Math.max(this.pollMs, due - this.clock().getTime()));
  });

  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending timer fires (performance.now() time). */
  private timerDue = 0;
  private destroyed = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      this.stopPolling();
    });
  }

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    this.loadError.set(null);
    const quota = this.loadQuota();
    try {
      const [account, page] = await Promise.all([
        firstValueFrom(this.api.account(this.accountId)),
        firstValueFrom(this.api.recent(this.accountId)),
      ]);
      this.account.set(account);
      this.loaded.set({ reels: page.reels, nextCursor: page.next_cursor });
      this.now.set(this.clock());
      this.schedulePoll();
    } catch (err) {
      this.loadError.set(toUserMessage(err));
    } finally {
      this.loading.set(false);
    }
    await quota;
  }

  onSubmitted(reel: Reel): void {
    this.put(reel);
    this.notice.set(
      reel.status === 'scheduled'
        ? `Scheduled for ${formatDateTime(reel.publish_at)}.`
        : 'Sent to Instagram. The status below updates by itself.',
    );
    this.schedulePoll();
  }

  dismissNotice(): void {
    this.notice.set(null);
  }

  /**
   * Cancels a scheduled reel: the list shows it Cancelled, or the reason it can no longer be
   * (REEL_NOT_CANCELLABLE: it started meanwhile, so its real status is fetched and shown too).
   */
  async cancel(reel: Reel): Promise<void> {
    if (this.cancels().get(reel.id)?.busy) return;
    this.setCancel(reel.id, { busy: true, error: null });
    this.cancelNotice.set(null);
    try {
      const cancelled = await firstValueFrom(this.api.cancel(reel.id));
      this.setCancel(reel.id, null);
      this.put(cancelled);
      this.cancelNotice.set(`Cancelled ${scheduledReelName(reel)}.`);
    } catch (err) {
      if (errorCodeOf(err) === 'REEL_NOT_CANCELLABLE') await this.refreshOne(reel);
      this.setCancel(reel.id, { busy: false, error: toUserMessage(err) });
    }
    this.schedulePoll();
  }

  /** The page below the reels shown, added under them. */
  async showOlder(): Promise<void> {
    const cursor = this.loaded().nextCursor;
    if (cursor === null || this.loadingOlder()) return;
    this.loadingOlder.set(true);
    this.olderError.set(null);
    try {
      const page = await firstValueFrom(this.api.older(this.accountId, cursor));
      if (this.destroyed) return;
      this.loaded.update((held) => withOlder(held, page));
      this.schedulePoll();
    } catch (err) {
      this.olderError.set(toUserMessage(err));
    } finally {
      this.loadingOlder.set(false);
    }
  }

  /** One reel as the API last gave it, in its place (or on top when new). */
  private put(reel: Reel): void {
    this.loaded.update((held) => withReel(held, reel));
  }

  private async refreshOne(reel: Reel): Promise<void> {
    try {
      this.put(await firstValueFrom(this.api.reel(reel.id)));
      this.now.set(this.clock());
    } catch {
      // the poll shows the real status a little later
    }
  }

  private setCancel(id: EntityId, state: CancelState | null): void {
    this.cancels.update((all) => {
      const next = new Map(all);
      if (state) next.set(id, state);
      else next.delete(id);
      return next;
    });
  }

  private async loadQuota(): Promise<void> {
    try {
      this.limit.set(await firstValueFrom(this.api.publishingLimit(this.accountId)));
      this.limitUnavailable.set(false);
    } catch {
      // The quota is information only: Meta not answering must not hide the form.
      this.limitUnavailable.set(this.limit() === null);
    }
  }

  /**
   * Asks again in a few seconds while any reel is still in the pipeline; never twice at once. A
   * reel that entered the pipeline (submitted, or found publishing when a cancel came too late)
   * brings a long wait for reels scheduled ahead forward.
   */
  private schedulePoll(): void {
    const delay = this.nextPollMs();
    if (this.destroyed || delay === null) return;
    const due = performance.now() + delay;
    if (this.timer !== null) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delay);
  }

  private stopPolling(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    const before = new Map(this.reels().map((r) => [r.id, r.status]));
    // as many as are shown (up to the API's page), so reels loaded with "Show older" move too
    const limit = Math.min(MAX_REELS_PAGE, Math.max(RECENT_REELS, before.size));
    try {
      const page = await firstValueFrom(this.api.recent(this.accountId, limit));
      if (this.destroyed) return;
      this.loaded.update((held) => withNewest(held, page));
      this.listError.set(null);
      this.now.set(this.clock());
      // a publish counts against the quota: show the new count with the new status
      if (page.reels.some((r) => r.status === 'published' && before.get(r.id) !== 'published')) {
        await this.loadQuota();
      }
    } catch (err) {
      this.listError.set(toUserMessage(err));
    }
    this.schedulePoll();
  }
}
