import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { type Observable, tap } from 'rxjs';

import { AppConfigStore } from '../config/app-config.store';
import type { Credentials, LoginResponse, User } from './auth.model';
import { TokenStore } from './token.store';

@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly http = inject(HttpClient);
  private readonly config = inject(AppConfigStore);
  private readonly tokens = inject(TokenStore);

  /** The signed-in user once /auth/me answered. */
  readonly currentUser = signal<User | null>(null);

  register(credentials: Credentials): Observable<User> {
    return this.http.post<User>(this.url('/auth/register'), credentials);
  }

  login(credentials: Credentials): Observable<LoginResponse> {
    return this.http
      .post<LoginResponse>(this.url('/auth/login'), credentials)
      .pipe(tap((res) => this.tokens.save(res.access_token, res.expires_in)));
  }

  me(): Observable<User> {
    return this.http.get<User>(this.url('/auth/me')).pipe(tap((u) => this.currentUser.set(u)));
  }

  /**
   * POST /auth/logout-all (204): the API stops accepting every token issued to this user so far,
   * this one included, so the local session is cleared too. On failure nothing changes here.
   */
  logoutAll(): Observable<void> {
    return this.http.post<void>(this.url('/auth/logout-all'), {}).pipe(tap(() => this.logout()));
  }

  logout(): void {
    this.tokens.clear();
    this.currentUser.set(null);
  }

  private url(path: string): string {
    return `${this.config.apiUrl()}${path}`;
  }
}
