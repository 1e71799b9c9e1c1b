import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import { errorMessageFor } from '../../../core/http/error-messages';
import { relativeTime } from '../../social-accounts/components/account-view';
import type { Reel } from '../data/reels.model';
import { formatDateTime, reelStatusBadge, shortUrl } from './reel-view';

/** Recent reels of one account with their live status, link or reason. */
@Component({
  selector: 'app-reel-list',
  templateUrl: './reel-list.html',
  styleUrl: './reel-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReelList {
  readonly reels = input.required<readonly Reel[]>();
  readonly now = input.required<Date>();

  protected readonly badge = reelStatusBadge;
  protected readonly formatDateTime = formatDateTime;
  protected readonly shortUrl = shortUrl;

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
}
