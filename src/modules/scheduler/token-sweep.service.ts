import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { alertJobId, maintenanceJobId, maintenanceJobOptions, notificationJobOptions } from '../queue/job-policy';
import {
  NOTIFICATIONS_QUEUE,
  TOKEN_MAINTENANCE_QUEUE,
  type NotificationJob,
  type TokenMaintenanceJob,
} from '../queue/queue.constants';
import { AlertsService } from '../alerts/alerts.service';
import { ConnectionRepository } from '../connections/connection.repository';

/** addBulk calls in flight at once during a sweep. */
const ADD_PIPELINE = 4;

export interface SweepOptions {
  /** Rows per page and per addBulk call. */
  batchSize?: number;
  /** Called after each enqueued batch (the CLI's progress bar; tests). */
  onBatch?: (done: number, total: number) => void | Promise<void>;
  /** Re-enqueue alert e-mails older than this that never went out (default 5 minutes). */
  unsentAlertAgeMs?: number;
}

export interface SweepResult {
  due: number;
  /** Jobs handed to BullMQ, including ones it discarded as duplicates of an existing job id. */
  enqueued: number;
  alertsRequeued: number;
  ms: number;
}

/**
 * The scheduler's only job (DESIGN.md section 5): find due work in PostgreSQL and enqueue it.
 * No Graph call here. Job ids are deterministic, so two schedulers sweeping at once enqueue each
 * account once, and a Redis that lost everything is simply refilled by the next sweep.
 */
@Injectable()
export class TokenSweepService {
  private readonly logger = new Logger(TokenSweepService.name);

  constructor(
    private readonly due: ConnectionRepository,
    private readonly alerts: AlertsService,
    @InjectQueue(TOKEN_MAINTENANCE_QUEUE) private readonly maintenance: Queue<TokenMaintenanceJob>,
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly notifications: Queue<NotificationJob>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async sweep(opts: SweepOptions = {}): Promise<SweepResult> {
    const started = Date.now();
    const batchSize = opts.batchSize ?? 1000;
    const now = this.clock.now();
    const total = await this.due.countDue(now);
    let after: { cursor: string; id: number } | null = null;
    let enqueued = 0;
    // the next page is read while earlier batches are still being added (bounded pipelining)
    const inFlight: Array<Promise<unknown>> = [];
    for (;;) {
      const page = await this.due.duePage(now, after, batchSize);
      if (!page.length) break;
      const last = page[page.length - 1];
      after = { cursor: last.cursor, id: last.id };
      const added = this.maintenance
        .addBulk(
          page.map((a) => {
            const jobId = maintenanceJobId(a.id, a.dueAtMs);
            return { name: 'check', data: { accountId: a.id }, opts: maintenanceJobOptions(jobId, this.config.queue) };
          }),
        )
        .then(async () => {
          enqueued += page.length;
          await opts.onBatch?.(enqueued, Math.max(total, enqueued));
        });
      inFlight.push(added);
      if (inFlight.length >= ADD_PIPELINE) await inFlight.shift();
      if (page.length < batchSize) break;
    }
    await Promise.all(inFlight);
    const alertsRequeued = await this.requeueUnsentAlerts(opts.unsentAlertAgeMs ?? 5 * 60_000);
    const result = { due: total, enqueued, alertsRequeued, ms: Date.now() - started };
    this.logger.log(result, 'token sweep done');
    return result;
  }

  /** PostgreSQL is the truth for alert e-mail too: anything never e-mailed is handed to the queue again. */
  private async requeueUnsentAlerts(olderThanMs: number): Promise<number> {
    let n = 0;
    for (const alertId of await this.alerts.unsent(olderThanMs, 1000)) {
      const jobId = alertJobId(alertId);
      const existing = await this.notifications.getJob(jobId);
      if (!existing) {
        await this.notifications.add('alert', { alertId }, notificationJobOptions(alertId, this.config.queue));
        n++;
      } else if (await existing.isFailed()) {
        await existing.retry('failed');
        n++;
      }
    }
    return n;
  }
}
