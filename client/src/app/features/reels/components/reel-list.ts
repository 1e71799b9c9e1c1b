import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  effect,
  inject,
  input,
  output,
} from '@angular/core';

import { errorMessageFor } from '../../../core/http/error-messages';
import { relativeTime } from '../../social-accounts/components/account-view';
import type { EntityId } from '../../social-accounts/data/social-accounts.model';
import type { Reel } from '../data/reels.model';
import {
  formatDateTime,
  reelStatusBadge,
  scheduledReelName,
  shortUrl,
  waitingReelName,
} from './reel-view';

/** A cancel asked of the API for one reel: in flight, or refused with a sentence. */
export interface CancelState {
  busy: boolean;
  error: string | null;
}

/** "Show older": whether there is a page below, and how asking for it went. */
export interface OlderState {
  available: boolean;
  loading: boolean;
  error: string | null;
}

const NO_OLDER: OlderState = { available: false, loading: false, error: null };

/**
 * Recent reels of one account with their live status, link or reason; Cancel on a reel still
 * scheduled or waiting for the publishing limit, and "Show older" below. The page does the calls; this keeps keyboard focus in place
 * when a button it pressed goes away or is disabled while the call runs.
 */
@Component({
  selector: 'app-reel-list',
  templateUrl: './reel-list.html',
  styleUrl: './reel-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReelList {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  readonly reels = input.required<readonly Reel[]>();
  readonly now = input.required<Date>();
  readonly cancels = input<ReadonlyMap<EntityId, CancelState>>(new Map());
  readonly older = input<OlderState>(NO_OLDER);
  /** Said to screen readers: the outcome of the last cancel. */
  readonly announcement = input<string | null>(null);
  readonly cancelReel = output<Reel>();
  readonly showOlder = output<void>();

  protected readonly badge = reelStatusBadge;
  protected readonly formatDateTime = formatDateTime;
  protected readonly shortUrl = shortUrl;

  /** Where focus goes once the call started by a button of this list is over. */
  private focusAfter: { kind: 'cancel'; id: EntityId } | { kind: 'older'; count: number } | null =
    null;

  constructor() {
    effect(() => {
      // read both on every run: they are what makes this effect run again
      const cancels = this.cancels();
      const older = this.older();
      const target = this.focusAfter;
      if (target === null) return;
      const done =
        target.kind === 'cancel' ? !(cancels.get(target.id)?.busy ?? false) : !older.loading;
      if (!done) return;
      this.focusAfter = null;
      afterNextRender(() => this.restoreFocus(target), { injector: this.injector });
    });
  }

  protected ago(iso: string | null): string {
    return relativeTime(iso, this.now());
  }

  /** The API's sentence; a code alone still gets one (from error-messages.ts). */
  protected reason(r: Reel): string {
    return r.error_message || errorMessageFor(r.error_code);
  }

  /** "Waiting for the publishing limit" is worth saying when the worker set a later try. */
  protected waitsUntil(r: Reel): string | null {
    if (r.status !== 'queued' || !r.next_attempt_at) return null;
    return Date.parse(r.next_attempt_at) > this.now().getTime()
      ? formatDateTime(r.next_attempt_at)
      : null;
  }

  /**
   * Cancel is offered on a reel waiting for its time, or for Instagram's publishing limit (no
   * container made yet): the API cancels those, and refuses once the worker started on it.
   */
  protected cancellable(r: Reel): boolean {
    return r.status === 'scheduled' || (r.container_id === null && this.waitsUntil(r) !== null);
  }

  protected cancelState(r: Reel): CancelState | null {
    return this.cancels().get(r.id) ?? null;
  }

  /** "Cancel the reel scheduled for 20 Jun 2026, 09:00, "Launch day…"": says which reel. */
  protected cancelName(r: Reel): string {
    return `Cancel ${r.status === 'scheduled' ? scheduledReelName(r) : waitingReelName(r)}`;
  }

  protected onCancel(r: Reel): void {
    if (this.cancelState(r)?.busy) return;
    this.focusAfter = { kind: 'cancel', id: r.id };
    this.cancelReel.emit(r);
  }

  protected onShowOlder(): void {
    if (this.older().loading) return;
    this.focusAfter = { kind: 'older', count: this.reels().length };
    this.showOlder.emit();
  }

  /**
   * A disabled button loses focus, and a cancelled reel's button goes away: put focus back on the
   * button, else on the reel (or the first older reel), unless the user has moved on meanwhile.
   */
  private restoreFocus(target: NonNullable<ReelList['focusAfter']>): void {
    const active = document.activeElement;
    if (active !== null && active !== document.body && active.isConnected) return;
    const root = this.host.nativeElement;
    let el: HTMLElement | null;
    if (target.kind === 'cancel') {
      const item = root.querySelector<HTMLElement>(`[data-reel-id="${String(target.id)}"]`);
      el = item?.querySelector<HTMLElement>('[data-testid="reel-cancel"]') ?? item ?? null;
    } else {
      const items = root.querySelectorAll<HTMLElement>('[data-testid="reel-item"]');
      el =
        items.length > target.count
          ? items[target.count]
          : root.querySelector<HTMLElement>('[data-testid="reels-show-older"]');
    }
    el?.focus();
  }
}
