import { DynamicModule, Module } from '@nestjs/common';
import { Heartbeat } from './common/health/heartbeat';
import { CoreModule, type CoreOptions } from './core.module';
import { AlertMailModule } from './modules/alerts/alert-mail.module';
import { ConnectionMetricsModule } from './modules/ops/connection-metrics';
import { MetricsModule } from './modules/ops/lifecycle-metrics';
import { WorkerMetricsServer } from './modules/ops/worker-metrics.server';
import { NotificationsProcessor } from './modules/alerts/notifications.processor';
import { TokenMaintenanceProcessor } from './modules/connections/token-maintenance.processor';
import { AlertsModule } from './modules/alerts/alerts.module';
import { ConnectionsModule } from './modules/connections/connections.module';
import { WebhooksWorkerModule } from './modules/webhooks/webhooks.module';
import { PublishingModule } from './modules/publishing/publishing.module';
import { ReelPublishingProcessor } from './modules/publishing/reel-publishing.processor';

import { IntegrationsWorkerModule } from './modules/integrations/integrations.module';

/** The worker role: BullMQ processors (token maintenance, alert e-mail, Meta data deletion, Reels publishing, outbound webhooks). No HTTP API. */
@Module({})
export class WorkerModule {
  static forRoot(options: CoreOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(options),
        MetricsModule,
        ConnectionMetricsModule,
        ConnectionsModule,
        AlertsModule,
        AlertMailModule,
        WebhooksWorkerModule,
        PublishingModule,
        IntegrationsWorkerModule,
      ],
      providers: [TokenMaintenanceProcessor, NotificationsProcessor, ReelPublishingProcessor, WorkerMetricsServer, Heartbeat],
      exports: [TokenMaintenanceProcessor, NotificationsProcessor, ReelPublishingProcessor],
    };
  }
}
