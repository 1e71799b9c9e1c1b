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
import { toUserMessage } from '../../../core/http/api-error';
import { errorMessageFor } from '../../../core/http/error-messages';
import type { Account } from '../../social-accounts/data/social-accounts.model';
import { QuotaLine } from '../components/quota-line';
import { ReelForm } from '../components/reel-form';
import { ReelList } from '../components/reel-list';
import { formatDateTime } from '../components/reel-view';
import { ReelsApi } from '../data/reels.api';
import { type PublishingLimit, type Reel, isFinal } from '../data/reels.model';
import { REELS_POLL_MS } from '../data/reels-tokens';

/** Publishing needs a working connection that granted instagram_content_publish (DESIGN.md §8). */
const PUBLISH_PERMISSION = 'instagram_content_publish';
/** With only reels scheduled ahead, look now and then (the worker may also fail one early). */
const SCHEDULED_POLL_MAX_MS = 60_000;

/** One account's Reels: publish one, watch recent ones move to Published, see the quota. */
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
  protected readonly reels = signal<Reel[]>([]);
  protected readonly limit = signal<PublishingLimit | null>(null);
  protected readonly limitUnavailable = signal(false);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  protected readonly listError = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly now = signal(this.clock());

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
      const [account, reels] = await Promise.all([
        firstValueFrom(this.api.account(this.accountId)),
        firstValueFrom(this.api.recent(this.accountId)),
      ]);
      this.account.set(account);
      this.reels.set(reels);
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
    this.reels.update((list) => [reel, ...list.filter((r) => r.id !== reel.id)]);
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

  private async loadQuota(): Promise<void> {
    try {
      this.limit.set(await firstValueFrom(this.api.publishingLimit(this.accountId)));
      this.limitUnavailable.set(false);
    } catch {
      // The quota is information only: Meta not answering must not hide the form.
      this.limitUnavailable.set(this.limit() === null);
    }
  }

  /** Asks again in a few seconds while any reel is still in the pipeline; never twice at once. */
  private schedulePoll(): void {
    const delay = this.nextPollMs();
    if (this.destroyed || this.timer !== null || delay === null) return;
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
    try {
      const reels = await firstValueFrom(this.api.recent(this.accountId));
      if (this.destroyed) return;
      this.reels.set(reels);
      this.listError.set(null);
      this.now.set(this.clock());
      // a publish counts against the quota: show the new count with the new status
      if (reels.some((r) => r.status === 'published' && before.get(r.id) !== 'published')) {
        await this.loadQuota();
      }
    } catch (err) {
      this.listError.set(toUserMessage(err));
    }
    this.schedulePoll();
  }
}
