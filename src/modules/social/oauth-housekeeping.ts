import { Injectable, Logger, Module } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OAuthStateEntity } from './oauth-state.entity';
import { OAuthStateService } from './oauth-state.service';

/** Hourly in the scheduler role: expired login attempts lose their secrets, old ones go. */
@Injectable()
export class OAuthHousekeepingCron {
  private readonly logger = new Logger(OAuthHousekeepingCron.name);

  constructor(private readonly states: OAuthStateService) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'oauth-housekeeping' })
  async run(): Promise<void> {
    try {
      const result = await this.states.purgeExpired();
      if (result.wiped || result.deleted) this.logger.log(result, 'expired login attempts purged');
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'login attempt purge failed; will retry next hour',
      );
    }
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([OAuthStateEntity])],
  providers: [OAuthStateService, OAuthHousekeepingCron],
})
export class OAuthHousekeepingModule {}
