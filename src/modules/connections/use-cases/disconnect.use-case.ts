import { Injectable, Logger } from '@nestjs/common';
import { GraphApiClient } from '../../graph/graph-api.client';
import { ConnectionEvents } from '../connection-observer';
import { ConnectionRepository, type Connection } from '../connection.repository';
import { TokenVault, tokenAad } from '../token-vault';

export interface DisconnectResult {
  success: true;
  message: string;
  disconnected: boolean;
  revoked_at_facebook: boolean;
  account_id: number | null;
}

/**
 * `DELETE /social/disconnect` (the default account) and `DELETE /social/accounts/:id`: revoke
 * the app at Facebook unless another live connection, of any user, holds the same Facebook grant
 * (DELETE /me/permissions acts for that Facebook user everywhere); delete the secrets; mark the
 * row; its alerts and reconnect links are settled by the observers. A Meta failure still
 * disconnects locally (and is recorded); repeating is harmless.
 */
@Injectable()
export class Disconnect {
  private readonly logger = new Logger(Disconnect.name);

  constructor(
    private readonly connections: ConnectionRepository,
    private readonly graph: GraphApiClient,
    private readonly vault: TokenVault,
    private readonly events: ConnectionEvents,
  ) {}

  async execute(userId: number, accountId: number | 'default'): Promise<DisconnectResult> {
    const row = await this.connections.target(userId, accountId);
    if (!row) {
      return {
        success: true,
        message: 'No Instagram account is connected.',
        disconnected: false,
        revoked_at_facebook: false,
        account_id: null,
      };
    }
    if (!row.isConnected && !row.longLivedToken && !row.accessToken) {
      return {
        success: true,
        message: 'This account was already disconnected.',
        disconnected: false,
        revoked_at_facebook: false,
        account_id: row.id,
      };
    }
    if (row.loginType === 'instagram') return this.disconnectInstagram(row);
    const shared = row.fbUserId ? await this.connections.countSharingGrant(row.fbUserId, row.id) : 0;
    const { revoked, note } =
      shared > 0
        ? { revoked: false, note: 'kept at Facebook: another connection still uses the same Facebook login' }
        : await this.revokeAtFacebook(row);
    // the user asked: this holds even if a check bumped the version meanwhile
    const current = (await this.connections.findById(row.id)) ?? row;
    await this.connections.apply(current, { to: 'disconnected', actor: 'user', note, revokedAtFacebook: revoked });
    await this.events.disconnected(current);
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

  /**
   * Instagram Login has no documented revoke endpoint (instagram-login.md §9): the token is
   * deleted here and never used or refreshed again (it dies within 60 days at the latest); only
   * the user can end it at once, by removing the app in Instagram. The answer says so.
   */
  private async disconnectInstagram(row: Connection): Promise<DisconnectResult> {
    const current = (await this.connections.findById(row.id)) ?? row;
    await this.connections.apply(current, {
      to: 'disconnected',
      actor: 'user',
      note: 'token deleted; Instagram offers no revoke for Instagram-Login tokens',
      revokedAtFacebook: false,
    });
    await this.events.disconnected(current);
    return {
      success: true,
      message:
        'Successfully disconnected: AutoReels deleted its Instagram token and will not use or refresh it again. ' +
        'Instagram gives apps no way to revoke an Instagram-Login token (it lapses within 60 days); to end access at once, ' +
        'remove AutoReels in Instagram → Settings → Apps and websites.',
      disconnected: true,
      revoked_at_facebook: false,
      account_id: row.id,
    };
  }

  private async revokeAtFacebook(row: Connection): Promise<{ revoked: boolean; note: string }> {
    if (!row.longLivedToken) return { revoked: false, note: 'not needed' };
    try {
      const userToken = this.vault.decrypt(row.longLivedToken, tokenAad('instagram_tokens', row.id, 'long_lived_token'));
      await this.graph.revokeAll(userToken);
      return { revoked: true, note: 'revoked at Facebook' };
    } catch (err) {
      this.logger.warn({ accountId: row.id, err: err instanceof Error ? err.message : String(err) }, 'revoke failed');
      await this.connections.recordEvent({
        accountId: row.id,
        userId: row.userId,
        type: 'revoke',
        outcome: 'failure',
        actor: 'user',
        error: err,
      });
      return { revoked: false, note: 'Facebook revoke failed; disconnected locally' };
    }
  }
}
