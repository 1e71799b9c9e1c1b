import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { formatDay } from '../../common/format-day';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { notificationJobOptions } from '../queue/job-policy';
import { NOTIFICATIONS_QUEUE, type NotificationJob } from '../queue/queue.constants';
import { dueExpiryAlert } from '../tokens/domain/token-policy';
import { InstagramTokenEntity } from '../tokens/persistence/instagram-token.entity';
import { AlertEntity, type AlertKind } from './alert.entity';

/**
 * Raises alerts exactly once per (account, kind, dedupe key) — the unique index decides, so any
 * number of sweeps and workers can call it — and hands new ones to the notifications queue.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
    @InjectRepository(InstagramTokenEntity) private readonly accounts: Repository<InstagramTokenEntity>,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue<NotificationJob>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Raises whatever alert the account's current state calls for (expiry thresholds or a dead token). */
  async evaluate(accountId: number): Promise<AlertEntity | null> {
    const a = await this.accounts.findOneBy({ id: accountId });
    return a ? this.evaluateRow(a) : null;
  }

  /** evaluate() for a caller that already holds the account's current row (no re-read). */
  async evaluateRow(a: InstagramTokenEntity): Promise<AlertEntity | null> {
    if (a.status === 'disconnected') return null;
    const who = `@${a.instagramUsername ?? a.igUserId}`;
    if (a.status === 'revoked') {
      return this.raise(
        a,
        'revoked',
        `revoked:${a.disconnectedAt?.toISOString() ?? a.updatedAt.toISOString()}`,
        null,
        `${who} was disconnected at Facebook (the app was removed or access revoked). Reconnect to keep publishing.`,
      );
    }
    if (!a.isValid) {
      return this.raise(
        a,
        'token_invalid',
        `invalid:${a.expiresAt?.toISOString().slice(0, 10) ?? 'none'}:${a.lastErrorCode ?? ''}`,
        null,
        `${who} stopped working: ${a.statusReason ?? 'Facebook no longer accepts the connection.'}`,
      );
    }
    const due = dueExpiryAlert(a.expiresAt, this.clock.now(), this.config.tokens);
    if (!due || !a.expiresAt) return null;
    const message =
      due.kind === 'expired'
        ? `${who}'s Facebook access expired on ${formatDay(a.expiresAt)}. Reconnect to resume publishing.`
        : `${who}'s Facebook access ends on ${formatDay(a.expiresAt)} (in ${due.thresholdDays} days or less). Facebook only extends it when you pass its dialog again: one click.`;
    return this.raise(a, due.kind, due.dedupeKey, due.thresholdDays, message);
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

  private async raise(
    a: InstagramTokenEntity,
    kind: AlertKind,
    dedupeKey: string,
    thresholdDays: number | null,
    message: string,
  ): Promise<AlertEntity | null> {
    const inserted = await this.alerts.query<Array<{ id: number }>>(
      `INSERT INTO alerts (user_id, account_id, kind, dedupe_key, threshold_days, token_expires_at, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (account_id, kind, dedupe_key) DO NOTHING
       RETURNING id`,
      [a.userId, a.id, kind, dedupeKey, thresholdDays, a.expiresAt, message],
    );
    if (!inserted.length) return null;
    const alert = await this.alerts.findOneByOrFail({ id: inserted[0].id });
    this.logger.log({ alertId: alert.id, accountId: a.id, kind }, 'alert raised');
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
