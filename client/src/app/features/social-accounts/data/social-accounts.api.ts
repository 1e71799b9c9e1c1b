import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, map } from 'rxjs';

import { AppConfigStore } from '../../../core/config/app-config.store';
import type {
  LoginType,
  Account,
  AccountAlert,
  AccountsResponse,
  AlertsResponse,
  CallbackResult,
  ConnectedResult,
  ConnectionStatus,
  DisconnectResult,
  EntityId,
  EventsResponse,
  LoginUrlResponse,
  RefreshResult,
  TokenEvent,
} from './social-accounts.model';

/** Typed access to the /social routes. Errors arrive as ApiError (see errorInterceptor). */
@Injectable({ providedIn: 'root' })
export class ConnectedAccountsApi {
  private readonly http = inject(HttpClient);
  private readonly config = inject(AppConfigStore);

  /** Starts Facebook Login; with an account id it renews that account's access. */
  startLogin(accountId?: EntityId): Observable<LoginUrlResponse> {
    const body = accountId !== undefined ? { account_id: accountId } : {};
    return this.http.post<LoginUrlResponse>(this.url('/social/facebook/login'), body);
  }

  /** Starts Instagram Login (no Facebook Page needed); with an account id it renews that account. */
  startInstagramLogin(accountId?: EntityId): Observable<LoginUrlResponse> {
    const body = accountId !== undefined ? { account_id: accountId } : {};
    return this.http.post<LoginUrlResponse>(this.url('/social/instagram/login'), body);
  }

  /**
   * Forwards the dialog's redirect query (code/state or error…/state) unchanged, to the callback
   * of the dialog it came from. Built by hand: HttpParams would turn an encoded "+" back into a space.
   */
  completeCallback(
    query: Readonly<Record<string, string>>,
    loginType: LoginType = 'facebook',
  ): Observable<CallbackResult> {
    const qs = Object.entries(query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return this.http.get<CallbackResult>(
      `${this.url(`/social/${loginType}/callback`)}${qs ? `?${qs}` : ''}`,
      { headers: { Accept: 'application/json' } },
    );
  }

  selectAccounts(state: string, igUserIds: readonly string[]): Observable<ConnectedResult> {
    return this.http.post<ConnectedResult>(this.url('/social/facebook/select'), {
      state,
      ig_user_ids: igUserIds,
    });
  }

  status(): Observable<ConnectionStatus> {
    return this.http.get<ConnectionStatus>(this.url('/social/status'));
  }

  list(): Observable<Account[]> {
    return this.http
      .get<AccountsResponse>(this.url('/social/accounts'))
      .pipe(map((r) => r.accounts ?? []));
  }

  makeDefault(id: EntityId): Observable<Account> {
    return this.http.patch<Account>(this.url(`/social/accounts/${enc(id)}`), { is_default: true });
  }

  refresh(id: EntityId): Observable<RefreshResult> {
    return this.http.post<RefreshResult>(this.url(`/social/accounts/${enc(id)}/refresh-token`), {});
  }

  disconnect(id: EntityId): Observable<DisconnectResult> {
    return this.http.delete<DisconnectResult>(this.url(`/social/accounts/${enc(id)}`));
  }

  events(id: EntityId): Observable<TokenEvent[]> {
    return this.http
      .get<EventsResponse>(this.url(`/social/accounts/${enc(id)}/events`))
      .pipe(map((r) => r.events ?? []));
  }

  unreadAlerts(): Observable<AccountAlert[]> {
    return this.http
      .get<AlertsResponse>(this.url('/social/alerts'), { params: { unread: 'true' } })
      .pipe(map((r) => r.alerts ?? []));
  }

  markAlertRead(id: EntityId): Observable<AccountAlert> {
    return this.http.post<AccountAlert>(this.url(`/social/alerts/${enc(id)}/read`), {});
  }

  private url(path: string): string {
    return `${this.config.apiUrl()}${path}`;
  }
}

function enc(id: EntityId): string {
  return encodeURIComponent(String(id));
}
