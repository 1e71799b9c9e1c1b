import { Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { formatDay } from '../../common/format-day';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { AlertsService } from '../alerts/alerts.service';
import { GraphApiClient, type TokenInspection } from '../graph/graph-api.client';
import { GraphError } from '../graph/graph-error';
import { LifecycleMetrics } from '../ops/lifecycle-metrics';
import { ConnectionsRepository } from './connections.repository';
import { connectionExpiry, nextCheckAt, reasonForTokenError, statusForValid, verdictForGraphError } from './domain/token-policy';
import { InstagramTokenEntity, type ConnectionStatus } from './persistence/instagram-token.entity';
import { TokenEventsService } from './token-events.service';
import { TokenVault, tokenAad } from './token-vault';

/** How long one maintenance run may hold an account before another caller may take it over. */
const LEASE_MS = 60_000;
/**
 * A user refresh this soon after another user refresh of the same account answers with that
 * run's stored result instead of calling Meta again (double clicks, bursts of API calls). Short,
 * so a check the user asks for after something changed at Facebook still reaches Facebook.
 */
const USER_COALESCE_MS = 2_000;

export interface MaintenanceResult {
  success: boolean;
  message: string;
  new_expires_at: string | null;
  extended: boolean;
  status: ConnectionStatus;
  account_id: number;
  /** When the next automatic check is due (null: none; the account waits for the user). */
  next_check_at: string | null;
}

/** A failure Meta says may pass (5xx, timeouts, rate limits): retry later, the account stays as it is. */
export class RetryLaterError extends Error {
  constructor(
    readonly graphError: GraphError,
    readonly delayMs: number | undefined,
  ) {
    super(`Meta is unavailable or limiting calls (${graphError.kind}${graphError.code ? ` #${graphError.code}` : ''})`);
    this.name = 'RetryLaterError';
  }
}

type Actor = 'user' | 'worker';

/** The sentence for a connection whose 90-day data access lapsed (graph-api.md §3). */
export const DATA_ACCESS_LAPSED =
  "Facebook's 90-day data access for AutoReels lapsed (Facebook asks you to confirm it at least every 90 days). Reconnect to renew it.";

/**
 * Keeps one connection verified (DESIGN.md section 5), used by the API and the worker alike:
 * probe both tokens with debug_token; while the user token is valid, re-exchange it and re-derive
 * the Page token; store only what was verified; say honestly whether the expiry moved. A row lease
 * (conditional UPDATE) makes concurrent callers share one set of Meta calls.
 */
@Injectable()
export class TokenMaintenanceService {
  private readonly logger = new Logger(TokenMaintenanceService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly graph: GraphApiClient,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionsRepository,
    private readonly events: TokenEventsService,
    private readonly alerts: AlertsService,
    private readonly dataSource: DataSource,
    @Optional() private readonly metrics?: LifecycleMetrics,
  ) {}

  /** POST /social/refresh-token: the user's default connected account. */
  async refreshDefault(userId: number): Promise<MaintenanceResult> {
    const row = await this.connections.findDefault(userId);
    if (!row || !row.isConnected) throw new DomainError(ErrorCode.NOT_CONNECTED, 'No Instagram account is connected.');
    return this.refreshForUser(userId, row.id);
  }

  /** POST /social/accounts/:id/refresh-token. Transient Meta failures become 502/429 for the caller. */
  async refreshForUser(userId: number, accountId: number): Promise<MaintenanceResult> {
    await this.connections.findOwned(userId, accountId);
    try {
      return await this.maintain(accountId, 'user');
    } catch (err) {
      if (err instanceof RetryLaterError) {
        throw err.graphError.kind === 'transient'
          ? new DomainError(
              ErrorCode.META_UNAVAILABLE,
              'Facebook is not answering right now; your connection is unchanged. Try again shortly.',
            )
          : new DomainError(
              ErrorCode.META_RATE_LIMITED,
              'Facebook is limiting requests right now; your connection is unchanged. Try again later.',
            );
      }
      throw err;
    }
  }

  /**
   * One maintenance run. Throws RetryLaterError for transient failures (the worker retries with
   * backoff); everything else ends in a stored, honest state.
   */
  async maintain(accountId: number, actor: Actor): Promise<MaintenanceResult> {
    try {
      const result = await this.run(accountId, actor);
      this.metrics?.checks.inc({ actor, outcome: result.success ? 'ok' : result.status });
      if (result.success) this.metrics?.refreshes.inc({ actor, extended: String(result.extended) });
      return result;
    } catch (err) {
      this.metrics?.checks.inc({ actor, outcome: err instanceof RetryLaterError ? 'retry' : 'failed' });
      throw err;
    }
  }

  private async run(accountId: number, actor: Actor): Promise<MaintenanceResult> {
    // A burst of "Refresh" clicks (or 50 concurrent calls) shares one set of Meta calls, even when
    // the later ones arrive after the first run released its lease: they get its stored result.
    const leased = await this.acquireLease(accountId, actor === 'user' ? USER_COALESCE_MS : 0);
    if (!leased) return this.waitForOtherRun(accountId, actor);
    if (!leased.isValid || !leased.longLivedToken || !leased.accessToken) {
      await this.releaseLease(leased);
      return this.resultFor(leased, false, leased.statusReason ?? 'This connection needs a reconnect.', false);
    }
    try {
      return await this.refresh(leased, actor);
    } catch (err) {
      return this.handleFailure(leased, actor, err);
    }
  }

  private async refresh(row: InstagramTokenEntity, actor: Actor): Promise<MaintenanceResult> {
    const userToken = this.vault.decrypt(row.longLivedToken as string, tokenAad('instagram_tokens', row.id, 'long_lived_token'));
    const pageToken = this.vault.decrypt(row.accessToken as string, tokenAad('instagram_tokens', row.id, 'access_token'));
    // 1. probe both tokens
    const [userProbe, pageProbe] = await Promise.all([this.graph.inspectToken(userToken), this.graph.inspectToken(pageToken)]);
    const dead = [userProbe, pageProbe].find((p) => !p.isValid);
    if (dead) return this.markDead(row, actor, dead.error?.code ?? 190, dead.error?.subcode, 'probe');
    // Data access (90 days) can lapse while both tokens stay valid: permission-gated calls would then
    // fail with a bare 190, read as "logged out". debug_token says so first; tell the user why.
    const dataAccessEnd = userProbe.dataAccessExpiresAt;
    if (dataAccessEnd && dataAccessEnd.getTime() <= this.clock.now().getTime()) {
      return this.markNeedsReconnect(row, actor, 'DATA_ACCESS_EXPIRED', DATA_ACCESS_LAPSED, 'probe');
    }
    // 2. re-exchange while valid (Meta keeps the expiry of a long-lived token; we store what it says)
    const exchanged = await this.graph.exchangeForLongLived(userToken);
    const [userInfo, pages] = await Promise.all([
      this.graph.inspectToken(exchanged.accessToken),
      this.graph.listPages(exchanged.accessToken),
    ]);
    if (!userInfo.isValid) return this.markDead(row, actor, userInfo.error?.code ?? 190, userInfo.error?.subcode, 'refresh');
    const page = pages.find((p) => p.id === row.fbPageId);
    if (!page) {
      return this.markNeedsReconnect(
        row,
        actor,
        'PAGE_ACCESS_LOST',
        `The Facebook Page "${row.fbPageName ?? row.fbPageId}" is no longer shared with AutoReels. Reconnect and tick it again.`,
        'refresh',
      );
    }
    // 3. verify the re-derived Page token before storing it
    const pageInfo = await this.graph.inspectToken(page.accessToken);
    if (!pageInfo.isValid) return this.markDead(row, actor, pageInfo.error?.code ?? 190, pageInfo.error?.subcode, 'refresh');
    return this.storeVerified(row, actor, exchanged.accessToken, page.accessToken, userInfo, pageInfo);
  }

  private async storeVerified(
    row: InstagramTokenEntity,
    actor: Actor,
    userToken: string,
    pageToken: string,
    userInfo: TokenInspection,
    pageInfo: TokenInspection,
  ): Promise<MaintenanceResult> {
    const now = this.clock.now();
    const expiresAt = connectionExpiry({
      userTokenExpiresAt: userInfo.expiresAt,
      pageTokenExpiresAt: pageInfo.expiresAt,
      dataAccessExpiresAt: userInfo.dataAccessExpiresAt,
    });
    const previous = row.expiresAt;
    const extended = !!expiresAt && !!previous && expiresAt.getTime() - previous.getTime() > 60_000;
    const status = statusForValid(expiresAt, now, this.config.tokens);
    const message = !expiresAt
      ? 'Connection verified; Facebook set no expiry.'
      : extended
        ? `Token refreshed: Facebook now keeps this connection until ${formatDay(expiresAt)}.`
        : `Connection verified. Facebook keeps this token until ${formatDay(expiresAt)}; reconnect before then to extend it.`;
    const next = nextCheckAt(status, expiresAt, now, this.config.tokens);
    // The verified update and its audit event in ONE statement (atomic like a transaction, one
    // round trip instead of BEGIN/UPDATE/INSERT/COMMIT); the event is written only when the
    // conditional update matched. RETURNING gives the stored row to the alert rules.
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
        this.vault.encrypt(userToken, tokenAad('instagram_tokens', row.id, 'long_lived_token')),
        this.vault.encrypt(pageToken, tokenAad('instagram_tokens', row.id, 'access_token')),
        this.vault.currentKeyId,
        expiresAt,
        expiresAt ? Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)) : null,
        userInfo.issuedAt ?? row.tokenIssuedAt,
        userInfo.expiresAt,
        pageInfo.expiresAt,
        userInfo.dataAccessExpiresAt,
        JSON.stringify(userInfo.scopes.length ? userInfo.scopes : row.permissions),
        status,
        now,
        next,
        row.userId,
        actor,
        message,
        JSON.stringify({
          extended,
          expires_at: expiresAt?.toISOString() ?? null,
          previous_expires_at: previous?.toISOString() ?? null,
        }),
      ],
    );
    if (!stored) {
      // our lease was taken over (we ran past LEASE_MS): the other run's result stands
      return this.waitForOtherRun(row.id, actor);
    }
    await this.alerts.evaluateRow(this.hydrate(stored));
    return {
      success: true,
      message,
      new_expires_at: expiresAt?.toISOString() ?? null,
      extended,
      status,
      account_id: row.id,
      next_check_at: next?.toISOString() ?? null,
    };
  }

  private async handleFailure(row: InstagramTokenEntity, actor: Actor, err: unknown): Promise<MaintenanceResult> {
    if (!(err instanceof GraphError)) {
      await this.releaseLease(row);
      throw err;
    }
    const verdict = verdictForGraphError(err);
    switch (verdict.action) {
      case 'needs_reconnect':
        return err.kind === 'token-invalid'
          ? this.markDead(row, actor, err.code ?? 190, err.subcode, 'refresh')
          : this.markNeedsReconnect(row, actor, `GRAPH_${err.code ?? 'PERMISSION'}`, verdict.reason, 'refresh');
      case 'retry':
        await this.releaseLease(row, { lastCheckedAt: this.clock.now() });
        await this.events.record({
          accountId: row.id,
          userId: row.userId,
          type: 'refresh',
          outcome: 'skipped',
          actor,
          message: 'Meta was unavailable; will retry.',
          error: err,
        });
        throw new RetryLaterError(err, verdict.delayMs);
      case 'fail':
        await this.releaseLease(row, { lastCheckedAt: this.clock.now(), lastErrorCode: `GRAPH_${err.code ?? 'ERROR'}` });
        await this.events.record({
          accountId: row.id,
          userId: row.userId,
          type: 'refresh',
          outcome: 'failure',
          actor,
          message: verdict.reason,
          error: err,
        });
        throw new DomainError(ErrorCode.META_REQUEST_FAILED, 'Facebook rejected the check; the connection is unchanged.');
    }
  }

  /** Code 190 and friends: only the user can fix it. 458 (app removed) means revoked. */
  private markDead(
    row: InstagramTokenEntity,
    actor: Actor,
    code: number,
    subcode: number | undefined,
    type: string,
  ): Promise<MaintenanceResult> {
    const errorCode = `GRAPH_${code}${subcode ? `_${subcode}` : ''}`;
    return this.markNeedsReconnect(
      row,
      actor,
      errorCode,
      reasonForTokenError(subcode),
      type,
      subcode === 458 ? 'revoked' : 'needs_reconnect',
      { code, subcode },
    );
  }

  private async markNeedsReconnect(
    row: InstagramTokenEntity,
    actor: Actor,
    errorCode: string,
    reason: string,
    type: string,
    status: ConnectionStatus = 'needs_reconnect',
    graph?: { code: number; subcode?: number },
  ): Promise<MaintenanceResult> {
    const now = this.clock.now();
    const stored = await this.dataSource.transaction(async (m) => {
      const res = await m.update(
        InstagramTokenEntity,
        { id: row.id, version: row.version },
        {
          isValid: false,
          status,
          statusReason: reason,
          lastErrorCode: errorCode,
          lastCheckedAt: now,
          nextCheckAt: null,
          leaseUntil: null,
          version: () => 'version + 1',
        },
      );
      await this.events.record(
        { accountId: row.id, userId: row.userId, type, outcome: 'failure', actor, message: reason, errorCode, graph },
        m,
      );
      return res.affected === 1;
    });
    this.logger.warn({ accountId: row.id, errorCode }, 'connection needs the user');
    await this.alerts.evaluate(row.id);
    return {
      success: false,
      message: reason,
      new_expires_at: row.expiresAt?.toISOString() ?? null,
      extended: false,
      status,
      account_id: row.id,
      // no more automatic checks once stored; if another run overtook this one, its schedule stands
      next_check_at: stored ? null : (row.nextCheckAt?.toISOString() ?? null),
    };
  }

  private async acquireLease(accountId: number, unlessRefreshedWithinMs = 0): Promise<InstagramTokenEntity | null> {
    const now = this.clock.now();
    // one round trip: the lease UPDATE returns the leased row itself
    const [rows] = await this.dataSource.query<[Array<Record<string, unknown>>, number]>(
      `UPDATE instagram_tokens SET lease_until = $2, version = version + 1
        WHERE id = $1 AND is_connected AND (lease_until IS NULL OR lease_until < $3)
          AND NOT EXISTS (SELECT 1 FROM token_events e
                           WHERE e.account_id = $1 AND e.type = 'refresh' AND e.actor = 'user' AND e.created_at > $4)
        RETURNING *`,
      [accountId, new Date(now.getTime() + LEASE_MS), now, new Date(now.getTime() - unlessRefreshedWithinMs)],
    );
    return rows?.length ? this.hydrate(rows[0]) : null;
  }

  /** A raw instagram_tokens row (RETURNING *) as the entity findOneBy would give. */
  private hydrate(raw: Record<string, unknown>): InstagramTokenEntity {
    const meta = this.dataSource.getMetadata(InstagramTokenEntity);
    const entity = meta.create() as InstagramTokenEntity;
    const target = entity as unknown as Record<string, unknown>;
    for (const column of meta.columns) {
      if (column.databaseName in raw)
        target[column.propertyName] = this.dataSource.driver.prepareHydratedValue(raw[column.databaseName], column);
    }
    return entity;
  }

  private async releaseLease(row: InstagramTokenEntity, extra: Partial<InstagramTokenEntity> = {}): Promise<void> {
    await this.connections.repo.update(
      { id: row.id, version: row.version },
      { ...extra, leaseUntil: null, version: () => 'version + 1' },
    );
  }

  /** Another run holds the account: wait for it and answer with what it stored. */
  private async waitForOtherRun(accountId: number, actor: Actor): Promise<MaintenanceResult> {
    const deadline = Date.now() + (actor === 'user' ? 30_000 : 0);
    for (;;) {
      const row = await this.connections.repo.findOneByOrFail({ id: accountId });
      const busy = row.leaseUntil && row.leaseUntil.getTime() > this.clock.now().getTime();
      if (!busy || Date.now() >= deadline) {
        if (busy && actor === 'user')
          throw new DomainError(
            ErrorCode.REFRESH_IN_PROGRESS,
            'A check of this account is already running; try again in a minute.',
          );
        const last = (await this.events.listForAccount(accountId, 1))[0];
        const extended = last?.type === 'refresh' && last.details?.extended === true;
        return this.resultFor(row, row.isValid && row.isConnected, last?.message ?? 'Connection checked.', extended);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private resultFor(row: InstagramTokenEntity, success: boolean, message: string, extended: boolean): MaintenanceResult {
    return {
      success,
      message,
      new_expires_at: row.expiresAt?.toISOString() ?? null,
      extended,
      status: row.status,
      account_id: row.id,
      next_check_at: row.nextCheckAt?.toISOString() ?? null,
    };
  }
}
