import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Redis } from 'ioredis';
import { REDIS } from './common/redis/redis.module';
import { ResilientThrottlerStorage } from './common/redis/resilient-throttler-storage';
import { AppConfig } from './config/app-config';
import { CoreModule, type CoreOptions } from './core.module';
import { AuthModule } from './modules/auth/auth.module';
import { isNotAuthRateLimited } from './modules/auth/auth-throttle';
import { HealthModule } from './modules/health/health.module';
import { SocialModule } from './modules/social/social.module';
import { AlertsApiModule } from './modules/alerts/alerts-api.module';
import { OpsModule } from './modules/ops/ops.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { PublishingApiModule } from './modules/publishing/publishing-api.module';
import { IntegrationsModule } from './modules/integrations/integrations.module';

/** The api role: HTTP routes only. */
@Module({})
export class ApiModule {
  static forRoot(options: CoreOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot(options),
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, REDIS],
          useFactory: (config: AppConfig, redis: Redis) => ({
            throttlers: [
              { name: 'default', ttl: 60_000, limit: config.throttle.limit },
              { name: 'auth', ttl: 60_000, limit: config.throttle.authLimit, skipIf: isNotAuthRateLimited },
            ],
            // Redis-backed so limits hold across any number of api instances; while Redis is down,
            // register/login answer 503 and every other route keeps per-instance limits
            storage: new ResilientThrottlerStorage(new ThrottlerStorageRedisService(redis), redis),
          }),
        }),
        AuthModule,
        HealthModule,
        SocialModule,
        AlertsApiModule,
        OpsModule,
        WebhooksModule,
        PublishingApiModule,
        IntegrationsModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
