import { Module } from '@nestjs/common';
import { PublishingModule } from './publishing.module';
import { ReelsController } from './reels.controller';

/** The api role's publishing routes. */
@Module({ imports: [PublishingModule], controllers: [ReelsController] })
export class PublishingApiModule {}
