import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { QueuesModule } from '../queue/queues.module';
import { ConnectionMetricsModule } from './connection-metrics';
import { MetricsModule } from './lifecycle-metrics';
import { MetricsController } from './metrics.controller';
import { ScrapeGauges } from './scrape-gauges';

/** api role ops: /metrics (Prometheus). Bull Board is mounted by configureApp (mountBullBoard). */
@Module({
  imports: [MetricsModule, ConnectionMetricsModule, ConnectionsModule, QueuesModule],
  controllers: [MetricsController],
  providers: [ScrapeGauges],
  exports: [QueuesModule],
})
export class OpsModule {}
