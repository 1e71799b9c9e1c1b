import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { toUserMessage } from '../../../core/http/api-error';
import { ConnectLauncher } from './connect-launcher';
import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { AccountAlert, EntityId } from '../data/social-accounts.model';

/** Unread alerts: only the user can fix these, so they sit on top with a one-click fix. */
@Component({
  selector: 'app-alerts-banner',
  templateUrl: './alerts-banner.html',
  styleUrl: './alerts-banner.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AlertsBanner {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly launcher = inject(ConnectLauncher);

  readonly alerts = input.required<AccountAlert[]>();
  readonly dismissed = output<EntityId>();

  protected readonly busy = signal<Record<string, 'reconnect' | 'dismiss' | undefined>>({});
  protected readonly errors = signal<Record<string, string | undefined>>({});

  async reconnect(alert: AccountAlert): Promise<void> {
    if (this.busy()[alert.id]) return;
    this.setState(alert.id, 'reconnect', undefined);
    try {
      // account_id is nullable in the API (an alert tied to no account): connect anew then.
      await this.launcher.launch(alert.account_id ?? undefined);
      // Leaving the page: keep the button disabled.
    } catch (err) {
      this.setState(alert.id, undefined, toUserMessage(err));
    }
  }

  async dismiss(alert: AccountAlert): Promise<void> {
    if (this.busy()[alert.id]) return;
    this.setState(alert.id, 'dismiss', undefined);
    try {
      await firstValueFrom(this.api.markAlertRead(alert.id));
      this.setState(alert.id, undefined, undefined);
      this.dismissed.emit(alert.id);
    } catch (err) {
      this.setState(alert.id, undefined, toUserMessage(err));
    }
  }

  private setState(
    id: EntityId,
    busy: 'reconnect' | 'dismiss' | undefined,
    error: string | undefined,
  ): void {
    this.busy.update((b) => ({ ...b, [id]: busy }));
    this.errors.update((e) => ({ ...e, [id]: error }));
  }
}
