import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { NOTIFICATIONS_QUEUE, TOKEN_MAINTENANCE_QUEUE } from './queue.constants';

/** Producer handles for both queues (scheduler sweeps, ops views). */
@Module({
  imports: [BullModule.registerQueue({ name: TOKEN_MAINTENANCE_QUEUE }, { name: NOTIFICATIONS_QUEUE })],
  exports: [BullModule],
})
export class QueuesModule {}
