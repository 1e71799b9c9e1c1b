import { Module } from '@nestjs/common';
import { QueuesModule } from '../queue/queues.module';
import { MetricsModule } from './lifecycle-metrics';
import { MetricsController } from './metrics.controller';
import { ScrapeGauges } from './scrape-gauges';

/** api role ops: /metrics (Prometheus). Bull Board is mounted by configureApp (mountBullBoard). */
@Module({
  imports: [MetricsModule, QueuesModule],
  controllers: [MetricsController],
  providers: [ScrapeGauges],
  exports: [QueuesModule],
})
export class OpsModule {}
