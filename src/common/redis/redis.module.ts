import { once } from 'node:events';
import { Global, Inject, Injectable, Module, OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { redisOptionsFromUrl, redisReconnectDelay } from './redis-options';
import { redisState, reportRedisErrors } from './redis-state';

export const REDIS = Symbol('REDIS');

/**
 * The shared command connection for short-lived state (throttler counters, health pings).
 * One retry per command, so requests answer 503 quickly instead of hanging while Redis is down.
 */
@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Every BullMQ Queue the role registered (BullModule.registerQueue, in any module) gets an error
 * listener: without one, BullMQ prints each failed reconnect as a raw multi-line trace.
 */
@Injectable()
class QueueErrorReporter implements OnModuleInit {
  constructor(private readonly discovery: DiscoveryService) {}
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof Queue) reportRedisErrors(`queue:${instance.name}`, instance);
    }
  }
}

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    QueueErrorReporter,
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<Redis> => {
        const redis = new IORedis({
          ...redisOptionsFromUrl(config.redisUrl),
          keyPrefix: `${config.redisKeyPrefix}:`,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          retryStrategy: redisReconnectDelay,
        });
        // surfaced through readiness and one log line per state change, never a crash or a raw trace
        reportRedisErrors('redis', redis);
        redis.on('ready', () => redisState.ready('redis'));
        // Best effort: start serving with a live connection, but boot anyway when Redis is down.
        await Promise.race([once(redis, 'ready').catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
        return redis;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
