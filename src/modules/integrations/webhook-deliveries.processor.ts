import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, MinimalJob, Worker } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { closeWorker, startWorker } from '../queue/worker-factory';
import { WEBHOOK_DELIVERIES_QUEUE, type WebhookDeliveryJob } from './integrations.constants';
import { DeliverWebhook, RetryDeliveryError, type DeliveryOutcome } from './use-cases/deliver-webhook.use-case';

/** BullMQ backoffStrategy: the delay DeliverWebhook chose (and stored as next_retry_at); 5 s for our own failures. */
export function webhookBackoff(
  _attemptsMade: number,
  _type: string | undefined,
  err: Error | undefined,
  _job?: MinimalJob,
): number {
  return err instanceof RetryDeliveryError ? err.delayMs : 5000;
}

/** webhook-deliveries queue → one DeliverWebhook.execute(deliveryId) per job (idempotent: settled rows are skipped). */
@Injectable()
export class WebhookDeliveriesProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private _worker: Worker<WebhookDeliveryJob> | undefined;

  constructor(
    private readonly deliver: DeliverWebhook,
    private readonly config: AppConfig,
  ) {}

  get worker(): Worker<WebhookDeliveryJob> | undefined {
    return this._worker;
  }

  onApplicationBootstrap(): void {
    this._worker = startWorker<WebhookDeliveryJob>(WEBHOOK_DELIVERIES_QUEUE, (job) => this.process(job), this.config, {
      settings: { backoffStrategy: webhookBackoff },
      // receivers are slow at worst WEBHOOK_TIMEOUT_MS: the lock must outlast one attempt
      lockDuration: Math.max(this.config.queue.lockMs, this.config.webhooks.timeoutMs * 3),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this._worker);
  }

  process(job: Job<WebhookDeliveryJob>): Promise<DeliveryOutcome> {
    return this.deliver.execute(job.data.deliveryId);
  }
}
