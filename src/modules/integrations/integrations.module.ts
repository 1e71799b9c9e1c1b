import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ConnectionsModule } from '../connections/connections.module';
import { ConnectionWebhooksObserver } from './connection-webhooks.observer';
import { IntegrationWebhooksController } from './webhooks.controller';
import { WEBHOOK_DELIVERIES_QUEUE } from './integrations.constants';
import { WebhookRepository } from './persistence/webhook.repository';
import { DeliverWebhook } from './use-cases/deliver-webhook.use-case';
import { PublishWebhookEvent } from './use-cases/publish-webhook-event.use-case';
import { SweepWebhookDeliveries } from './use-cases/sweep-webhook-deliveries.use-case';
import { WebhookEndpointsService } from './use-cases/webhook-endpoints.service';
import { WebhookDeliveriesProcessor } from './webhook-deliveries.processor';
import { WebhookSecrets } from './webhook-secrets';
import { WebhookSender } from './webhook-sender';

/**
 * Outbound webhooks, shared by every role that changes connections (api and worker): the store,
 * the publisher (the Reels publisher calls PublishWebhookEvent too), the hub observer, and the
 * sweep the scheduler's housekeeping runs.
 */
@Module({
  imports: [ConnectionsModule, AlertsModule, BullModule.registerQueue({ name: WEBHOOK_DELIVERIES_QUEUE })],
  providers: [
    WebhookRepository,
    WebhookSecrets,
    WebhookSender,
    PublishWebhookEvent,
    DeliverWebhook,
    SweepWebhookDeliveries,
    ConnectionWebhooksObserver,
  ],
  exports: [WebhookRepository, PublishWebhookEvent, DeliverWebhook, WebhookSecrets, SweepWebhookDeliveries],
})
export class IntegrationsCoreModule {}

/** The api role: /integrations/webhooks. */
@Module({
  imports: [IntegrationsCoreModule],
  controllers: [IntegrationWebhooksController],
  providers: [WebhookEndpointsService],
})
export class IntegrationsModule {}

/** The worker role: runs deliveries. */
@Module({
  imports: [IntegrationsCoreModule],
  providers: [WebhookDeliveriesProcessor],
  exports: [WebhookDeliveriesProcessor],
})
export class IntegrationsWorkerModule {}
