import { hydrateEntity } from '../../../common/database/entity-rows';
import { changedRows } from '../../../common/database/returning';
import { Injectable, Optional } from '@nestjs/common';
import { DataSource, In, IsNull, Not, type EntityManager, type Repository } from 'typeorm';
import { Clock } from '../../../common/clock';
import { preparedQuery } from '../../../common/database/prepared-query';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { GraphError } from '../../graph/graph-error';
import {
  ConnectionRepository,
  type Connection,
  type ConnectionSummary,
  type ConnectionEvent,
  type ConnectionTimes,
  type DueAccount,
  type EventInput,
  type MetaUser,
  type PersonAccounts,
  type ReencryptResult,
  type VerifiedCheck,
  type VerifiedLoginPair,
} from '../connection.repository';
import { applyTransition, type Transition } from '../domain/connection-transitions';
import { TokenVault, tokenAad } from '../token-vault';
import { ConnectionStatusCache } from './connection-status-cache';
import { InstagramTokenEntity } from './instagram-token.entity';
import { TokenEventEntity } from './token-event.entity';

/** Progress of a key rotation: rows done so far out of those found at the start. */
export type ReencryptProgress = (done: number, total: number) => void;

/** Swaps tried on one row that other writes keep replacing under an old key, before it is left for a re-run. */
const REENCRYPT_ATTEMPTS = 5;

const secondsUntil = (at: Date | null, now: Date): number | null =>
  at ? Math.max(0, Math.floor((at.getTime() - now.getTime()) / 1000)) : null;

/** Every SQL statement on instagram_tokens and token_events (DESIGN.md section 4). */
const FIND_DEFAULT_STATUS_SQL = `
  SELECT id, login_type, instagram_username, fb_page_name, ig_profile_picture, expires_at, is_valid,
         is_connected, status, last_refreshed_at, last_checked_at, (count(*) OVER ())::int AS visible_count
    FROM instagram_tokens
   WHERE user_id = $1 AND status <> 'disconnected'
   ORDER BY is_default DESC, connected_at ASC, id ASC
   LIMIT 1`;

/**
 * The rows of the person a signed_request names (`$1` = their id), as a WHERE fragment on the
 * alias `a`. Instagram Login: either of the account's two ids (which one Meta sends is
 * undocumented), and only Instagram-Login rows: a Facebook-Login row holds the professional id too.
 */
export function metaUserCondition(user: MetaUser, alias = 'a'): string {
  return user.loginType === 'instagram'
    ? `${alias}.login_type = 'instagram' AND (${alias}.ig_scoped_user_id = $1 OR ${alias}.ig_user_id = $1)`
    : `${alias}.login_type = 'facebook' AND ${alias}.fb_user_id = $1`;
}

interface StatusRow {
  id: number;
  login_type: ConnectionSummary['loginType'];
  instagram_username: string | null;
  fb_page_name: string | null;
  ig_profile_picture: string | null;
  expires_at: Date | null;
  is_valid: boolean;
  is_connected: boolean;
  status: ConnectionSummary['status'];
  last_refreshed_at: Date | null;
  last_checked_at: Date | null;
  visible_count: number;
}

