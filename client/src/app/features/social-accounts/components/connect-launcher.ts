import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { ConnectedAccountsApi } from '../data/social-accounts.api';
import type { EntityId, LoginType } from '../data/social-accounts.model';

/** Leaves the app for a full-page navigation (the Facebook dialog). Replaceable in tests. */
@Injectable({ providedIn: 'root' })
export class BrowserNavigator {
  goTo(url: string): void {
    window.location.href = url;
  }
}

/** Starts the Facebook or Instagram dialog: a new connection, or renewing one account. */
@Injectable({ providedIn: 'root' })
export class ConnectLauncher {
  private readonly api = inject(ConnectedAccountsApi);
  private readonly navigator = inject(BrowserNavigator);

  async launch(accountId?: EntityId, loginType: LoginType = 'facebook'): Promise<void> {
    const { login_url } = await firstValueFrom(
      loginType === 'instagram'
        ? this.api.startInstagramLogin(accountId)
        : this.api.startLogin(accountId),
    );
    this.navigator.goTo(login_url);
  }
}
