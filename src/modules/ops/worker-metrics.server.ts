import { createServer, type Server } from 'node:http';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { LifecycleMetrics } from './lifecycle-metrics';
import { metricsAccess } from './metrics-access';

/**
 * The worker has no HTTP API; with WORKER_METRICS_PORT set it serves its counters (checks,
 * refreshes, Meta errors, e-mails, process metrics) for Prometheus. Keep the port internal; with
 * METRICS_TOKEN set it also needs `Authorization: Bearer <METRICS_TOKEN>`.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server: Server | undefined;

  constructor(
    private readonly metrics: LifecycleMetrics,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const port = this.config.workerMetricsPort;
    if (!port) return;
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      const access = metricsAccess(this.config, req, true);
      if (access !== 'ok') {
        res.writeHead(access === 'not_found' ? 404 : 401, { 'WWW-Authenticate': 'Bearer realm="metrics"' }).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    this.server.listen(port, () => this.logger.log({ port }, 'worker metrics listening'));
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
