import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { formatDay } from '../../../common/format-day';
import { AppConfig } from '../../../config/app-config';
import { GraphApiClient, type TokenGrant, type TokenInspection } from '../../graph/graph-api.client';
import { InstagramLoginClient } from '../../graph/instagram-login.client';
import { GraphError } from '../../graph/graph-error';
import { ConnectionEvents, type CheckActor } from '../connection-observer';
import { ConnectionRepository, type Connection } from '../connection.repository';
import type { ConnectionState } from '../domain/connection-policy';
import {
  INSTAGRAM_TOKEN_LIFETIME_MS,
  connectionExpiry,
  instagramCheckPlan,
  instagramIssuedAt,
  renewalDue,
  verifiedTimes,
} from '../domain/connection-policy';
import type { Transition } from '../domain/connection-transitions';
import { graphFailureVerdict, permissionsRemovedVerdict, type GraphFailureVerdict } from '../domain/graph-failure-policy';
import { TokenVault, tokenAad } from '../token-vault';

/** The sentence for a connection whose 90-day data access lapsed (graph-api.md §3). */
export const DATA_ACCESS_LAPSED =
  "Facebook's 90-day data access for AutoReels lapsed (Facebook asks you to confirm it at least every 90 days). Reconnect to renew it.";

/**
 * A user check this soon after another user check of the same account answers with that run's
 * stored result instead of calling Meta again (double clicks, bursts of API calls). Short, so a
 * check the user asks for after something changed at Facebook still reaches Facebook.
 */
const USER_COALESCE_MS = 2_000;

export interface CheckResult {
  success: boolean;
  message: string;
  new_expires_at: string | null;
  extended: boolean;
  status: ConnectionState;
  account_id: number;
  /** When the next automatic check is due (null: none; the account waits for the user). */
  next_check_at: string | null;
}

/** A failure Meta says may pass (5xx, timeouts, rate limits): retry later, the account stays as it is. */
export class RetryLaterError extends Error {
  constructor(
    readonly verdict: GraphFailureVerdict,
    readonly delayMs: number | undefined,
  ) {
    super(`Meta is unavailable or limiting calls (${verdict.errorCode})`);
    this.name = 'RetryLaterError';
  }
}

/**
 * The worker found the account leased by another run (a user's Refresh, or a run that died with
 * its lease still held): nothing was checked. Retry once the lease ends (`retryInMs`), never
 * treat it as done.
 */
export class LeaseHeldError extends Error {
  constructor(readonly retryInMs: number) {
    super(`another check holds this account for ${retryInMs} ms more`);
    this.name = 'LeaseHeldError';
  }
}

/**
 * Checks one connection and keeps it verified (DESIGN.md section 5); the worker's scheduled
 * check and the user's "Refresh" run this same use case. Probe both tokens with debug_token;
 * while the user token is valid, re-exchange it and re-derive the Page token; store only what
 * was verified; say honestly whether the expiry moved. A row lease makes concurrent callers
 * share one set of Meta calls. Throws RetryLaterError for transient failures (the worker retries
 * with backoff); everything else ends in a stored, honest state.
 */
