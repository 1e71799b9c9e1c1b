import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NOTIFICATIONS_QUEUE } from '../queue/queue.constants';
import { ConnectionsModule } from '../connections/connections.module';
import { AlertEntity } from './alert.entity';
import { AlertsService } from './alerts.service';

@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity]), ConnectionsModule, BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE })],
  providers: [AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
