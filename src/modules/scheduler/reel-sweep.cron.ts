import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Cron, CronExpression, SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/app-config';
import { CleanUploads, SweepReels } from '../publishing/use-cases/sweep-reels.use-case';

export const REEL_SWEEP_CRON = 'reel-sweep';

/** REELS_SWEEP_CRON → enqueue due reels (PostgreSQL is the truth); hourly → delete finished or expired uploads. */
@Injectable()
export class ReelSweepCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReelSweepCron.name);
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly sweep: SweepReels,
    private readonly uploads: CleanUploads,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.reels.sweepCron,
      onTick: () => this.tick(),
      start: false,
      waitForCompletion: true,
    });
    this.registry.addCronJob(REEL_SWEEP_CRON, job);
    job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', REEL_SWEEP_CRON)) await this.registry.getCronJob(REEL_SWEEP_CRON).stop();
    await this.running;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep
      .execute()
      .catch((err: unknown) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'reel sweep failed'));
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'upload-cleanup' })
  async cleanUploads(): Promise<void> {
    await this.uploads
      .execute()
      .catch((err: unknown) =>
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'upload cleanup failed'),
      );
  }
}
