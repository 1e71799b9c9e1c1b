import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Clock } from '../../../common/clock';
import { AppConfig } from '../../../config/app-config';
import { REMOVE_ON_COMPLETE, REMOVE_ON_FAIL } from '../../queue/job-policy';
import { envelope, type ReelEventData, type WebhookEventType } from '../domain/webhook-events';
import { WEBHOOK_BACKOFF, WEBHOOK_DELIVERIES_QUEUE, webhookJobId, type WebhookDeliveryJob } from '../integrations.constants';
import { WebhookRepository } from '../persistence/webhook.repository';

/**
 * Publishes one event to every enabled endpoint of the user that subscribed to it: one delivery
 * row each (the body, signed per attempt), then one job each carrying the delivery's id only.
 * PostgreSQL is the truth: a job lost with Redis is enqueued again by the housekeeping sweep.
 *
 * The Reels publisher (another branch) calls `reelPublished` / `reelFailed`.
 */
@Injectable()
export class PublishWebhookEvent {
  private readonly logger = new Logger(PublishWebhookEvent.name);

  constructor(
    private readonly store: WebhookRepository,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<WebhookDeliveryJob>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Returns the event's id (shared by its deliveries), or null when no endpoint listens. */
  async execute(userId: number, type: WebhookEventType, data: object): Promise<string | null> {
    const endpoints = await this.store.subscribedEndpoints(userId, type);
    if (!endpoints.length) return null;
    const eventId = randomUUID();
    const body = JSON.stringify(envelope(eventId, type, this.clock.now(), data));
    const rows = endpoints.map((e) => ({ id: randomUUID(), endpointId: e.id, eventId, eventType: type, body }));
    await this.store.insertDeliveries(rows);
    for (const row of rows) await this.enqueue(row.id);
    this.logger.log({ userId, eventId, type, deliveries: rows.length }, 'webhook event published');
    return eventId;
  }

  reelPublished(userId: number, data: ReelEventData): Promise<string | null> {
    return this.execute(userId, 'reel.published', data);
  }

  reelFailed(userId: number, data: ReelEventData): Promise<string | null> {
    return this.execute(userId, 'reel.failed', data);
  }

  /** Adds (or re-adds, after Redis lost it) the job of one delivery; never throws (the row stays pending). */
  async enqueue(deliveryId: string, delayMs = 0): Promise<void> {
    await this.queue
      .add(
        'deliver',
        { deliveryId },
        {
          jobId: webhookJobId(deliveryId),
          delay: delayMs,
          attempts: this.config.webhooks.maxAttempts,
          backoff: { type: WEBHOOK_BACKOFF },
          removeOnComplete: REMOVE_ON_COMPLETE,
          removeOnFail: REMOVE_ON_FAIL,
        },
      )
      .catch((err: unknown) =>
        this.logger.warn(
          { deliveryId, err: err instanceof Error ? err.message : String(err) },
          'could not enqueue webhook delivery (the sweep retries)',
        ),
      );
  }
}
