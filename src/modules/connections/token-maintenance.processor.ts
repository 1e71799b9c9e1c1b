import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job, type MinimalJob, type Worker } from 'bullmq';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { ConnectionRepository } from './connection.repository';
import { CheckConnection, LeaseHeldError, RetryLaterError, type CheckResult } from './use-cases/check-connection.use-case';
import { dueAtOfJobId, LIFECYCLE_BACKOFF, retryDelayMs } from '../queue/job-policy';
import { TOKEN_MAINTENANCE_QUEUE, type TokenMaintenanceJob } from '../queue/queue.constants';
import { closeWorker, startWorker } from '../queue/worker-factory';

/** A check that ended without moving next_check_at is looked at again this much later. */
const RECHECK_AFTER_SUCCESS_MS = 15 * 60_000;
const RECHECK_AFTER_FAILURE_MS = 60 * 60_000;
/** A job that found the account leased runs again this long after the lease ends. */
export const LEASE_RETRY_MARGIN_MS = 250;

/** BullMQ backoffStrategy: exponential with jitter from the job's base delay, never sooner than Meta asked. */
export function lifecycleBackoff(
  attemptsMade: number,
  type: string | undefined,
  err: Error | undefined,
  job: MinimalJob | undefined,
): number {
  const base = (type === LIFECYCLE_BACKOFF && typeof job?.opts.backoff === 'object' ? job.opts.backoff.delay : undefined) ?? 5000;
  const minDelayMs = err instanceof RetryLaterError ? err.delayMs : err instanceof LeaseHeldError ? err.retryInMs : undefined;
  return retryDelayMs({ attemptsMade, baseMs: base, minDelayMs });
}

/**
 * token-maintenance queue → one CheckConnection.execute(accountId, 'worker') per job.
 * Transient Meta failures retry with backoff (RetryLaterError); an account leased by another run
 * (LeaseHeldError) goes back to "delayed" until the lease ends, without using an attempt; 190/permission failures are stored
 * by the service and complete the job (never retried); an unexpected rejection is unrecoverable.
 */
@Injectable()
export class TokenMaintenanceProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TokenMaintenanceProcessor.name);
  private _worker: Worker<TokenMaintenanceJob> | undefined;

  constructor(
    private readonly check: CheckConnection,
    private readonly due: ConnectionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get worker(): Worker<TokenMaintenanceJob> | undefined {
    return this._worker;
  }

  onApplicationBootstrap(): void {
    this._worker = startWorker<TokenMaintenanceJob>(
      TOKEN_MAINTENANCE_QUEUE,
      (job, token) => this.process(job, token),
      this.config,
      {
        settings: { backoffStrategy: lifecycleBackoff },
      },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this._worker);
  }

  async process(job: Job<TokenMaintenanceJob>, token?: string): Promise<CheckResult> {
    const { accountId } = job.data;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const result = await this.check.execute(accountId, 'worker');
      // a check that moved next_check_at away from this job's due time needs no defer (saves a query)
      const next = result.next_check_at === null ? null : Date.parse(result.next_check_at);
      if (next !== null && next === dueAtOfJobId(job.id)) await this.deferIfUnmoved(job, RECHECK_AFTER_SUCCESS_MS);
      return result;
    } catch (err) {
      if (err instanceof LeaseHeldError && token) {
        // back to "delayed" until the lease ends: costs no attempt, and the job is not "completed"
        await job.moveToDelayed(Date.now() + err.retryInMs + LEASE_RETRY_MARGIN_MS, token);
        this.logger.log({ accountId, retryInMs: err.retryInMs }, 'account leased by another run; check delayed');
        throw new DelayedError();
      }
      if (err instanceof RetryLaterError) {
        if (lastAttempt) await this.deferIfUnmoved(job, RECHECK_AFTER_FAILURE_MS);
        throw err;
      }
      if (err instanceof DomainError) {
        // Meta rejected the request itself (bad-request): retrying would get the same answer
        await this.deferIfUnmoved(job, RECHECK_AFTER_FAILURE_MS);
        throw new UnrecoverableError(`${err.code}: ${err.message}`);
      }
      // our side (database, network): retry with backoff
      if (lastAttempt) await this.deferIfUnmoved(job, RECHECK_AFTER_FAILURE_MS).catch(() => undefined);
      throw err instanceof Error ? err : new Error(String(err));
    }
  }

  private async deferIfUnmoved(job: Job<TokenMaintenanceJob>, afterMs: number): Promise<void> {
    const dueAt = dueAtOfJobId(job.id);
    if (dueAt === null) return;
    const moved = await this.due.deferIfUnchanged(job.data.accountId, dueAt, new Date(this.clock.now().getTime() + afterMs));
    if (moved) this.logger.log({ accountId: job.data.accountId, afterMs }, 'check deferred');
  }
}
