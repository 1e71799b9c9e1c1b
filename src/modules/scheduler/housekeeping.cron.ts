import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { HousekeepingService } from './housekeeping.service';

/** Hourly in the scheduler role (inert without ScheduleModule, so tests call the service directly). */
@Injectable()
export class HousekeepingCron {
  private readonly logger = new Logger(HousekeepingCron.name);

  constructor(private readonly housekeeping: HousekeepingService) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'housekeeping' })
  async run(): Promise<void> {
    await this.housekeeping.run().catch((err: unknown) => {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'housekeeping failed; retrying next hour');
    });
  }
}
