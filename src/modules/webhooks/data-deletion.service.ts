import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { ConnectionsRepository } from '../tokens/connections.repository';
import { InstagramTokenEntity } from '../tokens/persistence/instagram-token.entity';
import { TokenEventsService } from '../tokens/token-events.service';
import type { DeletionStatus } from './persistence/data-deletion-request.entity';
import { DATA_DELETION_QUEUE, dataDeletionJobOptions, type DataDeletionJob } from './webhooks.constants';
import { MetaSignatureService } from './meta-signature.service';

export interface DeletionReceipt {
  url: string;
  confirmation_code: string;
}

export interface DeletionStatusView {
  confirmation_code: string;
  status: DeletionStatus;
}

const CODE_FORMAT = /^[A-Za-z0-9_-]{16,32}$/;

interface RequestRow {
  id: number;
  confirmation_code: string;
  status: DeletionStatus;
  fb_user_id: string | null;
}

/**
 * Meta's Data Deletion Request callback: record the request, answer at once with a status URL
 * and confirmation code, and delete everything we hold about that Facebook user in a job.
 */
@Injectable()
export class DataDeletionService {
  private readonly logger = new Logger(DataDeletionService.name);
  private readonly hashKey: Buffer;

  constructor(
    private readonly config: AppConfig,
    private readonly signatures: MetaSignatureService,
    private readonly dataSource: DataSource,
    private readonly connections: ConnectionsRepository,
    private readonly events: TokenEventsService,
    @InjectQueue(DATA_DELETION_QUEUE) private readonly queue: Queue<DataDeletionJob>,
  ) {
    this.hashKey = Buffer.from(hkdfSync('sha256', config.secretKey, 'autoreels', 'data-deletion-subject', 32));
  }

  /**
   * Idempotent per Facebook user: while a request is pending, or when it completed and nothing
   * was stored since, the same code is answered again.
   */
  async request(signedRequest: unknown): Promise<DeletionReceipt> {
    const { user_id: fbUserId } = this.signatures.signedRequest(signedRequest);
    const hash = createHmac('sha256', this.hashKey).update(fbUserId).digest('hex');
    // One decision at a time per Facebook user (Meta retries and repeats arrive concurrently):
    // the pending request answers again; a completed one does too while we hold nothing new.
    const row = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [hash]);
      const latest = (
        await m.query<RequestRow[]>(
          `SELECT id, confirmation_code, status FROM data_deletion_requests WHERE fb_user_hash = $1 ORDER BY id DESC LIMIT 1`,
          [hash],
        )
      )[0];
      if (latest?.status === 'pending') return latest;
      if (latest?.status === 'completed' && !(await this.holdsDataOf(fbUserId, m))) return latest;
      return (
        await m.query<RequestRow[]>(
          `INSERT INTO data_deletion_requests (confirmation_code, fb_user_hash, fb_user_id)
           VALUES ($1, $2, $3) RETURNING id, confirmation_code, status`,
          [randomBytes(16).toString('base64url'), hash, fbUserId],
        )
      )[0];
    });
    if (row.status === 'pending') {
      // (Re-)enqueue every time: the job id collapses duplicates; the scheduler re-enqueues a lost one.
      await this.queue.add('delete', { requestId: row.id }, dataDeletionJobOptions(row.id, this.config.queue));
    }
    return this.receipt(row.confirmation_code);
  }

  async status(code: string): Promise<DeletionStatusView> {
    const row = CODE_FORMAT.test(code)
      ? (
          await this.dataSource.query<RequestRow[]>(
            `SELECT confirmation_code, status FROM data_deletion_requests WHERE confirmation_code = $1`,
            [code],
          )
        )[0]
      : undefined;
    if (!row) throw new DomainError(ErrorCode.DELETION_REQUEST_NOT_FOUND, 'No data-deletion request has this confirmation code.');
    return { confirmation_code: row.confirmation_code, status: row.status };
  }

  /**
   * The job: delete every connection of that Facebook user (tokens and profile fields go with the
   * row), their audit events, alerts, login attempts that name them and stored webhook deliveries
   * about them; then forget the Facebook id. One transaction: all or nothing, safe to repeat.
   */
  async process(requestId: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const req = (
        await m.query<RequestRow[]>(`SELECT id, status, fb_user_id FROM data_deletion_requests WHERE id = $1 FOR UPDATE`, [
          requestId,
        ])
      )[0];
      if (!req || req.status === 'completed' || !req.fb_user_id) return;
      const fbUserId = req.fb_user_id;
      const accounts = await m.query<Array<{ id: number; user_id: number; ig_user_id: string; fb_page_id: string | null }>>(
        `SELECT id, user_id, ig_user_id, fb_page_id FROM instagram_tokens WHERE fb_user_id = $1 FOR UPDATE`,
        [fbUserId],
      );
      const ids = accounts.map((a) => a.id);
      const subjectIds = [fbUserId, ...accounts.flatMap((a) => [a.ig_user_id, a.fb_page_id ?? ''])].filter(Boolean);
      const needles = subjectIds.map((id) => `"${id}"`);
      await m.query(`DELETE FROM token_events WHERE account_id = ANY($1::int[])`, [ids]);
      await m.query(`DELETE FROM alerts WHERE account_id = ANY($1::int[])`, [ids]);
      await m.query(
        `DELETE FROM oauth_states WHERE account_id = ANY($1::int[])
            OR (result IS NOT NULL AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE strpos(result::text, n) > 0))`,
        [ids, needles],
      );
      await m.query(`DELETE FROM webhook_deliveries WHERE entry_ids && $1::text[]`, [subjectIds]);
      await m.query(`DELETE FROM instagram_tokens WHERE id = ANY($1::int[])`, [ids]);
      for (const userId of new Set(accounts.map((a) => a.user_id))) {
        await this.connections.ensureDefault(userId, m);
        const n = accounts.filter((a) => a.user_id === userId).length;
        await this.events.record(
          {
            userId,
            type: 'data_deletion',
            outcome: 'success',
            actor: 'meta',
            message: `${n} Instagram connection(s) deleted at Meta's data-deletion request.`,
            details: { request_id: requestId },
          },
          m,
        );
      }
      await m.query(
        `UPDATE data_deletion_requests SET status = 'completed', completed_at = now(), fb_user_id = NULL WHERE id = $1`,
        [requestId],
      );
      this.logger.log({ requestId, accounts: ids.length }, 'data deletion completed');
    });
  }

  private async holdsDataOf(fbUserId: string, m: EntityManager): Promise<boolean> {
    return (await m.count(InstagramTokenEntity, { where: { fbUserId } })) > 0;
  }

  private receipt(code: string): DeletionReceipt {
    return { url: `${this.config.publicApiUrl}/webhooks/facebook/data-deletion/${code}`, confirmation_code: code };
  }
}
