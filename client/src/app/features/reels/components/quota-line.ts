import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import type { PublishingLimit } from '../data/reels.model';
import { quotaText, windowText } from './reel-view';

/** Meta's publishing quota for the account: "12 of 100 posts in the last 24 h". */
@Component({
  selector: 'app-quota-line',
  template: `
    @if (limit(); as l) {
      <p class="quota" [class.quota-full]="full()" data-testid="reel-quota">
        {{ text() }}
        @if (full()) {
          <span data-testid="reel-quota-full"
            >· limit reached: new reels wait until older posts leave the {{ window() }} window</span
          >
        }
      </p>
    } @else if (unavailable()) {
      <p class="quota muted" data-testid="reel-quota">Publishing limit unavailable right now</p>
    }
  `,
  styles: `
    .quota {
      margin: 0;
      font-size: 0.9rem;
    }
    .quota-full {
      color: var(--warn);
      font-weight: 600;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuotaLine {
  readonly limit = input<PublishingLimit | null>(null);
  /** The quota could not be read (e.g. Meta not answering); publishing still works. */
  readonly unavailable = input(false);

  protected readonly text = computed(() => {
    const l = this.limit();
    return l ? quotaText(l) : '';
  });
  protected readonly full = computed(() => {
    const l = this.limit();
    return l !== null && l.quota_usage >= l.quota_total;
  });
  protected readonly window = computed(() => {
    const l = this.limit();
    return l ? windowText(l.quota_duration_seconds) : '';
  });
}
