import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { closeWorker, startWorker } from '../queue/worker-factory';
import { DataDeletionService } from './data-deletion.service';
import { DATA_DELETION_QUEUE, type DataDeletionJob } from './webhooks.constants';

/** Worker role: data-deletion queue → one DataDeletionService.process(requestId) per job (idempotent). */
@Injectable()
export class DataDeletionProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private _worker: Worker<DataDeletionJob> | undefined;

  constructor(
    private readonly deletion: DataDeletionService,
    private readonly config: AppConfig,
  ) {}

  get worker(): Worker<DataDeletionJob> | undefined {
    return this._worker;
  }

  onApplicationBootstrap(): void {
    this._worker = startWorker<DataDeletionJob>(DATA_DELETION_QUEUE, (job) => this.process(job), this.config, {
      concurrency: Math.min(this.config.queue.concurrency, 5),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this._worker);
  }

  process(job: Job<DataDeletionJob>): Promise<void> {
    return this.deletion.process(job.data.requestId);
  }
}
