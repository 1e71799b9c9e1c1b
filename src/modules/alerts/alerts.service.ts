import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { IsNull, Repository, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { ConnectionEvents, ConnectionObserver, type PersonSubject } from '../connections/connection-observer';
import type { Connection } from '../connections/connection.repository';
import { notificationJobOptions } from '../queue/job-policy';
import { NOTIFICATIONS_QUEUE, type NotificationJob } from '../queue/queue.constants';
import { AlertEntity } from './alert.entity';
import { dueAlert, type DueAlert } from './domain/alert-rules';

/**
 * Raises alerts exactly once per (account, kind, dedupe key) — the unique index decides, so any
 * number of sweeps and workers can call it — and hands new ones to the notifications queue. It
 * hears of connections as their observer (the connections module knows nothing of alerts);
 * which alert is due is decided in domain/alert-rules.ts.
 */
@Injectable()
export class AlertsService extends ConnectionObserver implements OnModuleInit {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue<NotificationJob>,
    private readonly connectionEvents: ConnectionEvents,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  onModuleInit(): void {
    this.connectionEvents.subscribe(this);
  }

  /** A login stored it: its old alerts and links are settled, then whatever its new state calls for. */

  /**
   * Data deletion (in its transaction): the alerts of the deleted connections, and the owners'
   * other alerts whose text names the person, unless they are about a connection that stays.
   */
  override async forgetPerson(subject: PersonSubject, m: EntityManager): Promise<void> {
    const { deleted, owners, kept } = subject.accounts;
    await m.query(
      `DELETE FROM alerts
        WHERE account_id = ANY($1::int[])
           OR (user_id = ANY($2::int[]) AND (account_id IS NULL OR NOT account_id = ANY($3::int[])) AND message ~* ANY($4::text[]))`,
      [deleted, owners, kept, subject.patterns],
    );
  }
  override async connected(row: Connection): Promise<void> {
    await this.resolveForAccount(row.id);
    await this.evaluateRow(row);
  }

  override async changed(row: Connection): Promise<void> {
    await this.evaluateRow(row);
  }

  override async disconnected(row: Connection): Promise<void> {
    await this.resolveForAccount(row.id);
  }

  /** Raises whatever alert the account's current state calls for (expiry thresholds or a dead token). */
  async evaluateRow(a: Connection): Promise<AlertEntity | null> {
    const due = dueAlert(
      {
        status: a.status,
        isValid: a.isValid,
        igUserId: a.igUserId,
        instagramUsername: a.instagramUsername,
        expiresAt: a.expiresAt,
        statusReason: a.statusReason,
        lastErrorCode: a.lastErrorCode,
        changedAt: a.disconnectedAt ?? a.updatedAt,
        loginType: a.loginType,
      },
      this.clock.now(),
      this.config.tokens,
    );
    return due ? this.raise(a, due) : null;
  }

  /**
   * An in-app alert about something that is not a connection (the integrations module's disabled
   * webhook endpoint): raised once per (user, kind, dedupe key); not e-mailed (the mailer sends
   * account alerts only). Returns whether it was new.
   */
  async raiseForUser(userId: number, kind: 'webhook_disabled', dedupeKey: string, message: string): Promise<boolean> {
    // account_id is NULL here, so the (account_id, kind, dedupe_key) unique index cannot dedupe:
    // the callers raise it from a once-only state change, and this check covers a repeat.
    const inserted = await this.alerts.query<Array<{ id: number }>>(
      `INSERT INTO alerts (user_id, account_id, kind, dedupe_key, message)
       SELECT $1::int, NULL, $2::varchar, $3::varchar, $4::text
        WHERE NOT EXISTS (
          SELECT 1 FROM alerts WHERE user_id = $1::int AND account_id IS NULL AND kind = $2::varchar AND dedupe_key = $3::varchar
        )
       RETURNING id`,
      [userId, kind, dedupeKey, message],
    );
    if (inserted.length) this.logger.log({ alertId: inserted[0].id, userId, kind }, 'alert raised');
    return inserted.length > 0;
  }

  /** Alerts whose e-mail never went out (enqueue lost with Redis, or jobs exhausted): the sweep re-sends them. */
  async unsent(olderThanMs: number, limit: number): Promise<number[]> {
    const rows = await this.alerts.query<Array<{ id: number }>>(
      `SELECT id FROM alerts
        WHERE emailed_at IS NULL AND read_at IS NULL AND account_id IS NOT NULL
          AND created_at < now() - make_interval(secs => $1::double precision / 1000)
          AND created_at > now() - interval '7 days'
        ORDER BY id LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A successful reconnect or a disconnect settles the account: its open alerts are read and its
   * e-mailed reconnect links retired (nothing left on screen or in a mailbox to act on).
   */
  async resolveForAccount(accountId: number): Promise<void> {
    const now = this.clock.now();
    await this.alerts.update({ accountId, readAt: IsNull() }, { readAt: now });
    await this.alerts.query(`UPDATE reconnect_links SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL`, [
      accountId,
      now,
    ]);
  }

  /** The user's alerts with their account's public name only, never its token columns. */
  private withAccountName(userId: number) {
    return this.alerts
      .createQueryBuilder('alert')
      .leftJoin('alert.account', 'account')
      .addSelect(['account.id', 'account.instagramUsername'])
      .where('alert.user_id = :userId', { userId });
  }

  list(userId: number, unreadOnly: boolean): Promise<AlertEntity[]> {
    const q = this.withAccountName(userId)
      // a disconnected account has nothing left to fix: its alerts leave the screen with it
      .andWhere(`(account.id IS NULL OR account.status <> 'disconnected')`)
      .orderBy('alert.id', 'DESC')
      .take(100);
    if (unreadOnly) q.andWhere('alert.read_at IS NULL');
    return q.getMany();
  }

  async markRead(userId: number, id: number): Promise<AlertEntity> {
    const alert = Number.isSafeInteger(id)
      ? await this.withAccountName(userId).andWhere('alert.id = :id', { id }).getOne()
      : null;
    if (!alert) throw new DomainError(ErrorCode.ALERT_NOT_FOUND, 'No such alert.');
    if (!alert.readAt) {
      alert.readAt = this.clock.now();
      await this.alerts.update({ id }, { readAt: alert.readAt });
    }
    return alert;
  }

  private async raise(a: Connection, due: DueAlert): Promise<AlertEntity | null> {
    const inserted = await this.alerts.query<Array<{ id: number }>>(
      `INSERT INTO alerts (user_id, account_id, kind, dedupe_key, threshold_days, token_expires_at, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (account_id, kind, dedupe_key) DO NOTHING
       RETURNING id`,
      [a.userId, a.id, due.kind, due.dedupeKey, due.thresholdDays, a.expiresAt, due.message],
    );
    if (!inserted.length) return null;
    const alert = await this.alerts.findOneByOrFail({ id: inserted[0].id });
    this.logger.log({ alertId: alert.id, accountId: a.id, kind: due.kind }, 'alert raised');
    await this.notifications
      .add('alert', { alertId: alert.id }, notificationJobOptions(alert.id, this.config.queue))
      .catch((err: unknown) =>
        // PostgreSQL is the truth: the notifications sweep re-sends alerts whose e-mail never went out
        this.logger.warn(
          { alertId: alert.id, err: err instanceof Error ? err.message : String(err) },
          'could not enqueue alert e-mail',
        ),
      );
    return alert;
  }
}
