import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { SocialStatesModule } from '../social/social-states.module';
import { DATA_DELETION_QUEUE } from '../webhooks/webhooks.constants';
import { IntegrationsCoreModule } from '../integrations/integrations.module';
import { HousekeepingService } from './housekeeping.service';

@Module({
  imports: [SocialStatesModule, BullModule.registerQueue({ name: DATA_DELETION_QUEUE }), IntegrationsCoreModule],
  providers: [HousekeepingService],
  exports: [HousekeepingService],
})
export class HousekeepingModule {}
