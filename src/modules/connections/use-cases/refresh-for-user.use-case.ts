import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { ConnectionRepository } from '../connection.repository';
import { CheckConnection, RetryLaterError, type CheckResult } from './check-connection.use-case';

/** The one quick retry starts only while less than this has passed since the request began. */
export const QUICK_RETRY_BUDGET_MS = 1500;
/** The pause before the one quick retry (Meta's blips are short; longer waits belong to the worker). */
export const QUICK_RETRY_PAUSE_MS = 250;

/**
 * "Refresh" in Settings, `POST /social/refresh-token` (the default account) and
 * `POST /social/accounts/:id/refresh-token`: the same check the worker runs, for the owner only.
 * A single transient Meta error (codes 1, 2, 4, 17, 341, 5xx, a dropped connection) is ridden out
 * with one quick retry when the first attempt failed early enough to stay inside
 * QUICK_RETRY_BUDGET_MS; a failure that persists (or a timeout, which uses the budget up) leaves
 * the connection unchanged and tells the user so (502/429).
 */
@Injectable()
export class RefreshForUser {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly check: CheckConnection,
  ) {}

  async execute(userId: number, accountId: number | 'default'): Promise<CheckResult> {
    const row = await this.connections.target(userId, accountId);
    if (!row) throw new DomainError(ErrorCode.NOT_CONNECTED, 'No Instagram account is connected.');
    const started = Date.now();
    try {
      return await this.check.execute(row.id, 'user');
    } catch (err) {
      if (!(err instanceof RetryLaterError)) throw err;
      if (!err.verdict.quickRetry || Date.now() - started + QUICK_RETRY_PAUSE_MS >= QUICK_RETRY_BUDGET_MS) throw toCaller(err);
    }
    await new Promise((r) => setTimeout(r, QUICK_RETRY_PAUSE_MS));
    try {
      return await this.check.execute(row.id, 'user');
    } catch (err) {
      throw err instanceof RetryLaterError ? toCaller(err) : err;
    }
  }
}

function toCaller(err: RetryLaterError): DomainError {
  return new DomainError(err.verdict.callerCode, err.verdict.callerMessage);
}
