import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { EntityId } from '../data/social-accounts.model';

/** Leaves the app for a full-page navigation (the Facebook dialog). Replaceable in tests. */
@Injectable({ providedIn: 'root' })
export class BrowserNavigator {
  goTo(url: string): void {
    window.location.href = url;
  }
}

/** Starts the Facebook dialog: a new connection, or renewing one account. */
@Injectable({ providedIn: 'root' })
export class ConnectLauncher {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly navigator = inject(BrowserNavigator);

  async launch(accountId?: EntityId): Promise<void> {
    const { login_url } = await firstValueFrom(this.api.startLogin(accountId));
    this.navigator.goTo(login_url);
  }
}
