import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, type EntityManager } from 'typeorm';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { hydrateEntity, setClause } from '../../../common/database/entity-rows';
import { changedRows } from '../../../common/database/returning';
import { ACTIVE_STATUSES } from '../domain/reel-policy';
import {
  ReelRepository,
  type DueReel,
  type Reel,
  type ReelDraft,
  type ReelEvent,
  type ReelEventDraft,
  type ReelListQuery,
  type ReelPatch,
  type ReelUpload,
} from '../reel.repository';
import { ReelEventEntity } from './reel-event.entity';
import { ReelUploadEntity } from './reel-upload.entity';
import { ReelEntity } from './reel.entity';

/** Every statement on reels, reel_events and reel_uploads. */
@Injectable()
export class TypeormReelRepository extends ReelRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insert(draft: ReelDraft, event: ReelEventDraft): Promise<{ reel: Reel; created: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const res = await m.createQueryBuilder().insert().into(ReelEntity).values(draft).orIgnore().returning('id').execute();
      const id = (res.raw as Array<{ id: number }>)[0]?.id;
      if (id === undefined) {
        // the (user, Idempotency-Key) pair exists: the caller compares the request
        const existing = await m.findOneByOrFail(ReelEntity, {
          userId: draft.userId,
          idempotencyKey: draft.idempotencyKey ?? '',
        });
        return { reel: existing, created: false };
      }
      if (draft.uploadId) {
        const claimed = await m.update(
          ReelUploadEntity,
          { id: draft.uploadId, userId: draft.userId, reelId: IsNull(), deletedAt: IsNull() },
          { reelId: id },
        );
        if (claimed.affected !== 1) throw new DomainError(ErrorCode.UPLOAD_NOT_FOUND, 'No unused upload with that id.');
      }
      const reel = await m.findOneByOrFail(ReelEntity, { id });
      await this.insertEvents(m, reel, [event]);
      return { reel, created: true };
    });
  }

  findByIdempotencyKey(userId: number, key: string): Promise<Reel | null> {
    return this.dataSource.manager.findOneBy(ReelEntity, { userId, idempotencyKey: key });
  }

  findOwned(userId: number, id: number): Promise<Reel | null> {
    return this.dataSource.manager.findOneBy(ReelEntity, { userId, id });
  }

  findById(id: number): Promise<Reel | null> {
    return this.dataSource.manager.findOneBy(ReelEntity, { id });
  }

  list(userId: number, q: ReelListQuery): Promise<Reel[]> {
    return this.dataSource.manager.find(ReelEntity, {
      where: {
        userId,
        ...(q.accountId !== undefined ? { accountId: q.accountId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.beforeId !== undefined ? { id: LessThan(q.beforeId) } : {}),
      },
      order: { id: 'DESC' },
      take: q.limit,
    });
  }

  async cancel(userId: number, id: number, now: Date): Promise<Reel | null> {
    return this.dataSource.transaction(async (m) => {
      const rows = await changedRows<{ id: number }>(
        m,
        `UPDATE reels SET status = 'cancelled', next_attempt_at = NULL, version = version + 1, updated_at = $3
          WHERE id = $1 AND user_id = $2 AND status IN ('scheduled', 'queued') AND container_id IS NULL
            AND (lease_until IS NULL OR lease_until < $3)
        RETURNING id`,
        [id, userId, now],
      );
      const reel = await m.findOneBy(ReelEntity, { id, userId });
      if (rows.length === 1 && reel) await this.insertEvents(m, reel, [{ type: 'cancelled', message: 'Cancelled by the user.' }]);
      return reel;
    });
  }

  async acquire(id: number, now: Date, leaseMs: number): Promise<Reel | null> {
    // one round trip: the lease UPDATE hands back the leased row
    const [row] = await changedRows<Record<string, unknown>>(
      this.dataSource,
      `UPDATE reels SET lease_until = $2, attempts = attempts + 1, version = version + 1
        WHERE id = $1 AND (lease_until IS NULL OR lease_until < $3)
      RETURNING *`,
      [id, new Date(now.getTime() + leaseMs), now],
    );
    return row ? hydrateEntity(this.dataSource, ReelEntity, row) : null;
  }

  /**
   * The step and its history in ONE statement (atomic like a transaction, one round trip instead
   * of BEGIN/UPDATE/SELECT/INSERT/COMMIT): the events are written only when the row was still at
   * `row.version`, each with the status the update left, in order; RETURNING gives the stored row.
   */
  async update(row: Reel, patch: ReelPatch, events: ReelEventDraft[]): Promise<Reel | null> {
    const set = setClause(this.dataSource, ReelEntity, patch, 4);
    const [stored] = await this.dataSource.query<Array<Record<string, unknown>>>(
      `WITH u AS (
         UPDATE reels SET ${set.sql ? `${set.sql}, ` : ''}version = version + 1, updated_at = CURRENT_TIMESTAMP
          WHERE id = $1 AND version = $2
          RETURNING *),
       e AS (
         INSERT INTO reel_events (reel_id, type, status, message, error_code, graph_error_code, graph_error_subcode, details)
         SELECT u.id, x.type, u.status, x.message, x.error_code, x.graph_error_code, x.graph_error_subcode, x.details
           FROM u, ROWS FROM (jsonb_to_recordset($3::jsonb) AS (type varchar, message text, error_code varchar,
                  graph_error_code int, graph_error_subcode int, details jsonb)) WITH ORDINALITY
                  AS x(type, message, error_code, graph_error_code, graph_error_subcode, details, n)
          ORDER BY x.n)
       SELECT * FROM u`,
      [row.id, row.version, JSON.stringify(events.map(eventRecord)), ...set.params],
    );
    return stored ? hydrateEntity(this.dataSource, ReelEntity, stored) : null;
  }

  async release(row: Reel): Promise<Reel | null> {
    const [released] = await changedRows<Record<string, unknown>>(
      this.dataSource,
      `UPDATE reels SET lease_until = NULL, updated_at = CURRENT_TIMESTAMP WHERE id = $1 AND version = $2 RETURNING *`,
      [row.id, row.version],
    );
    return released ? hydrateEntity(this.dataSource, ReelEntity, released) : null;
  }

  events(reelId: number): Promise<ReelEvent[]> {
    return this.dataSource.manager.find(ReelEventEntity, { where: { reelId }, order: { id: 'ASC' } });
  }

  async due(now: Date, limit: number): Promise<DueReel[]> {
    const rows = await this.dataSource.query<Array<{ id: number; due: string }>>(
      `SELECT id, (extract(epoch from next_attempt_at) * 1000)::bigint AS due FROM reels
        WHERE status = ANY($1) AND next_attempt_at <= $2
        ORDER BY next_attempt_at, id LIMIT $3`,
      [ACTIVE_STATUSES, now, limit],
    );
    return rows.map((r) => ({ id: r.id, dueAtMs: Number(r.due) }));
  }

  async publishedSince(accountId: number, since: Date): Promise<Date[]> {
    const rows = await this.dataSource.query<Array<{ published_at: Date }>>(
      `SELECT published_at FROM reels WHERE account_id = $1 AND status = 'published' AND published_at > $2`,
      [accountId, since],
    );
    return rows.map((r) => new Date(r.published_at));
  }

  async claimedMediaIds(accountId: number): Promise<Set<string>> {
    const rows = await this.dataSource.query<Array<{ media_id: string }>>(
      `SELECT media_id FROM reels WHERE account_id = $1 AND media_id IS NOT NULL`,
      [accountId],
    );
    return new Set(rows.map((r) => r.media_id));
  }

  async insertUpload(u: Omit<ReelUpload, 'createdAt' | 'deletedAt' | 'reelId' | 'user'>): Promise<ReelUpload> {
    await this.dataSource.manager.insert(ReelUploadEntity, u);
    return this.dataSource.manager.findOneByOrFail(ReelUploadEntity, { id: u.id });
  }

  async findUsableUpload(userId: number, id: string, now: Date): Promise<ReelUpload | null> {
    const u = await this.dataSource.manager.findOneBy(ReelUploadEntity, { id, userId });
    return u && !u.deletedAt && u.reelId === null && u.expiresAt > now ? u : null;
  }

  findUpload(id: string): Promise<ReelUpload | null> {
    return this.dataSource.manager.findOneBy(ReelUploadEntity, { id });
  }

  async markUploadDeleted(id: string, now: Date): Promise<void> {
    await this.dataSource.manager.update(ReelUploadEntity, { id }, { deletedAt: now });
  }

  async uploadsToDelete(now: Date, limit: number): Promise<ReelUpload[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT u.id FROM reel_uploads u LEFT JOIN reels r ON r.id = u.reel_id
        WHERE u.deleted_at IS NULL
          AND ((u.reel_id IS NULL AND u.expires_at < $1) OR r.id IS NULL AND u.reel_id IS NOT NULL
               OR r.status IN ('published', 'failed', 'cancelled'))
        ORDER BY u.expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.length ? this.dataSource.manager.findBy(ReelUploadEntity, { id: In(rows.map((r) => r.id)) }) : [];
  }

  private async insertEvents(m: EntityManager, reel: Reel, events: ReelEventDraft[]): Promise<void> {
    for (const e of events) {
      await m.insert(ReelEventEntity, { reelId: reel.id, status: reel.status, ...eventFields(e) });
    }
  }
}

/** An event draft as reel_events' columns (the status comes from the reel). */
function eventFields(e: ReelEventDraft) {
  return {
    type: e.type,
    message: e.message ?? null,
    errorCode: e.errorCode ?? null,
    graphErrorCode: e.graph?.code ?? null,
    graphErrorSubcode: e.graph?.subcode ?? null,
    details: (e.details ?? null) as never,
  };
}

/** The same, keyed by column name, for jsonb_to_recordset. */
function eventRecord(e: ReelEventDraft): Record<string, unknown> {
  const f = eventFields(e);
  return {
    type: f.type,
    message: f.message,
    error_code: f.errorCode,
    graph_error_code: f.graphErrorCode,
    graph_error_subcode: f.graphErrorSubcode,
    details: f.details,
  };
}
