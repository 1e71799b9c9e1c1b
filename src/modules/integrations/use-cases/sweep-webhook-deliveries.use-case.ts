import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { WebhookRepository } from '../persistence/webhook.repository';
import { PublishWebhookEvent } from './publish-webhook-event.use-case';

/** A pending delivery due this long ago without an attempt lost its job (Redis flushed, enqueue failed). */
const OVERDUE_MS = 10 * 60_000;
/** The delivery log keeps settled deliveries this long. */
export const WEBHOOK_DELIVERY_RETENTION_MS = 30 * 86_400_000;

/**
 * The scheduler's housekeeping for outbound webhooks, PostgreSQL being the truth: pending
 * deliveries whose job was lost get it back (deterministic job ids: a job still queued is not
 * duplicated), and old settled deliveries leave the log.
 */
@Injectable()
export class SweepWebhookDeliveries {
  constructor(
    private readonly store: WebhookRepository,
    private readonly publish: PublishWebhookEvent,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<{ requeued: number; purged: number }> {
    const overdue = await this.store.overduePending(OVERDUE_MS, 1000);
    for (const id of overdue) await this.publish.enqueue(id);
    const purged = await this.store.purgeSettledBefore(new Date(this.clock.now().getTime() - WEBHOOK_DELIVERY_RETENTION_MS));
    return { requeued: overdue.length, purged };
  }
}
