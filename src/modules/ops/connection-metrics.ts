import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { ConnectionEvents, ConnectionObserver, type CheckActor, type CheckOutcome } from '../connections/connection-observer';
import { ConnectionsModule } from '../connections/connections.module';
import { LifecycleMetrics } from './lifecycle-metrics';

/** Counts every check, in one place, as an observer of the connections module. */
@Injectable()
export class ConnectionMetricsObserver extends ConnectionObserver implements OnModuleInit {
  constructor(
    private readonly metrics: LifecycleMetrics,
    private readonly events: ConnectionEvents,
  ) {
    super();
  }

  onModuleInit(): void {
    this.events.subscribe(this);
  }

  override checked(actor: CheckActor, outcome: CheckOutcome, extended?: boolean): void {
    this.metrics.checks.inc({ actor, outcome });
    if (extended !== undefined) this.metrics.refreshes.inc({ actor, extended: String(extended) });
  }
}

/** api and worker roles: check counters (needs MetricsModule, which is global). */
@Module({
  imports: [ConnectionsModule],
  providers: [ConnectionMetricsObserver],
})
export class ConnectionMetricsModule {}
