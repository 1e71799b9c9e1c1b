import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { GraphCallObserver, type GraphCallInfo } from '../graph/graph-call-observer';

/**
 * The lifecycle counters, on a registry of this process's own (not prom-client's global one, so
 * several app instances can live in one process, as in the e2e tests).
 */
@Injectable()
export class LifecycleMetrics {
  readonly registry = new Registry();
  readonly checks = new Counter({
    name: 'autoreels_token_checks_total',
    help: 'Token checks, by who asked (worker: scheduled; user: the refresh routes) and outcome (ok, needs_reconnect, revoked, retry, failed).',
    labelNames: ['actor', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly refreshes = new Counter({
    name: 'autoreels_token_refreshes_total',
    help: 'Verified token refreshes stored, by who asked and whether Facebook moved the expiry.',
    labelNames: ['actor', 'extended'] as const,
    registers: [this.registry],
  });
  readonly metaErrors = new Counter({
    name: 'autoreels_meta_errors_total',
    help: 'Failed Meta Graph calls, by Meta error code and our error kind.',
    labelNames: ['code', 'kind'] as const,
    registers: [this.registry],
  });
  readonly alertEmails = new Counter({
    name: 'autoreels_alert_emails_total',
    help: 'Alert e-mail jobs, by outcome (sent, logged, already_sent, skipped, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/** Counts every failed Graph call (MetaGraphApiClient reports to an optional GraphCallObserver). */
@Injectable()
export class MetricsGraphObserver extends GraphCallObserver {
  constructor(private readonly metrics: LifecycleMetrics) {
    super();
  }

  onCall(info: GraphCallInfo): void {
    if (info.outcome !== 'ok') this.metrics.metaErrors.inc({ code: String(info.code ?? 'none'), kind: info.outcome });
  }
}

/** Global so the Graph client (in GraphModule) sees the observer wherever it is built. */
@Global()
@Module({
  providers: [LifecycleMetrics, MetricsGraphObserver, { provide: GraphCallObserver, useExisting: MetricsGraphObserver }],
  exports: [LifecycleMetrics, GraphCallObserver],
})
export class MetricsModule {}