@Injectable()
export class TypeormConnectionRepository extends ConnectionRepository {
  private readonly rows: Repository<InstagramTokenEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: TokenVault,
    private readonly clock: Clock,
    /** Absent outside Nest (the CLIs), which never serve the status. */
    @Optional() private readonly statusCache?: ConnectionStatusCache,
  ) {
    super();
    this.rows = dataSource.getRepository(InstagramTokenEntity);
  }

  private encrypt(rowId: number, column: 'long_lived_token' | 'access_token', plain: string): string {
    return this.vault.encrypt(plain, tokenAad('instagram_tokens', rowId, column));
  }

  /**
   * The ciphertext to store for a verified token: the row's own when the token is the one it
   * holds and its key is the current one (the lease's version check guarantees the row still
   * holds it), else a fresh encryption.
   */
  private sealed(
    row: Connection,
    column: 'long_lived_token' | 'access_token',
    plain: string,
    asStored: boolean | undefined,
  ): string {
    const stored = column === 'long_lived_token' ? row.longLivedToken : row.accessToken;
    if (asStored && stored && this.vault.keyIdOf(stored) === this.vault.currentKeyId) return stored;
    return this.encrypt(row.id, column, plain);
  }

  // --- reads ---------------------------------------------------------------------------------

  async findOwned(userId: number, id: number): Promise<Connection> {
    const row = Number.isSafeInteger(id) ? await this.rows.findOneBy({ id, userId }) : null;
    if (!row) throw new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'No such Instagram account on your profile.');
    return row;
  }

  findById(id: number): Promise<Connection | null> {
    return Number.isSafeInteger(id) ? this.rows.findOneBy({ id }) : Promise.resolve(null);
  }

  findConnected(userId: number, ids: number[]): Promise<Connection[]> {
    return ids.length
      ? this.rows.find({ where: { id: In(ids), userId, isConnected: true }, order: { id: 'ASC' } })
      : Promise.resolve([]);
  }

  listVisible(userId: number): Promise<Connection[]> {
    return this.rows.find({
      where: { userId, status: Not('disconnected') },
      order: { isDefault: 'DESC', connectedAt: 'ASC', id: 'ASC' },
    });
  }

  findDefaultWithCount(userId: number): Promise<{ row: ConnectionSummary | null; count: number }> {
    // served from memory while PostgreSQL's change feed is live (ConnectionStatusCache)
    const read = () => this.readDefaultWithCount(userId);
    return this.statusCache ? this.statusCache.get(userId, read) : read();
  }

  private async readDefaultWithCount(userId: number): Promise<{ row: ConnectionSummary | null; count: number }> {
    // plain SQL, one round trip, the status columns only: no query building or entity hydration
    // per request, and no encrypted token text read off disk for a status
    const rows = await preparedQuery<StatusRow>(this.dataSource, 'connections.find-default-status', FIND_DEFAULT_STATUS_SQL, [
      userId,
    ]);
    const r = rows[0];
    if (!r) return { row: null, count: 0 };
    return {
      row: {
        id: r.id,
        loginType: r.login_type,
        instagramUsername: r.instagram_username,
        fbPageName: r.fb_page_name,
        igProfilePicture: r.ig_profile_picture,
        expiresAt: r.expires_at,
        isValid: r.is_valid,
        isConnected: r.is_connected,
        status: r.status,
        lastRefreshedAt: r.last_refreshed_at,
        lastCheckedAt: r.last_checked_at,
      },
      count: r.visible_count,
    };
  }

  findDefaultConnected(userId: number): Promise<Connection | null> {
    return this.rows.findOne({
      where: { userId, isConnected: true },
      order: { isDefault: 'DESC', connectedAt: 'ASC', id: 'ASC' },
    });
  }

  async connectedIgUserIds(userId: number): Promise<Set<string>> {
    const rows = await this.rows.find({ where: { userId, isConnected: true }, select: { igUserId: true } });
    return new Set(rows.map((r) => r.igUserId));
  }

  countSharingGrant(fbUserId: string, exceptId: number): Promise<number> {
    return this.rows.count({ where: { fbUserId, isConnected: true, id: Not(exceptId), longLivedToken: Not(IsNull()) } });
  }

  listEvents(accountId: number, limit = 100): Promise<ConnectionEvent[]> {
    return this.dataSource.getRepository(TokenEventEntity).find({ where: { accountId }, order: { id: 'DESC' }, take: limit });
  }

  async holdsDataOf(user: MetaUser, cutoff: Date, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const [{ n }] = await m.query<Array<{ n: number }>>(
      `SELECT count(*)::int n FROM instagram_tokens a WHERE ${metaUserCondition(user)} AND COALESCE(a.last_refreshed_at, '-infinity') < $2`,
      [user.id, cutoff],
    );
    return n > 0;
  }

  countByStatus(): Promise<Array<{ status: string; n: number }>> {
    return this.dataSource.query(`SELECT status, count(*)::int AS n FROM instagram_tokens GROUP BY status`);
  }

  async earliestExpiry(): Promise<Date | null> {
    const rows = await this.dataSource.query<Array<{ at: Date | null }>>(
      `SELECT min(expires_at) AS at FROM instagram_tokens WHERE is_connected AND is_valid AND expires_at IS NOT NULL`,
    );
    return rows[0]?.at ? new Date(rows[0].at) : null;
  }

  // --- the connect flow ----------------------------------------------------------------------

  async storeVerifiedLogin(userId: number, c: VerifiedLoginPair, times: ConnectionTimes): Promise<Connection> {
    const now = this.clock.now();
    const id = await this.dataSource.transaction(async (m) => {
      const existing = await m.findOne(InstagramTokenEntity, {
        where: { userId, igUserId: c.igUserId },
        lock: { mode: 'pessimistic_write' },
      });
      const rowId =
        existing?.id ??
        ((await m.insert(InstagramTokenEntity, { userId, igUserId: c.igUserId, connectedAt: now })).identifiers[0].id as number);
      await m.update(
        InstagramTokenEntity,
        { id: rowId },
        {
          loginType: c.loginType ?? 'facebook',
          igScopedUserId: c.igScopedUserId ?? null,
          fbPageId: c.pageId,
          fbPageName: c.pageName,
          fbUserId: c.fbUserId,
          instagramUsername: c.username,
          instagramName: c.name,
          igProfilePicture: c.profilePictureUrl,
          longLivedToken: c.userToken === null ? null : this.encrypt(rowId, 'long_lived_token', c.userToken),
          accessToken: this.encrypt(rowId, 'access_token', c.pageToken),
          tokenKeyId: this.vault.currentKeyId,
          tokenType: 'bearer',
          expiresAt: times.expiresAt,
          tokenExpiresIn: secondsUntil(times.expiresAt, now),
          tokenIssuedAt: c.issuedAt,
          userTokenExpiresAt: c.userTokenExpiresAt,
          pageTokenExpiresAt: c.pageTokenExpiresAt,
          dataAccessExpiresAt: c.dataAccessExpiresAt,
          isValid: true,
          isConnected: true,
          status: times.status,
          statusReason: null,
          lastErrorCode: null,
          permissions: c.permissions,
          lastCheckedAt: now,
          lastRefreshedAt: now,
          nextCheckAt: times.nextCheckAt,
          connectedAt: existing?.isConnected ? existing.connectedAt : now,
          disconnectedAt: null,
          leaseUntil: null,
          version: () => 'version + 1',
        },
      );
      await this.ensureDefault(userId, m);
      await this.recordEvent(
        {
          userId,
          accountId: rowId,
          type: existing ? 'reconnect' : 'connect',
          outcome: 'success',
          actor: 'user',
          message:
            c.loginType === 'instagram'
              ? `Connected @${c.username} with Instagram Login.`
              : `Connected @${c.username} through the Page "${c.pageName}".`,
          details: {
            expires_at: times.expiresAt?.toISOString() ?? null,
            data_access_expires_at: c.dataAccessExpiresAt?.toISOString() ?? null,
          },
        },
        m,
      );
      return rowId;
    });
    return this.rows.findOneByOrFail({ id });
  }

  async setDefault(userId: number, id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.update(InstagramTokenEntity, { userId, isDefault: true }, { isDefault: false });
      await m.update(InstagramTokenEntity, { userId, id }, { isDefault: true });
    });
  }

  /**
   * Promotes the oldest still-connected account when the user has no default (the default one
   * left, or this is the first connect). Two such transactions of one user at once (two first
   * connects finishing together) each see no default and each promote their own row; the unique
   * index (uq_instagram_tokens_default) makes the second wait for the first and then refuse it,
   * which was a 500 for that whole login. The promotion runs under a savepoint: refused means the
   * other transaction gave the user a default, which is all this wanted. (No lock is taken here: a
   * lock after the row locks these transactions hold could deadlock with one of them.)
   */
  private async ensureDefault(userId: number, m: EntityManager): Promise<void> {
    const hasDefault = await m.count(InstagramTokenEntity, { where: { userId, isDefault: true, isConnected: true } });
    if (hasDefault) return;
    const next = await m.findOne(InstagramTokenEntity, {
      where: { userId, isConnected: true },
      order: { connectedAt: 'ASC', id: 'ASC' },
    });
    if (!next) return;
    await m.query('SAVEPOINT ensure_default');
    try {
      await m.update(InstagramTokenEntity, { id: next.id }, { isDefault: true });
      await m.query('RELEASE SAVEPOINT ensure_default');
    } catch (err) {
      const driverError = (err as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (driverError?.code !== '23505' || driverError.constraint !== 'uq_instagram_tokens_default') throw err;
      await m.query('ROLLBACK TO SAVEPOINT ensure_default');
    }
  }

  // --- checks ---------------------------------------------------------------------------------

  async acquireLease(accountId: number, leaseMs: number, unlessUserCheckedWithinMs: number): Promise<Connection | null> {
    const now = this.clock.now();
    // one round trip: the lease UPDATE returns the leased row itself. A user check that Meta
    // turned away (outcome 'skipped': unavailable, limiting) has no result to share: never coalesce on it.
    const lease = (m: EntityManager) =>
      changedRows<Record<string, unknown>>(
        m,
        `UPDATE instagram_tokens SET lease_until = $2, version = version + 1
          WHERE id = $1 AND is_connected AND (lease_until IS NULL OR lease_until < $3)
            AND NOT EXISTS (SELECT 1 FROM token_events e
                             WHERE e.account_id = $1 AND e.type = 'refresh' AND e.actor = 'user' AND e.created_at > $4
                               AND e.outcome <> 'skipped')
          RETURNING *`,
        [accountId, new Date(now.getTime() + leaseMs), now, new Date(now.getTime() - unlessUserCheckedWithinMs)],
      );
    if (unlessUserCheckedWithinMs <= 0) {
      const [row] = await lease(this.dataSource.manager);
      return row ? this.hydrate(row) : null;
    }
    // A user check coalesces on the run that just finished. Under READ COMMITTED an UPDATE that
    // waited for that run's row lock re-checks the row but not its subquery, which would miss the
    // run's own event: take the row lock first, so the UPDATE's snapshot sees what that run committed.
    const [row] = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT 1 FROM instagram_tokens WHERE id = $1 FOR UPDATE`, [accountId]);
      return lease(m);
    });
    return row ? this.hydrate(row) : null;
  }

  async releaseLease(
    row: Connection,
    extra: { lastCheckedAt?: Date; lastErrorCode?: string; statusReason?: string } = {},
  ): Promise<void> {
    await this.rows.update({ id: row.id, version: row.version }, { ...extra, leaseUntil: null, version: () => 'version + 1' });
  }

  async storeVerifiedCheck(row: Connection, v: VerifiedCheck): Promise<Connection | null> {
    const now = this.clock.now();
    // The verified update and its audit event in ONE statement (atomic like a transaction, one
    // round trip instead of BEGIN/UPDATE/INSERT/COMMIT); the event is written only when the
    // conditional update matched. RETURNING gives the stored row to the observers.
    const [stored] = await this.dataSource.query<Array<Record<string, unknown>>>(
      `WITH u AS (
         UPDATE instagram_tokens
            SET long_lived_token = $3, access_token = $4, token_key_id = $5, expires_at = $6, token_expires_in = $7,
                token_issued_at = $8, user_token_expires_at = $9, page_token_expires_at = $10,
                data_access_expires_at = $11, permissions = $12::jsonb, is_valid = true, status = $13,
                status_reason = NULL, last_error_code = NULL, last_checked_at = $14, last_refreshed_at = $14,
                refresh_count = refresh_count + 1, next_check_at = $15, lease_until = NULL,
                version = version + 1, updated_at = CURRENT_TIMESTAMP
          WHERE id = $1 AND version = $2
          RETURNING *),
       e AS (
         INSERT INTO token_events (account_id, user_id, type, outcome, actor, message, details, created_at)
         SELECT u.id, $16::int, 'refresh', 'success', $17, $18, $19::jsonb, $14 FROM u)
       SELECT * FROM u`,
      [
        row.id,
        row.version,
        v.userToken === null ? null : this.sealed(row, 'long_lived_token', v.userToken, v.tokensAsStored),
        this.sealed(row, 'access_token', v.pageToken, v.tokensAsStored),
        this.vault.currentKeyId,
        v.expiresAt,
        secondsUntil(v.expiresAt, now),
        v.issuedAt ?? row.tokenIssuedAt,
        v.userTokenExpiresAt,
        v.pageTokenExpiresAt,
        v.dataAccessExpiresAt,
        JSON.stringify(v.permissions.length ? v.permissions : (row.permissions ?? [])),
        v.status,
        now,
        v.nextCheckAt,
        row.userId,
        v.actor,
        v.message,
        JSON.stringify(v.details),
      ],
    );
    return stored ? this.hydrate(stored) : null;
  }

  async apply(row: Connection, t: Transition): Promise<boolean> {
    const { patch, event } = applyTransition(t, this.clock.now());
    return this.dataSource.transaction(async (m) => {
      const res = await m.update(
        InstagramTokenEntity,
        { id: row.id, version: row.version },
        { ...patch, version: () => 'version + 1' },
      );
      if (res.affected !== 1) return false;
      if (patch.isConnected === false) await this.ensureDefault(row.userId, m);
      await this.recordEvent({ ...event, accountId: row.id, userId: row.userId }, m);
      return true;
    });
  }

  async recordEvent(input: EventInput, m?: EntityManager): Promise<void> {
    const repo = (m ?? this.dataSource.manager).getRepository(TokenEventEntity);
    const graph = input.error instanceof GraphError ? input.error : undefined;
    await repo.insert({
      accountId: input.accountId ?? null,
      userId: input.userId ?? null,
      type: input.type,
      outcome: input.outcome,
      actor: input.actor,
      message: input.message ?? null,
      errorCode: input.errorCode ?? (graph ? `GRAPH_${graph.kind.toUpperCase().replace('-', '_')}` : null),
      graphErrorCode: graph?.code ?? input.graph?.code ?? null,
      graphErrorSubcode: graph?.subcode ?? input.graph?.subcode ?? null,
      details: (input.details ?? null) as never, // jsonb: TypeORM's deep-partial typing cannot express an open record
      // the app's clock, like every other lifecycle time, so history and lifecycle rules agree
      createdAt: this.clock.now(),
    });
  }

  // --- Meta's notices --------------------------------------------------------------------------

  /**
   * "Obtained" is `last_refreshed_at`: the app's clock writes it each time we get tokens (connect,
   * reconnect, refresh). `connected_at` survives a reconnect of a row still marked connected (a
   * revoked one is), and `token_issued_at` is Meta's optional debug_token field, so neither tells
   * a reconnect apart. No refresh can succeed once Meta revoked the grant, so a later
   * `last_refreshed_at` means the user granted the app again. Null counts as before.
   */
  async revokeMetaUser(user: MetaUser, obtainedBefore: Date, t: Transition, m: EntityManager): Promise<Connection[]> {
    const ids = await m.query<Array<{ id: number }>>(
      `SELECT a.id FROM instagram_tokens a
        WHERE ${metaUserCondition(user)} AND a.status NOT IN ('revoked', 'disconnected')
          AND COALESCE(a.last_refreshed_at, '-infinity') < $2
        ORDER BY a.id FOR UPDATE`,
      [user.id, obtainedBefore],
    );
    if (!ids.length) return [];
    const rows = await m.find(InstagramTokenEntity, { where: { id: In(ids.map((r) => r.id)) }, order: { id: 'ASC' } });
    return this.applyEach(rows, t, m);
  }

  async permissionRevoked(fbUserId: string, targetIds: string[], t: Transition): Promise<Connection[]> {
    return this.dataSource.transaction(async (m) => {
      const rows = await m
        .createQueryBuilder(InstagramTokenEntity, 'a')
        .setLock('pessimistic_write')
        .where(`a.fb_user_id = :fbUserId AND a.is_connected AND a.status IN ('active', 'expiring', 'needs_reconnect')`, {
          fbUserId,
        })
        .andWhere(
          targetIds.length ? '(a.ig_user_id = ANY(:targets) OR a.fb_page_id = ANY(:targets))' : 'TRUE',
          targetIds.length ? { targets: targetIds } : {},
        )
        .getMany();
      return this.applyEach(rows, t, m);
    });
  }

  /** One transition over locked rows, in the caller's transaction; returns the rows as stored. */
  private async applyEach(rows: Connection[], t: Transition, m: EntityManager): Promise<Connection[]> {
    const { patch, event } = applyTransition(t, this.clock.now());
    if (!rows.length) return [];
    // the version bump makes an in-flight check's conditional write miss: it cannot write tokens back
    await m.update(InstagramTokenEntity, { id: In(rows.map((r) => r.id)) }, { ...patch, version: () => 'version + 1' });
    for (const r of rows) await this.recordEvent({ ...event, accountId: r.id, userId: r.userId }, m);
    return m.find(InstagramTokenEntity, { where: { id: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } });
  }

  async personAccounts(user: MetaUser, cutoff: Date, m: EntityManager): Promise<PersonAccounts> {
    const all = await m.query<Array<PersonAccounts['deleted'][number] & { obtained_before: boolean }>>(
      `SELECT a.id, a.user_id, a.ig_user_id, a.ig_scoped_user_id, a.fb_page_id, a.instagram_username, a.instagram_name,
              a.fb_page_name, COALESCE(a.last_refreshed_at, '-infinity') < $2 AS obtained_before
         FROM instagram_tokens a WHERE ${metaUserCondition(user)} FOR UPDATE`,
      [user.id, cutoff],
    );
    return {
      deleted: all.filter((a) => a.obtained_before).map(({ obtained_before: _, ...a }) => a),
      kept: all.filter((a) => !a.obtained_before).map((a) => a.id),
    };
  }

  async deletePersonAccounts(
    covered: PersonAccounts,
    owners: number[],
    patterns: string[],
    requestId: number,
    m: EntityManager,
  ): Promise<void> {
    const ids = covered.deleted.map((a) => a.id);
    await m.query(
      `DELETE FROM token_events
        WHERE account_id = ANY($1::int[])
           OR (user_id = ANY($2::int[]) AND (account_id IS NULL OR NOT account_id = ANY($3::int[]))
               AND (message ~* ANY($4::text[]) OR details::text ~* ANY($4::text[])))`,
      [ids, owners, covered.kept, patterns],
    );
    await m.query(`DELETE FROM instagram_tokens WHERE id = ANY($1::int[])`, [ids]);
    for (const userId of new Set(covered.deleted.map((a) => a.user_id))) {
      await this.ensureDefault(userId, m);
      const n = covered.deleted.filter((a) => a.user_id === userId).length;
      await this.recordEvent(
        {
          userId,
          type: 'data_deletion',
          outcome: 'success',
          actor: 'meta',
          message: `${n} Instagram connection(s) deleted at Meta's data-deletion request.`,
          details: { request_id: requestId },
        },
        m,
      );
    }
  }

  // --- the scheduler ---------------------------------------------------------------------------

  async countDue(now: Date): Promise<number> {
    const rows = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM instagram_tokens WHERE is_connected AND next_check_at <= $1`,
      [now],
    );
    return rows[0].n;
  }

  /**
   * One page of due accounts in (next_check_at, id) order after the cursor: a keyset scan on the
   * partial index idx_instagram_tokens_due, so page 1,000 costs what page 1 does.
   */
  async duePage(now: Date, after: { cursor: string; id: number } | null, limit: number): Promise<DueAccount[]> {
    // two statements rather than `$2 IS NULL OR …`, which would keep the planner off the index
    const select = `SELECT id, floor(extract(epoch FROM next_check_at) * 1000)::bigint AS due_ms, next_check_at::text AS cursor
                      FROM instagram_tokens WHERE is_connected AND next_check_at <= $1`;
    type Row = { id: number; due_ms: string; cursor: string };
    const rows = after
      ? await this.dataSource.query<Row[]>(
          `${select} AND (next_check_at, id) > ($3::timestamptz, $4::int) ORDER BY next_check_at, id LIMIT $2`,
          [now, limit, after.cursor, after.id],
        )
      : await this.dataSource.query<Row[]>(`${select} ORDER BY next_check_at, id LIMIT $2`, [now, limit]);
    return rows.map((r) => ({ id: r.id, dueAtMs: Number(r.due_ms), cursor: r.cursor }));
  }

  async deferIfUnchanged(accountId: number, dueAtMs: number, at: Date): Promise<boolean> {
    const res = await this.dataSource.query<[unknown[], number]>(
      `UPDATE instagram_tokens SET next_check_at = $3
        WHERE id = $1 AND is_connected AND floor(extract(epoch FROM next_check_at) * 1000)::bigint = $2`,
      [accountId, dueAtMs, at],
    );
    return res[1] === 1;
  }

  // --- key rotation ----------------------------------------------------------------------------

  /**
   * Moves every row to the current key while the service works. Each row is a compare-and-swap on
   * its ciphertexts, and leaves `version` alone: the plaintext does not change, so a check that
   * holds the row's lease (it read the tokens under the old key) must still be able to store what
   * Meta verified. Bumping the version, as this once did, made that check's conditional write miss:
   * its result was dropped and its lease stayed held until CHECK_LEASE_MS. A swap that misses means
   * another write replaced the tokens meanwhile: re-read; done if that write used the current key
   * (or took the tokens away), else try again with what is there now.
   */
  async reencryptAll(batch = 500, onProgress?: ReencryptProgress): Promise<ReencryptResult> {
    type Row = {
      id: number;
      user_id: number;
      token_key_id: string | null;
      long_lived_token: string | null;
      access_token: string | null;
    };
    let moved = 0;
    let skipped = 0;
    let left = 0;
    let lastId = 0;
    const key = this.vault.currentKeyId;
    const pending = `token_key_id IS DISTINCT FROM $1 AND (long_lived_token IS NOT NULL OR access_token IS NOT NULL)`;
    const columns = `id, user_id, token_key_id, long_lived_token, access_token`;
    const total = onProgress
      ? (
          await this.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int n FROM instagram_tokens WHERE ${pending}`, [
            key,
          ])
        )[0].n
      : 0;
    onProgress?.(0, total);
    const move = (row: Row, col: 'long_lived_token' | 'access_token') => {
      const blob = row[col];
      return blob ? this.encrypt(row.id, col, this.vault.decrypt(blob, tokenAad('instagram_tokens', row.id, col))) : null;
    };
    const swap = (row: Row) =>
      this.dataSource.transaction(async (m) => {
        const res = await m.query<[unknown[], number]>(
          `UPDATE instagram_tokens SET long_lived_token = $1, access_token = $2, token_key_id = $3
            WHERE id = $4 AND long_lived_token IS NOT DISTINCT FROM $5 AND access_token IS NOT DISTINCT FROM $6`,
          [move(row, 'long_lived_token'), move(row, 'access_token'), key, row.id, row.long_lived_token, row.access_token],
        );
        if (res[1] !== 1) return false;
        await this.recordEvent(
          {
            accountId: row.id,
            userId: row.user_id,
            type: 'key_rotated',
            outcome: 'success',
            actor: 'system',
            message: `Tokens re-encrypted with key "${key}".`,
            details: { from_key: row.token_key_id, to_key: key },
          },
          m,
        );
        return true;
      });
    for (;;) {
      const rows = await this.dataSource.query<Row[]>(
        `SELECT ${columns} FROM instagram_tokens WHERE id > $2 AND ${pending} ORDER BY id LIMIT $3`,
        [key, lastId, batch],
      );
      if (!rows.length) break;
      for (const first of rows) {
        lastId = first.id;
        let row: Row | undefined = first;
        for (let attempt = 0; ; attempt++) {
          if (await swap(row)) {
            moved++;
            break;
          }
          [row] = await this.dataSource.query<Row[]>(`SELECT ${columns} FROM instagram_tokens WHERE id = $2 AND ${pending}`, [
            key,
            row.id,
          ]);
          if (!row) {
            skipped++; // rewritten meanwhile with the current key, or its tokens were removed
            break;
          }
          if (attempt >= REENCRYPT_ATTEMPTS) {
            left++; // still under an old key: a process with an older ring keeps writing it
            break;
          }
        }
      }
      const done = moved + skipped + left;
      onProgress?.(Math.min(done, Math.max(total, done)), Math.max(total, done));
    }
    return { moved, skipped, left };
  }

  /** A raw instagram_tokens row (RETURNING *) as the entity findOneBy would give. */
  private hydrate(raw: Record<string, unknown>): Connection {
    return hydrateEntity(this.dataSource, InstagramTokenEntity, raw);
  }
}
