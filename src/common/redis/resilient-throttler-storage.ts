import { ServiceUnavailableException } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { isConnectionError } from './redis-state';

/** The throttlers that must hold across instances or not at all: register and login. */
export const FAIL_CLOSED_THROTTLERS = new Set(['auth']);

/** How long a request waits for the Redis counter before the fallback decides (ms). */
export const THROTTLE_REDIS_TIMEOUT_MS = 250;

export type ThrottleFallback = 'redis' | 'memory' | 'closed';

/**
 * Pure rule: where a request's counter goes. Redis while it answers; when it does not, the
 * `auth` throttler (register/login, brute-force protection) fails closed with a 503, every other
 * route keeps working with this instance's in-memory counters (limits then hold per instance).
 */
export function throttleFallback(redisUsable: boolean, throttlerName: string): ThrottleFallback {
  if (redisUsable) return 'redis';
  return FAIL_CLOSED_THROTTLERS.has(throttlerName) ? 'closed' : 'memory';
}

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

class RedisTimeout extends Error {}

interface ReadinessSource {
  readonly status: string;
}

/**
 * The api's ThrottlerStorage (DESIGN.md section 7, "Redis down"): Redis-backed counters shared by
 * every instance, with a short timeout and no wait at all while the client is not connected.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage {
  /** Per-instance fallback counters (its sweep timer is unref'd: it never holds the process). */
  private readonly memory = new ThrottlerStorageService();

  constructor(
    private readonly redisStorage: ThrottlerStorage,
    private readonly client: ReadinessSource,
    private readonly timeoutMs = THROTTLE_REDIS_TIMEOUT_MS,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.client.status === 'ready') {
      try {
        return await this.withTimeout(this.redisStorage.increment(key, ttl, limit, blockDuration, throttlerName));
      } catch (err) {
        if (!(err instanceof RedisTimeout) && !isConnectionError(err)) throw err;
      }
    }
    if (throttleFallback(false, throttlerName) === 'closed') {
      throw new ServiceUnavailableException(
        'Sign-in and sign-up are paused while the rate limiter is unavailable; try again shortly.',
      );
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeout(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    p.catch(() => undefined); // a late rejection after the timeout is not unhandled
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}
