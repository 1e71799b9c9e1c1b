import { Logger } from '@nestjs/common';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import { redisReconnectDelay } from '../../common/redis/redis-options';
import { isConnectionError, redisState } from '../../common/redis/redis-state';
import type { AppConfig } from '../../config/app-config';

/** How long a SIGTERM waits for in-flight jobs before leaving the rest to the stall checker. */
export const WORKER_CLOSE_TIMEOUT_MS = 25_000;

/**
 * A BullMQ Worker built from validated config (concurrency, lock duration, prefix), which a
 * static @Processor() decorator cannot take. Errors are logged, never unhandled.
 */
export function startWorker<T>(
  name: string,
  process: (job: Job<T>, token?: string) => Promise<unknown>,
  config: AppConfig,
  extra: Partial<WorkerOptions> = {},
): Worker<T> {
  const logger = new Logger(`Worker:${name}`);
  const worker = new Worker<T>(name, process, {
    connection: { url: config.redisUrl, maxRetriesPerRequest: null, retryStrategy: redisReconnectDelay },
    prefix: config.redisKeyPrefix,
    concurrency: config.queue.concurrency,
    lockDuration: config.queue.lockMs,
    stalledInterval: Math.min(config.queue.lockMs, 30_000),
    maxStalledCount: 2,
    ...extra,
  });
  // Redis unreachable: one line per outage for the whole role (redis-state), not one per retry
  worker.on('error', (err) =>
    isConnectionError(err) ? redisState.error(`worker:${name}`, err) : logger.error({ err: err.message }, 'worker error'),
  );
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled (its worker died or blocked); it runs again'));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      logger.warn({ jobId: job.id, err: err.message }, 'job failed for good');
  });
  return worker;
}

/** Graceful close: in-flight jobs finish; past the timeout, force (their locks expire, another worker retries). */
export async function closeWorker(worker: Worker | undefined, timeoutMs = WORKER_CLOSE_TIMEOUT_MS): Promise<void> {
  if (!worker) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') await worker.close(true);
}
