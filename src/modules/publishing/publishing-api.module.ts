import { Module } from '@nestjs/common';
import { MediaController } from './media.controller';
import { PublishingModule } from './publishing.module';
import { ReelsController } from './reels.controller';
import { UploadFileResponder } from './upload-file.responder';

/** The api role's publishing routes, and the signed URL Meta fetches Instagram-Login uploads from. */
@Module({ imports: [PublishingModule], controllers: [ReelsController, MediaController], providers: [UploadFileResponder] })
export class PublishingApiModule {}
