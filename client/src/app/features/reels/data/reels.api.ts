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

/** How many reels the settings screen shows at first, and how many more "Show older" adds. */
export const RECENT_REELS = 20;
/** The API's largest page (`limit` ≤ 100). */
export const MAX_REELS_PAGE = 100;

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

  /** The account's newest reels; `next_cursor` asks for the ones before them. */
  recent(accountId: EntityId, limit = RECENT_REELS): Observable<ReelList> {
    return this.page(accountId, limit, null);
  }

  /** The page after `cursor` (the `next_cursor` of the page above it), newest first. */
  older(accountId: EntityId, cursor: string, limit = RECENT_REELS): Observable<ReelList> {
    return this.page(accountId, limit, cursor);
  }

  reel(id: EntityId): Observable<Reel> {
    return this.http.get<Reel>(this.url(`/social/reels/${enc(id)}`));
  }

  /** Cancels a reel that has not started publishing; later it is a 409 REEL_NOT_CANCELLABLE. */
  cancel(id: EntityId): Observable<Reel> {
    return this.http.delete<Reel>(this.url(`/social/reels/${enc(id)}`));
  }

  publishingLimit(accountId: EntityId): Observable<PublishingLimit> {
    return this.http.get<PublishingLimit>(
      this.url(`/social/accounts/${enc(accountId)}/publishing-limit`),
    );
  }

  private page(accountId: EntityId, limit: number, cursor: string | null): Observable<ReelList> {
    const params: Record<string, string> = { account_id: String(accountId), limit: String(limit) };
    if (cursor !== null) params['cursor'] = cursor;
    return this.http
      .get<ReelList>(this.url('/social/reels'), { params })
      .pipe(map((r) => ({ reels: r.reels ?? [], next_cursor: r.next_cursor ?? null })));
  }

  private url(path: string): string {
    return `${this.config.apiUrl()}${path}`;
  }
}

function enc(id: EntityId): string {
  return encodeURIComponent(String(id));
}
