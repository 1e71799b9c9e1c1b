import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { ConnectionEvents } from '../connections/connection-observer';
import { ConnectionRepository, type LoginType, type MetaUser } from '../connections/connection.repository';
import { OAuthStateService } from '../social/oauth-state.service';
import type { DeletionStatus } from './persistence/data-deletion-request.entity';
import { DATA_DELETION_QUEUE, dataDeletionJobOptions, type DataDeletionJob } from './webhooks.constants';
import { obtainedBeforeCutoff } from './domain/signed-request-freshness';
import { MetaSignatureService } from './meta-signature.service';
import { SignedRequestReplayGuard } from './signed-request-replay.service';

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
  login_type?: LoginType;
  fb_user_id?: string | null;
  issued_at?: Date;
}

/** What names a person on one of their accounts (a connection row, or an account a login offered). */
interface SubjectAccount {
  ig_user_id: string | null;
  /** Instagram Login: the app-scoped id of /me. */
  ig_scoped_user_id?: string | null;
  fb_page_id: string | null;
  instagram_username: string | null;
  instagram_name: string | null;
  fb_page_name: string | null;
}

const escapeRegex = (s: string): string => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');

/**
 * The ids and the PostgreSQL regular expressions that find a person in free text and JSON:
 * an id as a whole number, a username as "@name" or as a JSON string, a name as a quoted string
 * (how messages quote Page names, and how JSON holds any string), raw and JSON-escaped.
 */
export function subjectOf(metaUserId: string, accounts: SubjectAccount[]): { ids: string[]; patterns: string[] } {
  const ids = new Set<string>([metaUserId]);
  const patterns = new Set<string>();
  for (const a of accounts) {
    for (const id of [a.ig_user_id, a.ig_scoped_user_id, a.fb_page_id]) if (id) ids.add(id);
    if (a.instagram_username) {
      patterns.add(`@${escapeRegex(a.instagram_username)}($|[^A-Za-z0-9._])`);
      patterns.add(escapeRegex(JSON.stringify(a.instagram_username)));
    }
    for (const name of [a.instagram_name, a.fb_page_name]) {
      if (!name) continue;
      patterns.add(escapeRegex(`"${name}"`));
      patterns.add(escapeRegex(JSON.stringify(name)));
    }
  }
  for (const id of ids) patterns.add(`(^|[^0-9])${escapeRegex(id)}($|[^0-9])`);
  return { ids: [...ids], patterns: [...patterns] };
}

/**
 * Meta's Data Deletion Request callback: record the request, answer at once with a status URL
 * and confirmation code, and delete everything we hold about that person in a job. Facebook
 * Login's callback names a Facebook user; Instagram Login's (signed with the Instagram app's
 * secret) an Instagram user, and covers only connections made with Instagram Login.
 */
@Injectable()
export class DataDeletionService {
  private readonly logger = new Logger(DataDeletionService.name);
  private readonly hashKey: Buffer;

  constructor(
    private readonly config: AppConfig,
    private readonly signatures: MetaSignatureService,
    private readonly dataSource: DataSource,
    private readonly connections: ConnectionRepository,
    private readonly connectionEvents: ConnectionEvents,
    private readonly states: OAuthStateService,
    private readonly replays: SignedRequestReplayGuard,
    private readonly clock: Clock,
    @InjectQueue(DATA_DELETION_QUEUE) private readonly queue: Queue<DataDeletionJob>,
  ) {
    this.hashKey = Buffer.from(hkdfSync('sha256', config.secretKey, 'autoreels', 'data-deletion-subject', 32));
  }

  /**
   * A fresh signed_request acts once (a repeat answers the first answer and changes nothing).
   * Distinct requests of one Facebook user share a request while it is pending (its cutoff moves
   * to the latest issued_at), and a completed one answers again while we hold nothing it covers.
   */
  async request(signedRequest: unknown, loginType: LoginType = 'facebook'): Promise<DeletionReceipt> {
    const { raw, payload, issuedAt } = this.signatures.signedRequest(signedRequest, loginType);
    const user: MetaUser = { loginType, id: payload.user_id };
    // Facebook's hash input stays the bare id (requests recorded before Instagram Login keep matching)
    const hash = createHmac('sha256', this.hashKey)
      .update(loginType === 'instagram' ? `instagram:${user.id}` : user.id)
      .digest('hex');
    const kind = loginType === 'instagram' ? 'ig_data_deletion' : 'data_deletion';
    const { answer } = await this.replays.once(kind, raw, issuedAt, async (m) => {
      const row = await this.decide(m, user, hash, issuedAt);
      return this.receipt(loginType, row.confirmation_code);
    });
    // (Re-)enqueue every time it is pending, repeats included: the job id collapses duplicates,
    // and a repeat of Meta's recovers a job the first answer failed to enqueue.
    const row = (
      await this.dataSource.query<RequestRow[]>(
        `SELECT id, confirmation_code, status FROM data_deletion_requests WHERE confirmation_code = $1`,
        [answer.confirmation_code],
      )
    )[0];
    if (row?.status === 'pending') {
      await this.queue.add('delete', { requestId: row.id }, dataDeletionJobOptions(row.id, this.config.queue));
    }
    return answer;
  }

