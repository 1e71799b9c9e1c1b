import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Heartbeat } from './common/health/heartbeat';
import { CoreModule, type CoreOptions } from './core.module';
import { TokenSweepCron } from './modules/scheduler/token-sweep.cron';
import { TokenSweepModule } from './modules/scheduler/token-sweep.module';
import { HousekeepingCron } from './modules/scheduler/housekeeping.cron';
import { HousekeepingModule } from './modules/scheduler/housekeeping.module';
import { PublishingModule } from './modules/publishing/publishing.module';
import { ReelSweepCron } from './modules/scheduler/reel-sweep.cron';

export interface SchedulerOptions extends CoreOptions {
  /** false: the sweep only, no cron (`npm run tokens:sweep`, tests). */
  cron?: boolean;
}

/** The scheduler role: TOKEN_REFRESH_CRON and REELS_SWEEP_CRON → sweep PostgreSQL for due work → enqueue; HOUSEKEEPING_CRON → housekeeping. */
@Module({})
export class SchedulerModule {
  static forRoot(options: SchedulerOptions = {}): DynamicModule {
    const cron = options.cron !== false;
    return {
      module: SchedulerModule,
      imports: [
        CoreModule.forRoot(options),
        TokenSweepModule,
        HousekeepingModule,
        PublishingModule,
        ...(cron ? [ScheduleModule.forRoot()] : []),
      ],
      providers: cron ? [TokenSweepCron, ReelSweepCron, HousekeepingCron, Heartbeat] : [],
      exports: [TokenSweepModule, HousekeepingModule, PublishingModule],
    };
  }
}
