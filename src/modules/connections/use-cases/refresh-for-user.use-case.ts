import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { ConnectionRepository } from '../connection.repository';
import { CheckConnection, RetryLaterError, type CheckResult } from './check-connection.use-case';

/**
 * "Refresh" in Settings, `POST /social/refresh-token` (the default account) and
 * `POST /social/accounts/:id/refresh-token`: the same check the worker runs, for the owner only.
 * A failure Meta says may pass leaves the connection unchanged and tells the user so (502/429).
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
    try {
      return await this.check.execute(row.id, 'user');
    } catch (err) {
      if (err instanceof RetryLaterError) throw new DomainError(err.verdict.callerCode, err.verdict.callerMessage);
      throw err;
    }
  }
}
