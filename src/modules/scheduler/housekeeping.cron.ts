import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/app-config';
import { HousekeepingService } from './housekeeping.service';

export const HOUSEKEEPING_CRON = 'housekeeping';

/**
 * Runs housekeeping on HOUSEKEEPING_CRON (hourly by default) in the scheduler role only; registered
 * at boot like the token sweep (tests and the sweep CLI call the service directly). A failure is
 * logged and the next tick tries again; overlapping ticks in one process are skipped.
 */
@Injectable()
export class HousekeepingCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HousekeepingCron.name);
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly housekeeping: HousekeepingService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.housekeepingCron,
      onTick: () => this.run(),
      start: false,
      waitForCompletion: true,
    });
    this.registry.addCronJob(HOUSEKEEPING_CRON, job);
    job.start();
    this.logger.log({ cron: this.config.housekeepingCron }, 'housekeeping scheduled');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', HOUSEKEEPING_CRON)) await this.registry.getCronJob(HOUSEKEEPING_CRON).stop();
    await this.running;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = this.housekeeping.run().catch((err: unknown) => {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'housekeeping failed; retrying on the next tick',
      );
    });
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }
}
