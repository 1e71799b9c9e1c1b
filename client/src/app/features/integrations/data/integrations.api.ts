import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, map } from 'rxjs';

import { AppConfigStore } from '../../../core/config/app-config.store';
import type {
  ApiKey,
  ApiKeyScope,
  CreatedApiKey,
  CreatedWebhookEndpoint,
  WebhookDelivery,
  WebhookEndpoint,
} from './integrations.model';

/** /auth/api-keys. Errors arrive as ApiError (see errorInterceptor). */
@Injectable({ providedIn: 'root' })
export class ApiKeysApi {
  private readonly http = inject(HttpClient);
  private readonly config = inject(AppConfigStore);

  list(): Observable<ApiKey[]> {
    return this.http.get<ApiKey[]>(this.url());
  }

  create(name: string, scopes: ApiKeyScope[]): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>(this.url(), { name, scopes });
  }

  revoke(id: number): Observable<void> {
    return this.http.delete<void>(this.url(`/${id}`));
  }

  private url(rest = ''): string {
    return `${this.config.apiUrl()}/auth/api-keys${rest}`;
  }
}

/** /integrations/webhooks. */
@Injectable({ providedIn: 'root' })
export class WebhooksApi {
  private readonly http = inject(HttpClient);
  private readonly config = inject(AppConfigStore);

  list(): Observable<WebhookEndpoint[]> {
    return this.http.get<WebhookEndpoint[]>(this.url());
  }

  create(url: string, events: string[]): Observable<CreatedWebhookEndpoint> {
    return this.http.post<CreatedWebhookEndpoint>(this.url(), { url, events });
  }

  remove(id: number): Observable<void> {
    return this.http.delete<void>(this.url(`/${id}`));
  }

  sendTest(id: number): Observable<WebhookDelivery> {
    return this.http.post<WebhookDelivery>(this.url(`/${id}/test`), {});
  }

  deliveries(id: number): Observable<WebhookDelivery[]> {
    return this.http
      .get<{ deliveries: WebhookDelivery[] }>(this.url(`/${id}/deliveries`))
      .pipe(map((r) => r.deliveries));
  }

  private url(rest = ''): string {
    return `${this.config.apiUrl()}/integrations/webhooks${rest}`;
  }
}
