import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsModule } from '../connections/connections.module';
import { SocialStatesModule } from '../social/social-states.module';
import { DataDeletionProcessor } from './data-deletion.processor';
import { DataDeletionService } from './data-deletion.service';
import { DeauthorizeService } from './deauthorize.service';
import { DeletionStatusResponder } from './deletion-status.responder';
import { MetaSignatureService } from './meta-signature.service';
import { DataDeletionRequestEntity } from './persistence/data-deletion-request.entity';
import { MetaSignedRequestEntity } from './persistence/meta-signed-request.entity';
import { WebhookDeliveryEntity } from './persistence/webhook-delivery.entity';
import { SignedRequestReplayGuard } from './signed-request-replay.service';
import { WebhookIngestService } from './webhook-ingest.service';
import { WebhooksController } from './webhooks.controller';
import { DATA_DELETION_QUEUE } from './webhooks.constants';

/** Storage and the data-deletion use case, shared by the api (enqueues) and the worker (runs). */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookDeliveryEntity, DataDeletionRequestEntity, MetaSignedRequestEntity]),
    ConnectionsModule,
    SocialStatesModule,
    BullModule.registerQueue({ name: DATA_DELETION_QUEUE }),
  ],
  providers: [MetaSignatureService, SignedRequestReplayGuard, DataDeletionService],
  exports: [MetaSignatureService, SignedRequestReplayGuard, DataDeletionService],
})
export class WebhooksCoreModule {}

/** The api role: Meta's callbacks (deauthorize, data deletion, webhooks). */
@Module({
  imports: [WebhooksCoreModule, ConnectionsModule],
  controllers: [WebhooksController],
  providers: [DeauthorizeService, WebhookIngestService, DeletionStatusResponder],
})
export class WebhooksModule {}

/** The worker role: runs data-deletion jobs. Import into the worker module only, never the api. */
@Module({
  imports: [WebhooksCoreModule],
  providers: [DataDeletionProcessor],
  exports: [DataDeletionProcessor],
})
export class WebhooksWorkerModule {}
