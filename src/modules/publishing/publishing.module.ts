import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { GraphModule } from '../graph/graph.module';
import { IntegrationsCoreModule } from '../integrations/integrations.module';
import { REEL_PUBLISHING_QUEUE } from '../queue/queue.constants';
import { TypeormReelRepository } from './persistence/typeorm-reel.repository';
import { ReelQueue } from './reel-queue';
import { ReelRepository } from './reel.repository';
import { AdvanceReel } from './use-cases/advance-reel.use-case';
import { CancelReel } from './use-cases/cancel-reel.use-case';
import { GetPublishingLimit } from './use-cases/publishing-limit.use-case';
import { GetReel, ListReels } from './use-cases/read-reels.use-case';
import { StoreUpload } from './use-cases/store-upload.use-case';
import { ServeUpload } from './use-cases/serve-upload.use-case';
import { SubmitReel } from './use-cases/submit-reel.use-case';
import { CleanUploads, SweepReels } from './use-cases/sweep-reels.use-case';
import { UploadUrls } from './upload-urls';

const USE_CASES = [
  SubmitReel,
  ListReels,
  GetReel,
  CancelReel,
  StoreUpload,
  GetPublishingLimit,
  AdvanceReel,
  SweepReels,
  CleanUploads,
  ServeUpload,
];

/**
 * Publishing Reels (DESIGN.md §8): the one owner of reels, reel_events and reel_uploads; reads
 * connections only through the connections module's use cases. Every role imports it: the api
 * for the routes (ReelsController, added by the api role), the worker for the pipeline, the
 * scheduler for the sweep.
 */
@Module({
  imports: [ConnectionsModule, GraphModule, IntegrationsCoreModule, BullModule.registerQueue({ name: REEL_PUBLISHING_QUEUE })],
  providers: [{ provide: ReelRepository, useClass: TypeormReelRepository }, ReelQueue, UploadUrls, ...USE_CASES],
  exports: [ReelRepository, ReelQueue, UploadUrls, ...USE_CASES],
})
export class PublishingModule {}
