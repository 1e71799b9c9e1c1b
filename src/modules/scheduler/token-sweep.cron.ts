import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/app-config';
import { TokenSweepService } from './token-sweep.service';

export const TOKEN_SWEEP_CRON = 'token-sweep';

/**
 * Runs the sweep on TOKEN_REFRESH_CRON (registered at boot, since @Cron() takes only a literal).
 * Overlapping ticks in one process are skipped; other schedulers are harmless (deterministic ids).
 */
@Injectable()
export class TokenSweepCron implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TokenSweepCron.name);
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly sweeps: TokenSweepService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.tokens.refreshCron,
      onTick: () => this.tick(),
      start: false,
      waitForCompletion: true,
    });
    this.registry.addCronJob(TOKEN_SWEEP_CRON, job);
    job.start();
    this.logger.log({ cron: this.config.tokens.refreshCron }, 'token sweep scheduled');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', TOKEN_SWEEP_CRON)) await this.registry.getCronJob(TOKEN_SWEEP_CRON).stop();
    await this.running;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweeps.sweep().catch((err: unknown) =>
      // Redis or PostgreSQL down: the next tick sweeps again from PostgreSQL
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'token sweep failed'),
    );
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }
}
