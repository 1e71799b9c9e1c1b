import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OAuthStateEntity } from '../social/oauth-state.entity';
import { OAuthStateService } from '../social/oauth-state.service';
import { DATA_DELETION_QUEUE } from '../webhooks/webhooks.constants';
import { IntegrationsCoreModule } from '../integrations/integrations.module';
import { HousekeepingService } from './housekeeping.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([OAuthStateEntity]),
    BullModule.registerQueue({ name: DATA_DELETION_QUEUE }),
    IntegrationsCoreModule,
  ],
  providers: [OAuthStateService, HousekeepingService],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
