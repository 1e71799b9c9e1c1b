import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggingModule } from './common/logging/logging.module';
import { redisReconnectDelay } from './common/redis/redis-options';
import { RedisModule } from './common/redis/redis.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { dataSourceOptions } from './config/database';

export interface CoreOptions {
  /** Explicit environment (tests); defaults to process.env plus `.env`. */
  env?: Record<string, string | undefined>;
}

/** What every role shares: validated config, logging, PostgreSQL, Redis, the BullMQ connection. */
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions = {}): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        LoggingModule,
        RedisModule,
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.databaseUrl), migrationsRun: false }),
        }),
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            connection: { url: config.redisUrl, maxRetriesPerRequest: null, retryStrategy: redisReconnectDelay },
            prefix: config.redisKeyPrefix,
          }),
        }),
      ],
      exports: [AppConfigModule, TypeOrmModule, BullModule],
    };
  }
}
