import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ConnectionsModule } from '../connections/connections.module';
import { QueuesModule } from '../queue/queues.module';
import { TokenSweepService } from './token-sweep.service';

@Module({
  imports: [QueuesModule, ConnectionsModule, AlertsModule],
  providers: [TokenSweepService],
  exports: [TokenSweepService],
})
export class TokenSweepModule {}