  /** One decision at a time per person (Meta's retries and repeats arrive concurrently). */
  private async decide(m: EntityManager, user: MetaUser, hash: string, issuedAt: Date): Promise<RequestRow> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [hash]);
    const latest = (
      await m.query<RequestRow[]>(
        `SELECT id, confirmation_code, status FROM data_deletion_requests WHERE fb_user_hash = $1 ORDER BY id DESC LIMIT 1`,
        [hash],
      )
    )[0];
    if (latest?.status === 'pending') {
      // the job may be completing it right now (row lock): then it is completed and we go on below
      const [widened] = await m.query<[RequestRow[], number]>(
        `UPDATE data_deletion_requests SET issued_at = GREATEST(issued_at, $2)
          WHERE id = $1 AND status = 'pending' RETURNING id, confirmation_code, status`,
        [latest.id, issuedAt],
      );
      if (widened.length) return widened[0];
    }
    if (latest && !(await this.connections.holdsDataOf(user, obtainedBeforeCutoff(issuedAt), m))) {
      return { ...latest, status: 'completed' };
    }
    return (
      await m.query<RequestRow[]>(
        `INSERT INTO data_deletion_requests (confirmation_code, fb_user_hash, login_type, fb_user_id, issued_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, confirmation_code, status`,
        [randomBytes(16).toString('base64url'), hash, user.loginType, user.id, issuedAt, this.clock.now()],
      )
    )[0];
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
   * The job: delete every connection of that person (made through the login whose callback Meta
   * called) whose tokens were obtained before the request's issued_at (see
   * TypeormConnectionRepository.revokeMetaUser for why `last_refreshed_at`), with
   * everything that names the person: their audit events, alerts, login attempts (account-picker
   * attempts still holding that person's verified login included), stored webhook deliveries, and
   * any other event, alert, attempt or delivery whose text carries their Instagram username or
   * name, Page name, or an id of theirs. Connections obtained afterwards, and what is recorded
   * about them, stay. Then the person's id is forgotten. One transaction: all or nothing, safe to repeat.
   */
  async process(requestId: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const req = (
        await m.query<RequestRow[]>(
          `SELECT id, status, login_type, fb_user_id, issued_at FROM data_deletion_requests WHERE id = $1 FOR UPDATE`,
          [requestId],
        )
      )[0];
      if (!req || req.status === 'completed' || !req.fb_user_id) return;
      const user: MetaUser = { loginType: req.login_type ?? 'facebook', id: req.fb_user_id };
      const cutoff = obtainedBeforeCutoff(new Date(req.issued_at as Date));
      const covered = await this.connections.personAccounts(user, cutoff, m);
      const accounts = covered.deleted;
      const ids = accounts.map((a) => a.id);
      const kept = covered.kept;
      // only Facebook logins keep a verified login for the account picker (Instagram Login connects its one account at once)
      const attempts = user.loginType === 'facebook' ? await this.states.pendingLoginsOf(user.id, cutoff, m) : [];
      const offered = attempts.flatMap((a) =>
        a.offered.map((c) => ({
          ig_user_id: c.igUserId,
          fb_page_id: c.pageId,
          instagram_username: c.username,
          instagram_name: c.name,
          fb_page_name: c.pageName,
        })),
      );
      const subject = subjectOf(user.id, [...accounts, ...offered]);
      const owners = [...new Set([...accounts.map((a) => a.user_id), ...attempts.map((a) => a.userId)])];

      await this.states.forgetPerson(
        { accountIds: ids, attemptIds: attempts.map((a) => a.id), before: cutoff, patterns: subject.patterns },
        m,
      );
      await m.query(
        `DELETE FROM webhook_deliveries
          WHERE received_at < $3 AND (entry_ids && $1::text[] OR payload::text ~* ANY($2::text[]))`,
        [subject.ids, subject.patterns, cutoff],
      );
      // other modules' records that name the person (alerts, outbound webhook deliveries, …)
      await this.connectionEvents.forgetPerson(
        { patterns: subject.patterns, ids: subject.ids, before: cutoff, accounts: { deleted: ids, owners, kept } },
        m,
      );
      await this.connections.deletePersonAccounts(covered, owners, subject.patterns, requestId, m);
      await m.query(
        `UPDATE data_deletion_requests SET status = 'completed', completed_at = $2, fb_user_id = NULL WHERE id = $1`,
        [requestId, this.clock.now()],
      );
      this.logger.log({ requestId, accounts: ids.length, kept: kept.length }, 'data deletion completed');
    });
  }

  private receipt(loginType: LoginType, code: string): DeletionReceipt {
    return { url: `${this.config.publicApiUrl}/webhooks/${loginType}/data-deletion/${code}`, confirmation_code: code };
  }
}
