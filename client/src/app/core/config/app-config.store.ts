import { HttpBackend, HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { DEFAULT_APP_CONFIG, type AppConfig } from './app-config.model';

/** Holds the runtime config; loaded once at startup by provideAppInitializer. */
@Injectable({ providedIn: 'root' })
export class AppConfigStore {
  // HttpBackend skips the interceptors: they need this config to exist already.
  private readonly http = new HttpClient(inject(HttpBackend));
  private readonly config = signal<AppConfig>(DEFAULT_APP_CONFIG);

  readonly apiUrl = () => this.config().apiUrl;
  readonly sandboxMode = () => this.config().sandboxMode;
  readonly instagramLogin = () => this.config().instagramLogin;

  async load(url = '/config.json'): Promise<void> {
    try {
      const raw = await firstValueFrom(this.http.get<Partial<AppConfig>>(url));
      this.set(raw);
    } catch {
      // A missing config.json must not leave a blank page: keep the defaults.
      console.warn(`Could not load ${url}; using ${DEFAULT_APP_CONFIG.apiUrl}`);
    }
  }

  set(raw: Partial<AppConfig>): void {
    const apiUrl =
      typeof raw.apiUrl === 'string' && raw.apiUrl.trim() !== ''
        ? raw.apiUrl.trim().replace(/\/+$/, '')
        : DEFAULT_APP_CONFIG.apiUrl;
    // an older server's config.json says nothing: it offered Instagram Login whenever it had the route
    this.config.set({
      apiUrl,
      sandboxMode: raw.sandboxMode === true,
      instagramLogin: raw.instagramLogin !== false,
    });
  }
}
