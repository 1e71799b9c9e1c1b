import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { changedRows } from '../../common/database/returning';
import { TokenVault, tokenAad } from '../connections/token-vault';
import { OAuthStateEntity, type OAuthProvider, type OAuthPurpose } from './oauth-state.entity';

export const STATE_TTL_MS = 10 * 60_000;

/** An attempt holding a person's verified login, and the accounts it offered them. */
export interface PendingLogin {
  id: string;
  userId: number;
  offered: Array<{
    igUserId: string | null;
    pageId: string | null;
    username: string | null;
    name: string | null;
    pageName: string | null;
  }>;
}

export function hashState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

/** Login attempts: 256-bit random `state`, stored only as a hash, bound to a user, single use, ten minutes. */
@Injectable()
export class OAuthStateService {
  constructor(
    @InjectRepository(OAuthStateEntity) private readonly states: Repository<OAuthStateEntity>,
    private readonly clock: Clock,
    private readonly vault: TokenVault,
  ) {}

  async create(
    userId: number,
    purpose: OAuthPurpose,
    accountId: number | null,
    provider: OAuthProvider = 'facebook',
  ): Promise<{ state: string; expiresAt: Date }> {
    const state = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + STATE_TTL_MS);
    await this.states.insert({ id: randomUUID(), stateHash: hashState(state), userId, purpose, provider, accountId, expiresAt });
    return { state, expiresAt };
  }

  find(state: string): Promise<OAuthStateEntity | null> {
    return this.states.findOneBy({ stateHash: hashState(state) });
  }

  /** Atomically takes the attempt for this request; false when another request already took it. */
  async claim(id: string): Promise<boolean> {
    const res = await this.states
      .createQueryBuilder()
      .update()
      .set({ consumedAt: this.clock.now() })
      .where('id = :id AND consumed_at IS NULL AND expires_at > :now', { id, now: this.clock.now() })
      .execute();
    return res.affected === 1;
  }

  async complete(id: string, result: Record<string, unknown>, pendingSecret: string | null = null): Promise<void> {
    // jsonb columns: TypeORM's deep-partial typing cannot express an open record
    await this.states.update({ id }, { result: result as never, pendingSecret, completedAt: this.clock.now() });
  }

  /** Atomically takes the pending selection secret (so two pickers cannot both connect). */
  async takePendingSecret(id: string): Promise<string | null> {
    const [row] = await changedRows<{ secret: string }>(
      this.states,
      `UPDATE oauth_states o SET pending_secret = NULL
         FROM (SELECT id, pending_secret FROM oauth_states WHERE id = $1 FOR UPDATE) old
        WHERE o.id = old.id AND old.pending_secret IS NOT NULL AND o.expires_at > $2
        RETURNING old.pending_secret AS secret`,
      [id, this.clock.now()],
    );
    return row?.secret ?? null;
  }

  /** Waits briefly for a concurrent request (a browser double-submit) to finish the same attempt. */
  async waitForResult(id: string, timeoutMs = 15_000): Promise<OAuthStateEntity | null> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const row = await this.states.findOneBy({ id });
      if (row?.completedAt) return row;
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  }

  /**
   * Key rotation (`tokens:reencrypt`): seals every waiting account picker's login again under the
   * current key, expired ones too (data deletion opens them until housekeeping wipes them), so the
   * old key can be dropped at once. Each row is a compare-and-swap: a picker that took its secret
   * meanwhile (or housekeeping that wiped it) leaves nothing to move, so a missed swap is not retried.
   */
  async reencryptPendingSecrets(): Promise<{ moved: number }> {
    const vault = this.vault;
    const rows = await this.states.query<Array<{ id: string; pending_secret: string }>>(
      `SELECT id, pending_secret FROM oauth_states WHERE pending_secret IS NOT NULL`,
    );
    let moved = 0;
    for (const row of rows) {
      if (vault.keyIdOf(row.pending_secret) === vault.currentKeyId) continue;
      const aad = tokenAad('oauth_states', row.id, 'pending_secret');
      const res = await this.states
        .createQueryBuilder()
        .update()
        .set({ pendingSecret: vault.encrypt(vault.decrypt(row.pending_secret, aad), aad) })
        .where('id = :id AND pending_secret = :old', { id: row.id, old: row.pending_secret })
        .execute();
      moved += res.affected ?? 0;
    }
    return { moved };
  }

  /**
   * Data deletion (in its transaction, rows locked): the attempts still holding a verified
   * Facebook login of this person (kept while its user picks accounts), started before `before`,
   * with the accounts they offered: those name the person even when none was connected.
   */
  async pendingLoginsOf(fbUserId: string, before: Date, m: EntityManager): Promise<PendingLogin[]> {
    const rows = await m.query<Array<{ id: string; user_id: number; pending_secret: string }>>(
      `SELECT id, user_id, pending_secret FROM oauth_states
        WHERE pending_secret IS NOT NULL AND COALESCE(completed_at, created_at) < $1 FOR UPDATE`,
      [before],
    );
    const found: PendingLogin[] = [];
    for (const r of rows) {
      let login: { fbUserId?: unknown; candidates?: unknown };
      try {
        login = JSON.parse(
          this.vault.decrypt(r.pending_secret, tokenAad('oauth_states', r.id, 'pending_secret')),
        ) as typeof login;
      } catch {
        continue; // not readable with our keys: not ours to judge
      }
      if (login.fbUserId !== fbUserId || !Array.isArray(login.candidates)) continue;
      const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
      const offered = (login.candidates as Array<Record<string, unknown>>).map((c) => ({
        igUserId: str(c.igUserId),
        pageId: str(c.pageId),
        username: str(c.username),
        name: str(c.name),
        pageName: str(c.pageName),
      }));
      found.push({ id: r.id, userId: r.user_id, offered });
    }
    return found;
  }

  /**
   * Data deletion: the attempts of the deleted connections, the person's pending logins, and any
   * finished attempt started before `before` whose answer names the person.
   */
  async forgetPerson(
    subject: { accountIds: number[]; attemptIds: string[]; before: Date; patterns: string[] },
    m: EntityManager,
  ): Promise<void> {
    await m.query(
      `DELETE FROM oauth_states
        WHERE account_id = ANY($1::int[]) OR id = ANY($2::uuid[])
           OR (result IS NOT NULL AND COALESCE(completed_at, created_at) < $3 AND result::text ~* ANY($4::text[]))`,
      [subject.accountIds, subject.attemptIds, subject.before, subject.patterns],
    );
  }

  /**
   * Housekeeping (the scheduler runs it hourly): an abandoned account picker must not leave its
   * encrypted tokens behind, nor the list of accounts it offered (usernames, Page names: once the
   * secret is gone, data deletion could no longer tie them to the person), so expired attempts
   * lose both at once; attempts older than a day (no double-submit will come for them) are deleted.
   */
  async purgeExpired(): Promise<{ wiped: number; deleted: number }> {
    const now = this.clock.now();
    const wiped = await this.states
      .createQueryBuilder()
      .update()
      .set({ pendingSecret: null, result: () => `CASE WHEN result->>'status' = 'needs_selection' THEN NULL ELSE result END` })
      .where(`expires_at < :now AND (pending_secret IS NOT NULL OR result->>'status' = 'needs_selection')`, { now })
      .execute();
    const deleted = await this.states
      .createQueryBuilder()
      .delete()
      .where('expires_at < :cutoff', { cutoff: new Date(now.getTime() - 86_400_000) })
      .execute();
    return { wiped: wiped.affected ?? 0, deleted: deleted.affected ?? 0 };
  }
}
