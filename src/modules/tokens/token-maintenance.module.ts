import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { GraphModule } from '../graph/graph.module';
import { TokenMaintenanceService } from './token-maintenance.service';
import { TokensModule } from './tokens.module';

/** Keeping connections alive: used by the api (refresh routes) and the worker (scheduled checks). */
@Module({
  imports: [TokensModule, AlertsModule, GraphModule],
  providers: [TokenMaintenanceService],
  exports: [TokenMaintenanceService],
})
export class TokenMaintenanceModule {}
