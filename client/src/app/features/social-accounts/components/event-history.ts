import {
  ChangeDetectionStrategy,
  Component,
  type OnInit,
  inject,
  input,
  signal,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { CLOCK } from '../../../core/clock';
import { toUserMessage } from '../../../core/http/api-error';
import { formatDate, humanize, relativeTime } from './account-view';
import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { EntityId, TokenEvent } from '../data/social-accounts.model';

/** The audit trail of one account's token operations, newest first. */
@Component({
  selector: 'app-event-history',
  templateUrl: './event-history.html',
  styleUrl: './event-history.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EventHistory implements OnInit {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly now = inject(CLOCK);

  readonly accountId = input.required<EntityId>();
  readonly headingId = input<string>('');

  protected readonly events = signal<TokenEvent[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly humanize = humanize;
  protected readonly formatDate = formatDate;

  ngOnInit(): void {
    void this.load();
  }

  protected ago(iso: string): string {
    return relativeTime(iso, this.now());
  }

  protected isFailure(e: TokenEvent): boolean {
    return /fail|error|denied|invalid/i.test(e.outcome);
  }

  async load(): Promise<void> {
    this.loading.set(true);
    this.error.set(null);
    try {
      this.events.set(await firstValueFrom(this.api.events(this.accountId())));
    } catch (err) {
      this.error.set(toUserMessage(err));
    } finally {
      this.loading.set(false);
    }
  }
}
