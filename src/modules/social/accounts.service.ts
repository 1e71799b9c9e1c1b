import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { AlertsService } from '../alerts/alerts.service';
import { GraphApiClient } from '../graph/graph-api.client';
import { ConnectionsRepository } from '../tokens/connections.repository';
import { InstagramTokenEntity } from '../tokens/persistence/instagram-token.entity';
import { TokenEventsService } from '../tokens/token-events.service';
import { TokenVault, tokenAad } from '../tokens/token-vault';
import { toAccountDto, toEventDto, toStatusDto } from './account-view';
import type { AccountDto, DisconnectResultDto, StatusDto, TokenEventListDto } from './dto/account.dto';

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly events: TokenEventsService,
    private readonly graph: GraphApiClient,
    private readonly vault: TokenVault,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly alerts: AlertsService,
  ) {}

  async status(userId: number): Promise<StatusDto> {
    const { row, count } = await this.connections.findDefaultWithCount(userId);
    return toStatusDto(row, count, this.clock.now());
  }

  async list(userId: number): Promise<AccountDto[]> {
    const now = this.clock.now();
    return (await this.connections.listVisible(userId)).map((r) => toAccountDto(r, now));
  }

  async get(userId: number, id: number): Promise<AccountDto> {
    return toAccountDto(await this.connections.findOwned(userId, id), this.clock.now());
  }

  async makeDefault(userId: number, id: number): Promise<AccountDto> {
    const row = await this.connections.findOwned(userId, id);
    if (row.isConnected) await this.connections.setDefault(userId, id);
    return this.get(userId, id);
  }

  async history(userId: number, id: number): Promise<TokenEventListDto> {
    await this.connections.findOwned(userId, id);
    return { events: (await this.events.listForAccount(id)).map(toEventDto) };
  }

  /** The seed's DELETE /social/disconnect: acts on the default account; harmless when none. */
  async disconnectDefault(userId: number): Promise<DisconnectResultDto> {
    const row = await this.connections.repo.findOne({
      where: { userId, isConnected: true },
      order: { isDefault: 'DESC', connectedAt: 'ASC', id: 'ASC' },
    });
    if (!row) {
      return {
        success: true,
        message: 'No Instagram account is connected.',
        disconnected: false,
        revoked_at_facebook: false,
        account_id: null,
      };
    }
    return this.disconnectRow(row);
  }

  async disconnect(userId: number, id: number): Promise<DisconnectResultDto> {
    return this.disconnectRow(await this.connections.findOwned(userId, id));
  }

  /**
   * Revoke the app at Meta unless another live connection (of any user) relies on the same
   * Facebook grant, then delete the secrets, mark the row and settle its alerts and links. A Meta failure still disconnects
   * locally (and is recorded); repeating is harmless.
   */
  private async disconnectRow(row: InstagramTokenEntity): Promise<DisconnectResultDto> {
    if (!row.isConnected && !row.longLivedToken && !row.accessToken) {
      if (row.status !== 'disconnected') {
        await this.connections.repo.update({ id: row.id }, { status: 'disconnected', isDefault: false, nextCheckAt: null });
      }
      return {
        success: true,
        message: 'This account was already disconnected.',
        disconnected: false,
        revoked_at_facebook: false,
        account_id: row.id,
      };
    }
    let revoked = false;
    let revokeNote = 'not needed';
    const shared = row.fbUserId ? await this.connections.countSharingGrant(row.fbUserId, row.id) : 0;
    if (shared > 0) {
      revokeNote = 'kept at Facebook: another connection still uses the same Facebook login';
    } else if (row.longLivedToken) {
      try {
        const userToken = this.vault.decrypt(row.longLivedToken, tokenAad('instagram_tokens', row.id, 'long_lived_token'));
        await this.graph.revokeAll(userToken);
        revoked = true;
        revokeNote = 'revoked at Facebook';
      } catch (err) {
        revokeNote = 'Facebook revoke failed; disconnected locally';
        this.logger.warn({ accountId: row.id, err: err instanceof Error ? err.message : String(err) }, 'revoke failed');
        await this.events.record({
          accountId: row.id,
          userId: row.userId,
          type: 'revoke',
          outcome: 'failure',
          actor: 'user',
          error: err,
        });
      }
    }
    await this.dataSource.transaction(async (m) => {
      await m.update(
        InstagramTokenEntity,
        { id: row.id },
        {
          longLivedToken: null,
          accessToken: null,
          tokenKeyId: null,
          isConnected: false,
          isValid: false,
          isDefault: false,
          status: 'disconnected',
          statusReason: null,
          nextCheckAt: null,
          leaseUntil: null,
          disconnectedAt: this.clock.now(),
          version: () => 'version + 1',
        },
      );
      await this.connections.ensureDefault(row.userId, m);
      await this.events.record(
        {
          accountId: row.id,
          userId: row.userId,
          type: 'disconnect',
          outcome: 'success',
          actor: 'user',
          message: `Disconnected; ${revokeNote}.`,
          details: { revoked_at_facebook: revoked },
        },
        m,
      );
    });
    await this.alerts.resolveForAccount(row.id);
    return {
      success: true,
      message:
        shared > 0
          ? 'Successfully disconnected. Facebook access was kept because another connection still uses the same Facebook login; remove AutoReels in your Facebook settings to revoke it everywhere.'
          : 'Successfully disconnected',
      disconnected: true,
      revoked_at_facebook: revoked,
      account_id: row.id,
    };
  }
}
