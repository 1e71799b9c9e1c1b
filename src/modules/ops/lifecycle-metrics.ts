import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { graphFailureVerdict } from '../connections/domain/graph-failure-policy';
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
  readonly metaAppProblems = new Counter({
    name: 'autoreels_meta_app_problems_total',
    help: 'Graph calls Meta refused for an app-level reason (code 10, 200-299: our app lacks a permission or feature). Alert on any increase: users are not asked to reconnect for these.',
    labelNames: ['code', 'operation'] as const,
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

/**
 * Counts every failed Graph call (MetaGraphApiClient reports to an optional GraphCallObserver),
 * and alerts ops when the failure table calls it an app-level problem (code 10, 200-299): one
 * structured error line (`alert: "meta_app_problem"`) and `autoreels_meta_app_problems_total`.
 * These reach every caller (connect, checks, publishing); the user is not alerted for them.
 */
@Injectable()
export class MetricsGraphObserver extends GraphCallObserver {
  private readonly logger = new Logger('MetaAppProblem');

  constructor(private readonly metrics: LifecycleMetrics) {
    super();
  }

  onCall(info: GraphCallInfo): void {
    if (info.outcome === 'ok') return;
    const code = String(info.code ?? 'none');
    this.metrics.metaErrors.inc({ code, kind: info.outcome });
    if (graphFailureVerdict({ kind: info.outcome, code: info.code }).action === 'app_problem') {
      this.metrics.metaAppProblems.inc({ code, operation: info.operation });
      this.logger.error(
        { alert: 'meta_app_problem', code: info.code ?? null, operation: info.operation },
        'Meta refused a call for an app-level reason (permission or feature of the Facebook app); check App Review, access levels and the app settings',
      );
    }
  }
}

/** Global so the Graph client (in GraphModule) sees the observer wherever it is built. */
@Global()
@Module({
  providers: [LifecycleMetrics, MetricsGraphObserver, { provide: GraphCallObserver, useExisting: MetricsGraphObserver }],
  exports: [LifecycleMetrics, GraphCallObserver],
})
export class MetricsModule {}
