import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { UserEntity, type UserRole } from './user.entity';

/** What authentication needs to know about a user, straight from PostgreSQL. */
export interface UserAuthState {
  id: number;
  email: string;
  role: UserRole;
  tokenVersion: number;
}

interface Entry {
  value: Promise<UserAuthState | null>;
  expiresAt: number;
}

/**
 * The users row behind a bearer token (existence, role, token_version), cached in this process for
 * AUTH_USER_CACHE_MS (default 5 s) so a busy route costs one primary-key lookup per user every few
 * seconds. Concurrent lookups of one user share one query; the cache holds at most MAX_ENTRIES
 * users (the oldest is dropped first).
 *
 * In-process rather than Redis: a Redis round trip costs about what the indexed primary-key lookup
 * costs, so a Redis layer would only add a second dependency on the hot path. The price is that
 * another instance sees a change (demotion, deletion, logout-all) only when its entry expires, so
 * at most AUTH_USER_CACHE_MS late; the instance that makes a change forgets its own entry at once,
 * and admin-only routes always read the row fresh.
 */
@Injectable()
export class UserAuthCache {
  static readonly MAX_ENTRIES = 10_000;
  private readonly entries = new Map<number, Entry>();
  private readonly ttlMs: number;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Pick<Repository<UserEntity>, 'findOne'>,
    config: AppConfig,
  ) {
    this.ttlMs = config.authUserCacheMs;
  }

  /** The user's row (null when the user no longer exists); `fresh` skips the cache and refreshes it. */
  get(id: number, opts: { fresh?: boolean } = {}): Promise<UserAuthState | null> {
    const now = performance.now();
    const hit = this.entries.get(id);
    if (!opts.fresh && hit && hit.expiresAt > now) return hit.value;
    const value = this.load(id);
    if (this.ttlMs > 0) {
      this.entries.delete(id); // re-inserted last: Map order is the eviction order
      if (this.entries.size >= UserAuthCache.MAX_ENTRIES) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      const entry: Entry = { value, expiresAt: now + this.ttlMs };
      this.entries.set(id, entry);
      // a failed lookup (database down) is not remembered
      value.catch(() => {
        if (this.entries.get(id) === entry) this.entries.delete(id);
      });
    }
    return value;
  }

  /** Drops the user's entry, so this instance sees a change it just made on the next request. */
  forget(id: number): void {
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private async load(id: number): Promise<UserAuthState | null> {
    const row = await this.users.findOne({
      select: { id: true, email: true, role: true, tokenVersion: true },
      where: { id },
    });
    return row ? { id: row.id, email: row.email, role: row.role, tokenVersion: row.tokenVersion } : null;
  }
}
