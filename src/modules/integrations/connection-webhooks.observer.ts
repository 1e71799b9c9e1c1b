import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConnectionEvents, ConnectionObserver, type PersonSubject } from '../connections/connection-observer';
import type { Connection } from '../connections/connection.repository';
import type { ConnectionState } from '../connections/domain/connection-policy';
import { connectionEventsFor, type ConnectionEventData, type ConnectionHook } from './domain/webhook-events';
import { PublishWebhookEvent } from './use-cases/publish-webhook-event.use-case';

/** What a delivery says about a connection: ids, names, status, dates, the reason — never a token column. */
export function connectionEventData(row: Connection, before: string | null): ConnectionEventData {
  return {
    account_id: row.id,
    instagram_user_id: row.igUserId,
    instagram_username: row.instagramUsername,
    facebook_page_id: row.fbPageId,
    facebook_page_name: row.fbPageName,
    status: row.status,
    previous_status: before,
    token_expires_at: row.expiresAt?.toISOString() ?? null,
    reason: row.statusReason,
    error_code: row.lastErrorCode,
  };
}

/**
 * Hears connection changes on the hub (like alerts and metrics do; connections/ imports nothing
 * of this module) and publishes the events connectionEventsFor() derives from the status before
 * and after. Runs wherever the change happens (api: connect, refresh, disconnect, Meta's
 * callbacks; worker: scheduled checks).
 */
@Injectable()
export class ConnectionWebhooksObserver extends ConnectionObserver implements OnModuleInit {
  constructor(
    private readonly hub: ConnectionEvents,
    private readonly publish: PublishWebhookEvent,
  ) {
    super();
  }

  onModuleInit(): void {
    this.hub.subscribe(this);
  }

  override connected(row: Connection, before: ConnectionState | null = null): Promise<void> {
    return this.emit('connected', row, before, row.status);
  }

  override changed(row: Connection, before: ConnectionState | null = null): Promise<void> {
    return this.emit('changed', row, before, row.status);
  }

  override disconnected(row: Connection): Promise<void> {
    // `row` is the account as it was just before the disconnect
    return this.emit('disconnected', { ...row, status: 'disconnected' }, row.status, 'disconnected');
  }

  /** Data deletion: outbound deliveries whose body names the person go too (they hold usernames and ids). */
  override async forgetPerson(subject: PersonSubject, m: EntityManager): Promise<void> {
    await m.query(
      `DELETE FROM webhook_event_deliveries
        WHERE created_at < $1 AND (body ~* ANY($2::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) i WHERE strpos(body, i) > 0))`,
      [subject.before, subject.patterns, subject.ids],
    );
  }

  private async emit(hook: ConnectionHook, row: Connection, before: string | null, after: string): Promise<void> {
    for (const type of connectionEventsFor(hook, before, after)) {
      await this.publish.execute(row.userId, type, connectionEventData(row, before));
    }
  }
}
