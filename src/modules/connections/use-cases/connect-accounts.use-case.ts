import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { AppConfig } from '../../../config/app-config';
import { ConnectionEvents } from '../connection-observer';
import { ConnectionRepository, type Connection, type VerifiedLoginPair } from '../connection.repository';
import { verifiedTimes } from '../domain/connection-policy';

/**
 * Stores what a login verified for the chosen Instagram accounts (the connect flow's last step,
 * after the callback or the picker): expiry, status and next check by the same formula as a
 * check (verifiedTimes), each account inserted or renewed in place with its event, then the
 * observers hear of it (alerts settle, Page subscription). Returns the stored rows.
 */
@Injectable()
export class ConnectAccounts {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly connections: ConnectionRepository,
    private readonly events: ConnectionEvents,
  ) {}

  async execute(userId: number, pairs: VerifiedLoginPair[]): Promise<Connection[]> {
    // what each account was before (a renewal of a broken one is a recovery to observers)
    const before = new Map((await this.connections.listVisible(userId)).map((r) => [r.igUserId, r.status] as const));
    const rows: Connection[] = [];
    for (const pair of pairs) {
      const times = verifiedTimes(pair, this.clock.now(), this.config.tokens, pair.loginType ?? 'facebook');
      rows.push(await this.connections.storeVerifiedLogin(userId, pair, times));
    }
    for (const row of rows) await this.events.connected(row, before.get(row.igUserId) ?? null);
    return rows;
  }
}
