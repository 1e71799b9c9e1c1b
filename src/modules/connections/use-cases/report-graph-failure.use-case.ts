import { Injectable } from '@nestjs/common';
import { ConnectionEvents } from '../connection-observer';
import { ConnectionRepository } from '../connection.repository';
import type { EventActor } from '../domain/connection-transitions';
import { graphFailureVerdict, type GraphFailureFacts } from '../domain/graph-failure-policy';

/**
 * Another module's Graph call (publishing a reel) was refused in a way only the user can fix:
 * code 190 or a permission error. The connection becomes needs_reconnect (revoked for 190/458)
 * through the same failure table and transition as a check (DESIGN.md §5, §8), and the
 * observers (alerts, metrics) hear about it. Other kinds change nothing here: an app-level
 * problem (code 10, 200-299) is ours, and ops were alerted by the Graph call observer. Returns
 * whether the connection changed.
 */
@Injectable()
export class ReportGraphFailure {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly events: ConnectionEvents,
  ) {}

  async execute(accountId: number, failure: GraphFailureFacts, during: string, actor: EventActor = 'worker'): Promise<boolean> {
    const row = await this.connections.findById(accountId);
    // the table's sentence names the platform the account was connected with
    const verdict = graphFailureVerdict(failure, row?.loginType);
    if (verdict.action !== 'needs_reconnect' && verdict.action !== 'revoked') return false;
    if (!row || !row.isConnected || row.status === 'needs_reconnect' || row.status === 'revoked') return false;
    const graph = failure.code ? { code: failure.code, subcode: failure.subcode } : undefined;
    const applied = await this.connections.apply(row, {
      to: verdict.action,
      actor,
      during,
      reason: verdict.reason,
      errorCode: verdict.errorCode,
      graph,
    });
    if (!applied) return false;
    const now = await this.connections.findById(accountId);
    if (now) await this.events.changed(now);
    return true;
  }
}
