import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { hydrateEntity } from '../../../common/database/entity-rows';
import { changedRows } from '../../../common/database/returning';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEventDeliveryEntity, type DeliveryStatus } from './webhook-event-delivery.entity';

export interface NewDelivery {
  id: string;
  endpointId: number;
  eventId: string;
  eventType: string;
  body: string;
}

/** A delivery whose attempt was just counted, with what sending it needs from its endpoint. */
export interface StartedAttempt {
  attempt: number;
  delivery: WebhookEventDeliveryEntity;
  endpoint: Pick<WebhookEndpointEntity, 'id' | 'userId' | 'url' | 'secretEncrypted'>;
}

export interface AttemptRecord {
  status: DeliveryStatus;
  lastStatusCode: number | null;
  lastError: string | null;
  nextRetryAt: Date | null;
  deliveredAt: Date | null;
}

/**
 * The one writer of `webhook_endpoints` and `webhook_event_deliveries` (STYLE.md: each table has
 * one owner). Ownership is built into the reads: another user's endpoint is not found.
 */
@Injectable()
export class WebhookRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get endpoints() {
    return this.ds.getRepository(WebhookEndpointEntity);
  }

  private get deliveries() {
    return this.ds.getRepository(WebhookEventDeliveryEntity);
  }

  // --- endpoints -----------------------------------------------------------------------------
  /** Inserts the endpoint with its secret encrypted by `seal` (which needs the row id for its AAD). */
  async createEndpoint(
    userId: number,
    url: string,
    events: string[],
    seal: (id: number) => string,
  ): Promise<WebhookEndpointEntity> {
    return this.ds.transaction(async (m) => {
      const [{ id }] = await m.query<Array<{ id: number }>>(
        `SELECT nextval(pg_get_serial_sequence('webhook_endpoints', 'id'))::int AS id`,
      );
      // raw SQL: TypeORM drops a value given for a generated primary key
      await m.query(`INSERT INTO webhook_endpoints (id, user_id, url, events, secret_encrypted) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        userId,
        url,
        events,
        seal(id),
      ]);
      return m.getRepository(WebhookEndpointEntity).findOneByOrFail({ id });
    });
  }

  countEndpoints(userId: number): Promise<number> {
    return this.endpoints.countBy({ userId });
  }

  listEndpoints(userId: number): Promise<WebhookEndpointEntity[]> {
    return this.endpoints.find({ where: { userId }, order: { id: 'ASC' } });
  }

  async findOwnedEndpoint(userId: number, id: number): Promise<WebhookEndpointEntity> {
    const row = Number.isSafeInteger(id) ? await this.endpoints.findOneBy({ id, userId }) : null;
    if (!row) throw new DomainError(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, 'No such webhook endpoint.');
    return row;
  }

  findEndpoint(id: number): Promise<WebhookEndpointEntity | null> {
    return this.endpoints.findOneBy({ id });
  }

  async deleteEndpoint(userId: number, id: number): Promise<void> {
    const result = Number.isSafeInteger(id) ? await this.endpoints.delete({ id, userId }) : { affected: 0 };
    if (!result.affected) throw new DomainError(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, 'No such webhook endpoint.');
  }

  /** The user's enabled endpoints that subscribed to `eventType`. */
  subscribedEndpoints(userId: number, eventType: string): Promise<WebhookEndpointEntity[]> {
    return this.endpoints
      .createQueryBuilder('e')
      .where('e.user_id = :userId AND e.enabled AND :eventType = ANY(e.events)', { userId, eventType })
      .getMany();
  }

  /** Disables an enabled endpoint; false when it already was (so the owner is alerted once). */
  async disableEndpoint(id: number, reason: string, now: Date): Promise<boolean> {
    const rows = await changedRows<{ id: number }>(
      this.ds,
      `UPDATE webhook_endpoints SET enabled = false, disabled_at = $2, disabled_reason = $3, updated_at = now()
        WHERE id = $1 AND enabled RETURNING id`,
      [id, now, reason.slice(0, 300)],
    );
    return rows.length > 0;
  }

  async enableEndpoint(id: number): Promise<void> {
    await this.endpoints.update({ id }, { enabled: true, disabledAt: null, disabledReason: null });
  }

  /** Endpoints in id order after `afterId`, with their sealed secret (key rotation). */
  async sealedSecretsAfter(afterId: number, limit: number): Promise<Array<{ id: number; sealed: string }>> {
    const rows = await this.ds.query<Array<{ id: number; secret_encrypted: string }>>(
      `SELECT id, secret_encrypted FROM webhook_endpoints WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => ({ id: r.id, sealed: r.secret_encrypted }));
  }

  /** Replaces an endpoint's sealed secret only if it is still `from` (compare-and-swap); false otherwise. */
  async replaceSealedSecret(id: number, from: string, to: string): Promise<boolean> {
    const res = await this.ds.query<[unknown[], number]>(
      `UPDATE webhook_endpoints SET secret_encrypted = $3 WHERE id = $1 AND secret_encrypted = $2`,
      [id, from, to],
    );
    return res[1] === 1;
  }

  // --- deliveries ----------------------------------------------------------------------------
  async insertDeliveries(rows: NewDelivery[]): Promise<void> {
    if (rows.length) await this.deliveries.insert(rows.map((r) => ({ ...r, status: 'pending' as const })));
  }

  findDelivery(id: string): Promise<WebhookEventDeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  /**
   * The worker's attempt in one round trip: counts it (before it is made: a crash mid-send still
   * counts) on a pending delivery of an enabled endpoint, and hands back the delivery and the
   * endpoint's address and sealed secret. Null when the delivery is settled or gone, or its
   * endpoint disabled or gone (the caller looks at which).
   */
  async beginAttempt(id: string): Promise<StartedAttempt | null> {
    const [row] = await changedRows<Record<string, unknown>>(
      this.ds,
      `UPDATE webhook_event_deliveries d SET attempts = d.attempts + 1, updated_at = now()
         FROM webhook_endpoints e
        WHERE d.id = $1 AND d.status = 'pending' AND e.id = d.endpoint_id AND e.enabled
        RETURNING d.*, e.user_id AS endpoint_user_id, e.url AS endpoint_url, e.secret_encrypted AS endpoint_secret`,
      [id],
    );
    if (!row) return null;
    const delivery = hydrateEntity(this.ds, WebhookEventDeliveryEntity, row);
    return {
      attempt: delivery.attempts,
      delivery,
      endpoint: {
        id: delivery.endpointId,
        userId: row.endpoint_user_id as number,
        url: row.endpoint_url as string,
        secretEncrypted: row.endpoint_secret as string,
      },
    };
  }

  /** Counts an attempt before it is made (a crash mid-send still counts); returns the attempt number, null when settled. */
  async startAttempt(id: string): Promise<number | null> {
    const [row] = await changedRows<{ attempts: number }>(
      this.ds,
      `UPDATE webhook_event_deliveries SET attempts = attempts + 1, updated_at = now()
        WHERE id = $1 AND status = 'pending' RETURNING attempts`,
      [id],
    );
    return row?.attempts ?? null;
  }

  async recordAttempt(id: string, r: AttemptRecord): Promise<void> {
    await this.deliveries.update(
      { id },
      {
        status: r.status,
        lastStatusCode: r.lastStatusCode,
        lastError: r.lastError?.slice(0, 300) ?? null,
        nextRetryAt: r.nextRetryAt,
        deliveredAt: r.deliveredAt,
      },
    );
  }

  listDeliveries(endpointId: number, limit = 50): Promise<WebhookEventDeliveryEntity[]> {
    return this.deliveries.find({ where: { endpointId }, order: { createdAt: 'DESC', id: 'ASC' }, take: limit });
  }

  /** Pending deliveries due for more than `graceMs` (their job was lost with Redis): enqueue again. */
  async overduePending(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.ds.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_event_deliveries
        WHERE status = 'pending' AND coalesce(next_retry_at, created_at) < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY next_retry_at NULLS FIRST LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Settled deliveries (delivered or failed) older than `cutoff` leave the log. */
  async purgeSettledBefore(cutoff: Date): Promise<number> {
    const [, n] = await this.ds.query<[unknown[], number]>(
      `DELETE FROM webhook_event_deliveries WHERE status <> 'pending' AND created_at < $1`,
      [cutoff],
    );
    return n;
  }
}