@Injectable()
export class CheckConnection {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly graph: GraphApiClient,
    private readonly vault: TokenVault,
    private readonly connections: ConnectionRepository,
    private readonly events: ConnectionEvents,
    private readonly instagram: InstagramLoginClient,
  ) {}

  async execute(accountId: number, actor: CheckActor): Promise<CheckResult> {
    try {
      const result = await this.run(accountId, actor);
      this.events.checked(actor, result.success ? 'ok' : result.status, result.success ? result.extended : undefined);
      return result;
    } catch (err) {
      this.events.checked(actor, err instanceof RetryLaterError || err instanceof LeaseHeldError ? 'retry' : 'failed');
      throw err;
    }
  }

  private async run(accountId: number, actor: CheckActor): Promise<CheckResult> {
    // A burst of "Refresh" clicks (or 50 concurrent calls) shares one set of Meta calls, even when
    // the later ones arrive after the first run released its lease: they get its stored result.
    const leased = await this.connections.acquireLease(
      accountId,
      this.config.tokens.checkLeaseMs,
      actor === 'user' ? USER_COALESCE_MS : 0,
    );
    if (!leased) return this.waitForOtherRun(accountId, actor);
    const instagram = leased.loginType === 'instagram';
    if (!leased.isValid || (!instagram && !leased.longLivedToken) || !leased.accessToken) {
      await this.connections.releaseLease(leased);
      return resultFor(leased, false, leased.statusReason ?? 'This connection needs a reconnect.', false);
    }
    try {
      return instagram ? await this.refreshInstagram(leased, actor) : await this.refresh(leased, actor);
    } catch (err) {
      return this.handleFailure(leased, actor, err);
    }
  }

  private async refresh(row: Connection, actor: CheckActor): Promise<CheckResult> {
    const userToken = this.vault.decrypt(row.longLivedToken as string, tokenAad('instagram_tokens', row.id, 'long_lived_token'));
    const pageToken = this.vault.decrypt(row.accessToken as string, tokenAad('instagram_tokens', row.id, 'access_token'));
    // 1. probe both tokens (one batch request: 2 Graph calls, 1 round trip)
    const [userProbe, pageProbe] = await this.graph.inspectTokens([userToken, pageToken]);
    const dead = [userProbe, pageProbe].find((p) => !p.isValid);
    if (dead) return this.markDead(row, actor, dead.error?.code ?? 190, dead.error?.subcode, 'probe');
    // Data access (90 days) can lapse while both tokens stay valid: permission-gated calls would then
    // fail with a bare 190, read as "logged out". debug_token says so first; tell the user why.
    const dataAccessEnd = userProbe.dataAccessExpiresAt;
    if (dataAccessEnd && dataAccessEnd.getTime() <= this.clock.now().getTime()) {
      return this.store(row, {
        to: 'needs_reconnect',
        actor,
        during: 'probe',
        reason: DATA_ACCESS_LAPSED,
        errorCode: 'DATA_ACCESS_EXPIRED',
      });
    }
    // a permission the user removed is theirs to give back; with the grant complete, 10/200-299 is the app's
    const removed = permissionsRemovedVerdict(userProbe.scopes);
    if (removed)
      return this.store(row, {
        to: 'needs_reconnect',
        actor,
        during: 'probe',
        reason: removed.reason,
        errorCode: removed.errorCode,
      });
    // A routine check outside the refresh window ends here: Meta does not extend a long-lived token
    // by re-exchange, so the re-exchange and Page re-derivation wait for the window (or a manual refresh).
    const probed = connectionExpiry({
      userTokenExpiresAt: userProbe.expiresAt,
      pageTokenExpiresAt: pageProbe.expiresAt,
      dataAccessExpiresAt: userProbe.dataAccessExpiresAt,
    });
    if (actor === 'worker' && !renewalDue(probed, this.clock.now(), this.config.tokens)) {
      return this.storeVerified(row, actor, { userToken, pageToken, asStored: true, userInfo: userProbe, pageInfo: pageProbe });
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
      const reason = `The Facebook Page "${row.fbPageName ?? row.fbPageId}" is no longer shared with AutoReels. Reconnect and tick it again.`;
      return this.store(row, { to: 'needs_reconnect', actor, during: 'refresh', reason, errorCode: 'PAGE_ACCESS_LOST' });
    }
    // 3. verify the re-derived Page token before storing it
    const pageInfo = await this.graph.inspectToken(page.accessToken);
    if (!pageInfo.isValid) return this.markDead(row, actor, pageInfo.error?.code ?? 190, pageInfo.error?.subcode, 'refresh');
    return this.storeVerified(row, actor, { userToken: exchanged.accessToken, pageToken: page.accessToken, userInfo, pageInfo });
  }

  /** Stores what Meta verified (tokens, expiries, permissions) and says honestly whether the expiry moved. */
  private async storeVerified(
    row: Connection,
    actor: CheckActor,
    v: { userToken: string; pageToken: string; asStored?: boolean; userInfo: TokenInspection; pageInfo: TokenInspection },
  ): Promise<CheckResult> {
    const { userInfo, pageInfo } = v;
    const now = this.clock.now();
    const times = verifiedTimes(
      {
        userTokenExpiresAt: userInfo.expiresAt,
        pageTokenExpiresAt: pageInfo.expiresAt,
        dataAccessExpiresAt: userInfo.dataAccessExpiresAt,
      },
      now,
      this.config.tokens,
    );
    const previous = row.expiresAt;
    const extended = !!times.expiresAt && !!previous && times.expiresAt.getTime() - previous.getTime() > 60_000;
    const message = !times.expiresAt
      ? 'Connection verified; Facebook set no expiry.'
      : extended
        ? `Token refreshed: Facebook now keeps this connection until ${formatDay(times.expiresAt)}.`
        : `Connection verified. Facebook keeps this token until ${formatDay(times.expiresAt)}; reconnect before then to extend it.`;
    const stored = await this.connections.storeVerifiedCheck(row, {
      userToken: v.userToken,
      pageToken: v.pageToken,
      tokensAsStored: v.asStored,
      ...times,
      issuedAt: userInfo.issuedAt,
      userTokenExpiresAt: userInfo.expiresAt,
      pageTokenExpiresAt: pageInfo.expiresAt,
      dataAccessExpiresAt: userInfo.dataAccessExpiresAt,
      permissions: userInfo.scopes,
      actor,
      message,
      details: {
        extended,
        expires_at: times.expiresAt?.toISOString() ?? null,
        previous_expires_at: previous?.toISOString() ?? null,
      },
    });
    return this.verified(row, actor, stored, message, extended);
  }

  /**
   * Instagram Login (DESIGN.md section 9): the token itself can be refreshed for 60 more days.
   * The scheduler asks once the token is inside the refresh window and at least a day old (age
   * judged from Meta's expiry); a manual refresh always asks, and Meta's "not yet" (undocumented:
   * any non-token error) means the token is verified through /me, not an error. A dead token
   * (190) goes through the same failure table as Facebook's.
   */
  private async refreshInstagram(row: Connection, actor: CheckActor): Promise<CheckResult> {
    const token = this.vault.decrypt(row.accessToken as string, tokenAad('instagram_tokens', row.id, 'access_token'));
    const plan = instagramCheckPlan(row.expiresAt, this.clock.now(), this.config.tokens, actor === 'user');
    let fresh: TokenGrant | null = null;
    let notYet = false;
    if (plan === 'refresh') {
      try {
        fresh = await this.instagram.refresh(token);
      } catch (err) {
        if (!(err instanceof GraphError) || err.kind !== 'bad-request') throw err;
        notYet = true;
      }
    }
    const current = fresh?.accessToken ?? token;
    const profile = await this.instagram.getProfile(current);
    const now = this.clock.now();
    const expiresAt = fresh
      ? new Date(now.getTime() + (fresh.expiresInSeconds ?? INSTAGRAM_TOKEN_LIFETIME_MS / 1000) * 1000)
      : row.expiresAt;
    const times = verifiedTimes(
      { userTokenExpiresAt: expiresAt, pageTokenExpiresAt: null, dataAccessExpiresAt: null },
      now,
      this.config.tokens,
      'instagram',
    );
    const previous = row.expiresAt;
    const extended = !!fresh && !!times.expiresAt && (!previous || times.expiresAt.getTime() - previous.getTime() > 60_000);
    const until = times.expiresAt ? formatDay(times.expiresAt) : 'further notice';
    const message = extended
      ? `Token refreshed: Instagram now keeps this connection until ${until}.`
      : notYet
        ? `Connection verified. Instagram refreshes a token only once it is a day old; this one is valid until ${until} and AutoReels refreshes it automatically.`
        : `Connection verified. Instagram keeps this token until ${until}; AutoReels refreshes it automatically before then.`;
    const stored = await this.connections.storeVerifiedCheck(row, {
      userToken: null,
      pageToken: current,
      tokensAsStored: !fresh,
      ...times,
      issuedAt: times.expiresAt ? instagramIssuedAt(times.expiresAt) : null,
      userTokenExpiresAt: times.expiresAt,
      pageTokenExpiresAt: null,
      dataAccessExpiresAt: null,
      permissions: row.permissions ?? [],
      actor,
      message,
      details: {
        extended,
        refresh: plan === 'refresh' ? (fresh ? 'done' : 'not_yet') : 'not_due',
        username: profile.username,
        expires_at: times.expiresAt?.toISOString() ?? null,
        previous_expires_at: previous?.toISOString() ?? null,
      },
    });
    return this.verified(row, actor, stored, message, extended);
  }

  /** What a stored verification answers; a run whose lease was taken over (past CHECK_LEASE_MS) defers to the other run. */
  private async verified(
    row: Connection,
    actor: CheckActor,
    stored: Connection | null,
    message: string,
    extended: boolean,
  ): Promise<CheckResult> {
    if (!stored) return this.waitForOtherRun(row.id, actor);
    await this.events.changed(stored, row.status);
    return {
      success: true,
      message,
      new_expires_at: stored.expiresAt?.toISOString() ?? null,
      extended,
      status: stored.status,
      account_id: row.id,
      next_check_at: stored.nextCheckAt?.toISOString() ?? null,
    };
  }

  private async handleFailure(row: Connection, actor: CheckActor, err: unknown): Promise<CheckResult> {
    if (!(err instanceof GraphError)) {
      await this.connections.releaseLease(row);
      throw err;
    }
    const verdict = graphFailureVerdict(err, row.loginType);
    switch (verdict.action) {
      case 'needs_reconnect':
      case 'revoked':
        return this.store(row, {
          to: verdict.action,
          actor,
          during: 'refresh',
          reason: verdict.reason,
          errorCode: verdict.errorCode,
          graph: err.code ? { code: err.code, subcode: err.subcode } : undefined,
        });
      case 'retry':
        await this.connections.releaseLease(row, { lastCheckedAt: this.clock.now() });
        await this.connections.recordEvent({
          accountId: row.id,
          userId: row.userId,
          type: 'refresh',
          outcome: 'skipped',
          actor,
          message: 'Meta was unavailable; will retry.',
          error: err,
        });
        throw new RetryLaterError(verdict, verdict.delayMs);
      case 'app_problem':
        // ours to fix (ops are alerted by the Graph call observer): the card says so, the status stays
        await this.connections.releaseLease(row, {
          lastCheckedAt: this.clock.now(),
          lastErrorCode: verdict.errorCode,
          statusReason: verdict.reason,
        });
        await this.connections.recordEvent({
          accountId: row.id,
          userId: row.userId,
          type: 'refresh',
          outcome: 'failure',
          actor,
          message: verdict.reason,
          error: err,
        });
        throw new DomainError(verdict.callerCode, verdict.callerMessage);
      case 'fail':
        await this.connections.releaseLease(row, { lastCheckedAt: this.clock.now(), lastErrorCode: verdict.errorCode });
        await this.connections.recordEvent({
          accountId: row.id,
          userId: row.userId,
          type: 'refresh',
          outcome: 'failure',
          actor,
          message: verdict.reason,
          error: err,
        });
        throw new DomainError(
          verdict.callerCode,
          `${row.loginType === 'instagram' ? 'Instagram' : 'Facebook'} rejected the check; the connection is unchanged.`,
        );
    }
  }

  /** A token debug_token called invalid: the same table as a thrown 190 (458 means revoked). */
  private markDead(
    row: Connection,
    actor: CheckActor,
    code: number,
    subcode: number | undefined,
    during: string,
  ): Promise<CheckResult> {
    const verdict = graphFailureVerdict({ kind: 'token-invalid', code, subcode });
    return this.store(row, {
      to: verdict.action === 'revoked' ? 'revoked' : 'needs_reconnect',
      actor,
      during,
      reason: verdict.reason,
      errorCode: verdict.errorCode,
      graph: { code, subcode },
    });
  }

  private async store(row: Connection, t: Transition & { to: 'needs_reconnect' | 'revoked' }): Promise<CheckResult> {
    const stored = await this.connections.apply(row, t);
    const now = await this.connections.findById(row.id);
    if (now) await this.events.changed(now, row.status);
    return {
      success: false,
      message: t.reason,
      new_expires_at: row.expiresAt?.toISOString() ?? null,
      extended: false,
      status: t.to,
      account_id: row.id,
      // no more automatic checks once stored; if another run overtook this one, its schedule stands
      next_check_at: stored ? null : (row.nextCheckAt?.toISOString() ?? null),
    };
  }

  /** Another run holds the account: wait for it and answer with what it stored. */
  private async waitForOtherRun(accountId: number, actor: CheckActor): Promise<CheckResult> {
    const deadline = Date.now() + (actor === 'user' ? 30_000 : 0);
    for (;;) {
      const row = await this.connections.findById(accountId);
      if (!row) throw new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'No such Instagram account.');
      const leftMs = row.leaseUntil ? row.leaseUntil.getTime() - this.clock.now().getTime() : 0;
      const busy = leftMs > 0;
      if (busy && actor === 'worker' && row.isConnected) {
        // Not "checked": the holder may have died (SIGKILL, PostgreSQL outage) with its lease held.
        await this.connections.recordEvent({
          accountId,
          userId: row.userId,
          type: 'refresh',
          outcome: 'skipped',
          actor,
          message: 'Another check held this account; retrying when its lease ends.',
          details: { lease_until: row.leaseUntil?.toISOString() ?? null },
        });
        throw new LeaseHeldError(leftMs);
      }
      if (!busy || Date.now() >= deadline) {
        if (busy && actor === 'user') {
          throw new DomainError(
            ErrorCode.REFRESH_IN_PROGRESS,
            'A check of this account is already running; try again in a minute.',
          );
        }
        const last = (await this.connections.listEvents(accountId, 1))[0];
        const extended = last?.type === 'refresh' && last.details?.extended === true;
        return resultFor(row, row.isValid && row.isConnected, last?.message ?? 'Connection checked.', extended);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function resultFor(row: Connection, success: boolean, message: string, extended: boolean): CheckResult {
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
