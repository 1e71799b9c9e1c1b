import { once } from 'node:events';
import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { redisOptionsFromUrl } from './redis-options';

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

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<Redis> => {
        const redis = new IORedis({
          ...redisOptionsFromUrl(config.redisUrl),
          keyPrefix: `${config.redisKeyPrefix}:`,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        });
        redis.on('error', () => undefined); // surfaced through readiness and 503s, not crashes
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
