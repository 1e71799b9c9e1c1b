import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { REEL_PUBLISHING_QUEUE, type ReelPublishingJob } from '../queue/queue.constants';
import { closeWorker, startWorker } from '../queue/worker-factory';
import { ReelQueue } from './reel-queue';
import { AdvanceReel, type AdvanceResult } from './use-cases/advance-reel.use-case';

/**
 * reel-publishing queue → one AdvanceReel run per job; when the reel must wait (polling, quota,
 * a transient failure), the next job is added for its next_attempt_at.
 */
@Injectable()
export class ReelPublishingProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private _worker: Worker<ReelPublishingJob> | undefined;

  constructor(
    private readonly advance: AdvanceReel,
    private readonly queue: ReelQueue,
    private readonly config: AppConfig,
  ) {}

  get worker(): Worker<ReelPublishingJob> | undefined {
    return this._worker;
  }

  onApplicationBootstrap(): void {
    this._worker = startWorker<ReelPublishingJob>(REEL_PUBLISHING_QUEUE, (job) => this.process(job), this.config);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await closeWorker(this._worker);
  }

  async process(job: Job<ReelPublishingJob>): Promise<AdvanceResult> {
    const result = await this.advance.execute(job.data.reelId);
    if (result.nextAt) {
      // never the id of this very job (a due time already past): it would be ignored as a duplicate
      const at = Math.max(result.nextAt.getTime(), Date.now() + 50);
      await this.queue.enqueue(job.data.reelId, new Date(at));
    }
    return result;
  }
}
