import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { AppConfig } from '../../../config/app-config';
import { AlertsService } from '../../alerts/alerts.service';
import { afterAttempt } from '../domain/delivery-policy';
import { signatureHeader } from '../domain/webhook-signature';
import { WebhookRepository } from '../persistence/webhook.repository';
import { WebhookSecrets } from '../webhook-secrets';
import { WebhookSender, type SendResult } from '../webhook-sender';

/** The attempt failed and another is due after `delayMs` (the worker's backoff strategy reads it). */
export class RetryDeliveryError extends Error {
  constructor(readonly delayMs: number) {
    super('webhook delivery failed; retrying');
    this.name = 'RetryDeliveryError';
  }
}

export type DeliveryOutcome = 'delivered' | 'gave_up' | 'skipped';

/**
 * One attempt of one delivery (DESIGN.md section 10): sign "<t>.<body>" with the endpoint's
 * secret, POST, and record the answer. A 2xx within WEBHOOK_TIMEOUT_MS counts; otherwise the
 * next attempt is scheduled (RetryDeliveryError) until WEBHOOK_MAX_ATTEMPTS, after which the
 * delivery fails for good, the endpoint is disabled and its owner gets an in-app alert.
 */
@Injectable()
export class DeliverWebhook {
  private readonly logger = new Logger(DeliverWebhook.name);

  constructor(
    private readonly store: WebhookRepository,
    private readonly secrets: WebhookSecrets,
    private readonly sender: WebhookSender,
    private readonly alerts: AlertsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async execute(deliveryId: string): Promise<DeliveryOutcome> {
    const started = await this.store.beginAttempt(deliveryId);
    if (!started) return this.notStarted(deliveryId);
    const { attempt, delivery, endpoint } = started;
    const result = await this.attempt(endpoint.id, endpoint.url, endpoint.secretEncrypted, delivery);
    const now = this.clock.now();
    const outcome = afterAttempt({
      statusCode: result.statusCode,
      attempt,
      maxAttempts: this.config.webhooks.maxAttempts,
      initialMs: this.config.webhooks.retryInitialMs,
    });
    const lastError = result.error ?? (outcome.kind === 'delivered' ? null : `Answered ${result.statusCode}.`);
    switch (outcome.kind) {
      case 'delivered':
        await this.store.recordAttempt(deliveryId, {
          status: 'delivered',
          lastStatusCode: result.statusCode,
          lastError: null,
          nextRetryAt: null,
          deliveredAt: now,
        });
        return 'delivered';
      case 'retry':
        await this.store.recordAttempt(deliveryId, {
          status: 'pending',
          lastStatusCode: result.statusCode,
          lastError,
          nextRetryAt: new Date(now.getTime() + outcome.delayMs),
          deliveredAt: null,
        });
        throw new RetryDeliveryError(outcome.delayMs);
      case 'give_up':
        await this.store.recordAttempt(deliveryId, {
          status: 'failed',
          lastStatusCode: result.statusCode,
          lastError,
          nextRetryAt: null,
          deliveredAt: null,
        });
        await this.disable(endpoint.id, endpoint.userId, endpoint.url, attempt, now);
        return 'gave_up';
    }
  }

  /** No attempt was counted: the delivery is settled or gone (nothing to do), or its endpoint is disabled or gone. */
  private async notStarted(deliveryId: string): Promise<DeliveryOutcome> {
    const delivery = await this.store.findDelivery(deliveryId);
    if (!delivery || delivery.status !== 'pending') return 'skipped';
    const endpoint = await this.store.findEndpoint(delivery.endpointId);
    if (!endpoint || !endpoint.enabled) {
      await this.store.recordAttempt(deliveryId, {
        status: 'failed',
        lastStatusCode: null,
        lastError: 'The endpoint is disabled; not sent.',
        nextRetryAt: null,
        deliveredAt: null,
      });
    }
    return 'skipped';
  }

  /** Signs and sends (also the synchronous test send); never throws for the receiver's faults. */
  attempt(
    endpointId: number,
    url: string,
    sealedSecret: string,
    delivery: { id: string; eventType: string; body: string },
  ): Promise<SendResult> {
    const secret = this.secrets.open(endpointId, sealedSecret);
    const t = Math.floor(this.clock.now().getTime() / 1000);
    return this.sender.send({
      url,
      body: delivery.body,
      eventType: delivery.eventType,
      deliveryId: delivery.id,
      signature: signatureHeader(secret, t, delivery.body),
    });
  }

  private async disable(endpointId: number, userId: number, url: string, attempts: number, now: Date): Promise<void> {
    const reason = `Disabled after ${attempts} failed attempts of one delivery.`;
    if (!(await this.store.disableEndpoint(endpointId, reason, now))) return;
    this.logger.warn({ endpointId, userId }, 'webhook endpoint disabled after repeated failure');
    const host = safeHost(url);
    await this.alerts.raiseForUser(
      userId,
      'webhook_disabled',
      `endpoint:${endpointId}:${now.toISOString()}`,
      `Your webhook endpoint ${host} failed ${attempts} delivery attempts in a row and was disabled. ` +
        'Fix it, then send a test event from Settings → Webhooks to turn it back on.',
    );
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'endpoint';
  }
}
