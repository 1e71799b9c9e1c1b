import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { reelJobId, reelJobOptions } from '../queue/job-policy';
import { REEL_PUBLISHING_QUEUE, type ReelPublishingJob } from '../queue/queue.constants';

/** Hands a reel to the worker at its due time (jobs carry the id only; the id is deterministic). */
@Injectable()
export class ReelQueue {
  constructor(
    @InjectQueue(REEL_PUBLISHING_QUEUE) private readonly queue: Queue<ReelPublishingJob>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async enqueue(reelId: number, dueAt: Date): Promise<void> {
    const opts = reelJobOptions(reelId, dueAt.getTime(), this.clock.now().getTime(), this.config.queue);
    await this.queue.add('publish', { reelId }, opts);
  }

  /** The sweep: add what Redis does not hold (lost, never added) and give failed jobs another run. */
  async ensure(reelId: number, dueAtMs: number): Promise<boolean> {
    const existing = await this.queue.getJob(reelJobId(reelId, dueAtMs));
    if (!existing) {
      await this.enqueue(reelId, new Date(dueAtMs));
      return true;
    }
    if (await existing.isFailed()) {
      await existing.retry('failed');
      return true;
    }
    return false;
  }
}
