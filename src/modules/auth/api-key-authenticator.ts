import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import type { AuthUser } from './auth.decorators';
import { ApiKeyEntity } from './api-key.entity';
import { hashApiKey, isWellFormedApiKey, lastUsedIsStale, type ApiKeyScope } from './domain/api-key-rules';
import { UserAuthCache } from './user-auth-cache';

interface KeyState {
  id: number;
  userId: number;
  scopes: ApiKeyScope[];
}

interface Entry {
  value: Promise<KeyState | null>;
  expiresAt: number;
}

/**
 * `Authorization: Bearer ark_…` → the key's owner, as PostgreSQL knows them now. The key is
 * hashed (SHA-256) and looked up by its unique index; the row is cached in this process for
 * AUTH_USER_CACHE_MS under the hash (never the key), like users are, so a busy integrator costs
 * one indexed lookup per key every few seconds. Revoking forgets the entry on this instance at
 * once and on the others within AUTH_USER_CACHE_MS. The owner then goes through the same user
 * cache as a JWT (the user must still exist; the role is the row's).
 *
 * last_used_at is written at most once a minute per key: this instance remembers when it last
 * wrote, and the UPDATE itself only moves a value older than a minute, so several instances do
 * not each write either.
 */
@Injectable()
export class ApiKeyAuthenticator {
  static readonly MAX_ENTRIES = 10_000;
  private readonly logger = new Logger(ApiKeyAuthenticator.name);
  private readonly entries = new Map<string, Entry>();
  private readonly lastWritten = new Map<number, Date>();
  private readonly hashById = new Map<number, string>();
  private readonly revoked = new Set<number>();
  private readonly ttlMs: number;

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly users: UserAuthCache,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.ttlMs = config.authUserCacheMs;
  }

  async authenticate(key: string): Promise<AuthUser & { apiKey: { id: number; scopes: ApiKeyScope[] } }> {
    const invalid = new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'This API key is invalid or was revoked.');
    if (!isWellFormedApiKey(key)) throw invalid;
    const hash = hashApiKey(key);
    const state = await this.lookup(hash);
    if (!state) throw invalid;
    const user = await this.users.get(state.userId);
    if (!user) throw invalid;
    this.touch(state.id);
    return { id: user.id, email: user.email, role: user.role, apiKey: { id: state.id, scopes: state.scopes } };
  }

  /** Forgets a revoked key on this instance at once (a lookup already in flight for it answers "invalid" too). */
  forget(keyId: number): void {
    const hash = this.hashById.get(keyId);
    if (hash) this.entries.delete(hash);
    this.hashById.delete(keyId);
    this.lastWritten.delete(keyId);
    this.revoked.add(keyId);
    setTimeout(() => this.revoked.delete(keyId), Math.max(this.ttlMs, 1000)).unref();
  }

  private lookup(hash: string): Promise<KeyState | null> {
    const now = performance.now();
    const hit = this.entries.get(hash);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = this.load(hash);
    if (this.ttlMs > 0) {
      this.entries.delete(hash);
      if (this.entries.size >= ApiKeyAuthenticator.MAX_ENTRIES) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      const entry: Entry = { value, expiresAt: now + this.ttlMs };
      this.entries.set(hash, entry);
      value.catch(() => {
        if (this.entries.get(hash) === entry) this.entries.delete(hash);
      });
    }
    return value;
  }

  private async load(hash: string): Promise<KeyState | null> {
    const row = await this.keys.findOne({
      select: { id: true, userId: true, canWrite: true },
      where: { keyHash: hash },
    });
    if (!row || this.revoked.has(row.id)) return null;
    this.hashById.set(row.id, hash);
    if (this.hashById.size > ApiKeyAuthenticator.MAX_ENTRIES) {
      const oldest = this.hashById.keys().next();
      if (!oldest.done) this.hashById.delete(oldest.value);
    }
    return { id: row.id, userId: row.userId, scopes: row.canWrite ? ['read', 'write'] : ['read'] };
  }

  private touch(keyId: number): void {
    const now = this.clock.now();
    if (!lastUsedIsStale(this.lastWritten.get(keyId) ?? null, now)) return;
    this.lastWritten.set(keyId, now);
    if (this.lastWritten.size > ApiKeyAuthenticator.MAX_ENTRIES) {
      const oldest = this.lastWritten.keys().next();
      if (!oldest.done) this.lastWritten.delete(oldest.value);
    }
    this.keys
      .query(
        `UPDATE api_keys SET last_used_at = $2
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '1 minute')`,
        [keyId, now],
      )
      .catch((err: unknown) =>
        this.logger.warn({ keyId, err: err instanceof Error ? err.message : String(err) }, 'could not record API key use'),
      );
  }
}
