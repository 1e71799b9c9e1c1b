import { HttpClient, HttpEventType } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, filter, map } from 'rxjs';

import { AppConfigStore } from '../../../core/config/app-config.store';
import type { Account, EntityId } from '../../social-accounts/data/social-accounts.model';
import type {
  CreateReelRequest,
  PublishingLimit,
  Reel,
  ReelList,
  Upload,
  UploadProgress,
} from './reels.model';

/** How many recent reels the settings screen shows. */
export const RECENT_REELS = 20;

/** Typed access to the publishing routes. Errors arrive as ApiError (see errorInterceptor). */
@Injectable({ providedIn: 'root' })
export class ReelsApi {
  private readonly http = inject(HttpClient);
  private readonly config = inject(AppConfigStore);

  account(id: EntityId): Observable<Account> {
    return this.http.get<Account>(this.url(`/social/accounts/${enc(id)}`));
  }

  /** Streams the file as multipart field `file`, reporting bytes sent, then the stored upload. */
  upload(file: File): Observable<UploadProgress> {
    const body = new FormData();
    body.append('file', file, file.name);
    return this.http
      .post<Upload>(this.url('/social/uploads'), body, { observe: 'events', reportProgress: true })
      .pipe(
        map((e): UploadProgress | null => {
          if (e.type === HttpEventType.UploadProgress) {
            return { kind: 'progress', loaded: e.loaded, total: e.total ?? null };
          }
          if (e.type === HttpEventType.Response && e.body) return { kind: 'done', upload: e.body };
          return null;
        }),
        filter((p): p is UploadProgress => p !== null),
      );
  }

  /** The same key and body give the same reel, so a repeated submit never posts twice. */
  create(body: CreateReelRequest, idempotencyKey: string): Observable<Reel> {
    return this.http.post<Reel>(this.url('/social/reels'), body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  }

  recent(accountId: EntityId, limit = RECENT_REELS): Observable<Reel[]> {
    return this.http
      .get<ReelList>(this.url('/social/reels'), {
        params: { account_id: String(accountId), limit: String(limit) },
      })
      .pipe(map((r) => r.reels ?? []));
  }

  cancel(id: EntityId): Observable<Reel> {
    return this.http.delete<Reel>(this.url(`/social/reels/${enc(id)}`));
  }

  publishingLimit(accountId: EntityId): Observable<PublishingLimit> {
    return this.http.get<PublishingLimit>(
      this.url(`/social/accounts/${enc(accountId)}/publishing-limit`),
    );
  }

  private url(path: string): string {
    return `${this.config.apiUrl()}${path}`;
  }
}

function enc(id: EntityId): string {
  return encodeURIComponent(String(id));
}
