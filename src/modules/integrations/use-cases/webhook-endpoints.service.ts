import { lookup } from 'node:dns/promises';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { AppConfig } from '../../../config/app-config';
import { isDelivered } from '../domain/delivery-policy';
import { envelope, TEST_EVENT_TYPE } from '../domain/webhook-events';
import { generateWebhookSecret } from '../domain/webhook-signature';
import { checkResolvedAddresses, checkTargetUrl } from '../domain/webhook-target';
import type {
  CreateWebhookEndpointDto,
  CreatedWebhookEndpointDto,
  WebhookDeliveriesDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
} from '../dto/webhooks.dto';
import type { WebhookEndpointEntity } from '../persistence/webhook-endpoint.entity';
import type { WebhookEventDeliveryEntity } from '../persistence/webhook-event-delivery.entity';
import { WebhookRepository } from '../persistence/webhook.repository';
import { WebhookSecrets } from '../webhook-secrets';
import { DeliverWebhook } from './deliver-webhook.use-case';

export const MAX_WEBHOOK_ENDPOINTS_PER_USER = 10;

function endpointDto(e: WebhookEndpointEntity): WebhookEndpointDto {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    disabled_at: e.disabledAt?.toISOString() ?? null,
    disabled_reason: e.disabledReason,
    created_at: e.createdAt.toISOString(),
  };
}

function deliveryDto(d: WebhookEventDeliveryEntity): WebhookDeliveryDto {
  return {
    id: d.id,
    event_id: d.eventId,
    event: d.eventType,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_retry_at: d.nextRetryAt?.toISOString() ?? null,
    delivered_at: d.deliveredAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}

/** The user's webhook endpoints: register (secret shown once), list, delete, test send, delivery log. */
@Injectable()
export class WebhookEndpointsService {
  private readonly logger = new Logger(WebhookEndpointsService.name);

  constructor(
    private readonly store: WebhookRepository,
    private readonly secrets: WebhookSecrets,
    private readonly deliver: DeliverWebhook,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async create(userId: number, dto: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointDto> {
    const url = await this.checkUrl(dto.url);
    if ((await this.store.countEndpoints(userId)) >= MAX_WEBHOOK_ENDPOINTS_PER_USER) {
      throw new DomainError(
        ErrorCode.WEBHOOK_ENDPOINT_LIMIT_REACHED,
        `You already have ${MAX_WEBHOOK_ENDPOINTS_PER_USER} webhook endpoints; delete one first.`,
      );
    }
    const secret = generateWebhookSecret();
    const row = await this.store.createEndpoint(userId, url, dto.events, (id) => this.secrets.seal(id, secret));
    this.logger.log({ userId, endpointId: row.id, events: row.events }, 'webhook endpoint created');
    return { ...endpointDto(row), secret };
  }

  async list(userId: number): Promise<WebhookEndpointDto[]> {
    return (await this.store.listEndpoints(userId)).map(endpointDto);
  }

  async remove(userId: number, id: number): Promise<void> {
    await this.store.deleteEndpoint(userId, id);
    this.logger.log({ userId, endpointId: id }, 'webhook endpoint deleted');
  }

  async deliveries(userId: number, id: number): Promise<WebhookDeliveriesDto> {
    const endpoint = await this.store.findOwnedEndpoint(userId, id);
    return { deliveries: (await this.store.listDeliveries(endpoint.id)).map(deliveryDto) };
  }

  /**
   * Sends a signed `webhook.test` event now, once, whatever the endpoint's events, and answers
   * with the logged delivery. A 2xx turns a disabled endpoint back on.
   */
  async test(userId: number, id: number): Promise<WebhookDeliveryDto> {
    const endpoint = await this.store.findOwnedEndpoint(userId, id);
    const eventId = randomUUID();
    const body = JSON.stringify(
      envelope(eventId, TEST_EVENT_TYPE, this.clock.now(), { endpoint_id: endpoint.id, message: 'A test event from AutoReels.' }),
    );
    const delivery = { id: randomUUID(), endpointId: endpoint.id, eventId, eventType: TEST_EVENT_TYPE, body };
    await this.store.insertDeliveries([delivery]);
    await this.store.startAttempt(delivery.id);
    const result = await this.deliver.attempt(endpoint.id, endpoint.url, endpoint.secretEncrypted, delivery);
    const ok = isDelivered(result.statusCode);
    await this.store.recordAttempt(delivery.id, {
      status: ok ? 'delivered' : 'failed',
      lastStatusCode: result.statusCode,
      lastError: ok ? null : (result.error ?? `Answered ${result.statusCode}.`),
      nextRetryAt: null,
      deliveredAt: ok ? this.clock.now() : null,
    });
    if (ok && !endpoint.enabled) await this.store.enableEndpoint(endpoint.id);
    const stored = await this.store.findDelivery(delivery.id);
    return deliveryDto(stored as WebhookEventDeliveryEntity);
  }

  /** The URL's own rules, then (guard on) what its host resolves to now; send time checks again. */
  private async checkUrl(raw: string): Promise<string> {
    const rules = { guard: this.config.webhooks.ssrfGuard };
    const verdict = checkTargetUrl(raw, rules);
    if (!verdict.ok) throw new DomainError(ErrorCode.WEBHOOK_URL_REFUSED, verdict.reason);
    if (rules.guard) {
      const addresses = await lookup(verdict.url.hostname, { all: true }).catch(() => null);
      // a name that does not resolve yet is accepted: deliveries check it again every time
      const resolved = addresses
        ? checkResolvedAddresses(
            addresses.map((a) => a.address),
            rules,
          )
        : { ok: true as const };
      if (!resolved.ok) throw new DomainError(ErrorCode.WEBHOOK_URL_REFUSED, resolved.reason);
    }
    return verdict.url.toString();
  }
}
