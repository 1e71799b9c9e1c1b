import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConnectionEvents } from '../connection-observer';
import { ConnectionRepository, type Connection, type MetaUser } from '../connection.repository';

const APP_REMOVED: Record<MetaUser['loginType'], string> = {
  facebook: 'The app was removed from your Facebook account, so Facebook revoked access. Reconnect to keep publishing.',
  instagram:
    'AutoReels was removed in Instagram (Settings → Apps and websites), so Instagram ended its access. Reconnect to keep publishing.',
};

/**
 * Meta's deauthorize callback (the user removed the app at Facebook, or in Instagram for an
 * Instagram-Login app): every connection of that person, made through that login, whose tokens
 * were obtained before the request becomes `revoked`, its secrets deleted; `is_connected` stays
 * so the card still says "Revoked". Runs in the caller's transaction (the replay guard's);
 * `announce` tells the observers after it commits.
 */
@Injectable()
export class RevokeByMeta {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly events: ConnectionEvents,
  ) {}

  execute(user: MetaUser, obtainedBefore: Date, m: EntityManager): Promise<Connection[]> {
    return this.connections.revokeMetaUser(
      user,
      obtainedBefore,
      {
        to: 'revoked',
        actor: 'meta',
        during: 'deauthorize',
        reason: APP_REMOVED[user.loginType],
        errorCode: 'META_DEAUTHORIZED',
        eventMessage: 'Meta reported the app removed; tokens deleted.',
      },
      m,
    );
  }

  async announce(rows: Connection[]): Promise<void> {
    for (const row of rows) await this.events.changed(row);
  }
}

/**
 * Meta's `permissions` webhook: the user removed one permission we need, so the affected
 * connections (all of that user's, or only those whose Page / Instagram account is targeted)
 * need a reconnect, with a sentence naming the permission.
 */
@Injectable()
export class PermissionRevokedByMeta {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly events: ConnectionEvents,
  ) {}

  async execute(fbUserId: string, permission: string, targetIds: string[]): Promise<number> {
    const reason = `The "${permission}" permission was removed at Facebook. Reconnect and keep it ticked.`;
    const rows = await this.connections.permissionRevoked(fbUserId, targetIds, {
      to: 'needs_reconnect',
      actor: 'meta',
      during: 'permission_revoked',
      reason,
      errorCode: 'PERMISSION_REVOKED',
      details: { permission },
    });
    for (const row of rows) await this.events.changed(row);
    return rows.length;
  }
}
