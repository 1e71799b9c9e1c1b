import { DynamicModule, Module } from '@nestjs/common';
import { CoreModule, type CoreOptions } from './core.module';
import { AlertMailModule } from './modules/alerts/alert-mail.module';
import { MetricsModule } from './modules/ops/lifecycle-metrics';
import { WorkerMetricsServer } from './modules/ops/worker-metrics.server';
import { NotificationsProcessor } from './modules/queue/notifications.processor';
import { TokenMaintenanceProcessor } from './modules/queue/token-maintenance.processor';
import { DueAccountsRepository } from './modules/scheduler/due-accounts.repository';
import { TokenMaintenanceModule } from './modules/tokens/token-maintenance.module';
import { WebhooksWorkerModule } from './modules/webhooks/webhooks.module';

/** The worker role: BullMQ processors (token maintenance, alert e-mail, Meta data deletion). No HTTP API. */
@Module({})
export class WorkerModule {
  static forRoot(options: CoreOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(options), MetricsModule, TokenMaintenanceModule, AlertMailModule, WebhooksWorkerModule],
      providers: [DueAccountsRepository, TokenMaintenanceProcessor, NotificationsProcessor, WorkerMetricsServer],
      exports: [TokenMaintenanceProcessor, NotificationsProcessor],
    };
  }
}
