import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { AlertMailerService, type MailOutcome } from './alert-mailer.service';
import { LifecycleMetrics } from '../ops/lifecycle-metrics';
import { NOTIFICATIONS_QUEUE, type NotificationJob } from '../queue/queue.constants';
import { closeWorker, startWorker } from '../queue/worker-factory';

/** notifications queue → one AlertMailerService.send(alertId) per job (idempotent via emailed_at). */
@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private _worker: Worker<NotificationJob> | undefined;

  constructor(
    private readonly mailer: AlertMailerService,
    private readonly metrics: LifecycleMetrics,
    private readonly config: AppConfig,
  ) {}

  get worker(): Worker<NotificationJob> | undefined {
    return this._worker;
  }

  onApplicationBootstrap(): void {
    this._worker = startWorker<NotificationJob>(NOTIFICATIONS_QUEUE, (job) => this.process(job), this.config, {
      concurrency: Math.min(this.config.queue.concurrency, 5),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this._worker);
  }

  async process(job: Job<NotificationJob>): Promise<MailOutcome> {
    try {
      const outcome = await this.mailer.send(job.data.alertId);
      this.metrics.alertEmails.inc({ outcome });
      return outcome;
    } catch (err) {
      this.metrics.alertEmails.inc({ outcome: 'failed' });
      throw err;
    }
  }
}
