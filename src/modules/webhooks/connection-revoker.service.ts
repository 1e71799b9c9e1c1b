import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import { TokenEventsService } from '../tokens/token-events.service';

interface AffectedRow {
  id: number;
  user_id: number;
}

/**
 * What Meta's "this user removed the app / a permission" notices do to our connections. Each
 * change is one conditional UPDATE (version bumped, so an in-flight refresh cannot write tokens
 * back) plus its token_events in the same transaction; alerts follow, idempotently.
 */
@Injectable()
export class ConnectionRevoker {
  private readonly logger = new Logger(ConnectionRevoker.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: TokenEventsService,
    private readonly alerts: AlertsService,
  ) {}

  /**
   * The user removed the app at Facebook: every connection of that Facebook user whose tokens were
   * obtained before `obtainedBefore` becomes `revoked` and its secrets are deleted. `is_connected`
   * stays so the card still says "Revoked". Repeating it changes nothing.
   *
   * "Obtained" is `last_refreshed_at`: the app's clock writes it each time we get tokens (connect,
   * reconnect, refresh). `connected_at` survives a reconnect of a row still marked connected (a
   * revoked one is), and `token_issued_at` is Meta's optional debug_token field, so neither tells
   * a reconnect apart. No refresh can succeed once Meta revoked the grant, so a later
   * `last_refreshed_at` means the user granted the app again. Null counts as before.
   *
   * Runs in the caller's transaction; alerts follow its commit (raiseRevokedAlerts).
   */
  async revokeAll(fbUserId: string, obtainedBefore: Date, m: EntityManager): Promise<number> {
    const reason = 'The app was removed from your Facebook account, so Facebook revoked access. Reconnect to keep publishing.';
    const affected = await m.query<[AffectedRow[], number]>(
      `UPDATE instagram_tokens
          SET status = 'revoked', is_valid = false, status_reason = $2, last_error_code = 'META_DEAUTHORIZED',
              long_lived_token = NULL, access_token = NULL, token_key_id = NULL,
              next_check_at = NULL, lease_until = NULL, version = version + 1, updated_at = now()
        WHERE fb_user_id = $1 AND status NOT IN ('revoked', 'disconnected')
          AND COALESCE(last_refreshed_at, '-infinity') < $3
        RETURNING id, user_id`,
      [fbUserId, reason, obtainedBefore],
    );
    const rows = affected[0];
    for (const r of rows) {
      await this.events.record(
        {
          accountId: r.id,
          userId: r.user_id,
          type: 'deauthorize',
          outcome: 'success',
          actor: 'meta',
          message: 'Meta reported the app removed; tokens deleted.',
        },
        m,
      );
    }
    if (rows.length) this.logger.log({ accounts: rows.map((r) => r.id) }, 'connections revoked by Meta');
    return rows.length;
  }

  /** Alerts of that Facebook user's revoked connections (deduped by key: raising again adds nothing). */
  raiseRevokedAlerts(fbUserId: string): Promise<void> {
    return this.raiseAlerts(fbUserId, `status = 'revoked'`);
  }

  /**
   * The user removed one permission we need: the affected connections (all of that user's, or
   * only those whose Page / IG account is in `targetIds`) need a reconnect.
   */
  async permissionRevoked(fbUserId: string, permission: string, targetIds: string[]): Promise<number> {
    const reason = `The "${permission}" permission was removed at Facebook. Reconnect and keep it ticked.`;
    const rows = await this.dataSource.transaction(async (m) => {
      const affected = await m.query<[AffectedRow[], number]>(
        `UPDATE instagram_tokens
            SET status = 'needs_reconnect', is_valid = false, status_reason = $2, last_error_code = 'PERMISSION_REVOKED',
                next_check_at = NULL, lease_until = NULL, version = version + 1, updated_at = now()
          WHERE fb_user_id = $1 AND is_connected AND status IN ('active', 'expiring', 'needs_reconnect')
            AND (cardinality($3::text[]) = 0 OR ig_user_id = ANY($3::text[]) OR fb_page_id = ANY($3::text[]))
          RETURNING id, user_id`,
        [fbUserId, reason, targetIds],
      );
      const list = affected[0];
      for (const r of list) {
        await this.events.record(
          {
            accountId: r.id,
            userId: r.user_id,
            type: 'permission_revoked',
            outcome: 'success',
            actor: 'meta',
            errorCode: 'PERMISSION_REVOKED',
            message: reason,
            details: { permission },
          },
          m,
        );
      }
      return list;
    });
    for (const r of rows) await this.alerts.evaluate(r.id);
    return rows.length;
  }

  /** Alerts dedupe by key, so evaluating again after a crash or a retry raises nothing twice. */
  private async raiseAlerts(fbUserId: string, where: string): Promise<void> {
    const ids = await this.dataSource.query<Array<{ id: number }>>(
      `SELECT id FROM instagram_tokens WHERE fb_user_id = $1 AND ${where}`,
      [fbUserId],
    );
    for (const { id } of ids) await this.alerts.evaluate(id);
  }
}
