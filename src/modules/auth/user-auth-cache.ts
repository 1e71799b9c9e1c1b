import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { TtlCache } from '../../common/cache/ttl-cache';
import { AppConfig } from '../../config/app-config';
import { UserEntity, type UserRole } from './user.entity';

/** What authentication needs to know about a user, straight from PostgreSQL. */
export interface UserAuthState {
  id: number;
  email: string;
  role: UserRole;
  tokenVersion: number;
  createdAt: Date;
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
  private readonly cache: TtlCache<number, UserAuthState | null>;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Pick<Repository<UserEntity>, 'findOne'>,
    config: AppConfig,
  ) {
    this.cache = new TtlCache(config.authUserCacheMs, UserAuthCache.MAX_ENTRIES);
  }

  /** The user's row (null when the user no longer exists); `fresh` skips the cache and refreshes it. */
  get(id: number, opts: { fresh?: boolean } = {}): Promise<UserAuthState | null> {
    return this.cache.get(id, () => this.load(id), opts);
  }

  /** Drops the user's entry, so this instance sees a change it just made on the next request. */
  forget(id: number): void {
    this.cache.forget(id);
  }

  get size(): number {
    return this.cache.size;
  }

  private async load(id: number): Promise<UserAuthState | null> {
    const row = await this.users.findOne({
      select: { id: true, email: true, role: true, tokenVersion: true, createdAt: true },
      where: { id },
    });
    return row
      ? { id: row.id, email: row.email, role: row.role, tokenVersion: row.tokenVersion, createdAt: row.createdAt }
      : null;
  }
}
