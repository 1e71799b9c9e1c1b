import type { RedisOptions } from 'ioredis';

/** ioredis options from a redis:// or rediss:// URL (BullMQ takes options, not a URL). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.replace('/', '') || 0);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number.isFinite(db) ? db : 0,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** The longest wait between two reconnect attempts of any Redis connection of a role. */
export const REDIS_RECONNECT_MAX_MS = 2000;

/**
 * ioredis `retryStrategy` of every connection a role opens, BullMQ's queues and workers included:
 * 200 ms more per attempt, at most REDIS_RECONNECT_MAX_MS. BullMQ's own default waits e^attempt ms
 * (1 s floor) up to 20 s, so after a 20 s outage the worker and the scheduler saw Redis back only
 * 18 s after it was (test/reliability/redis-restart measured it): longer than reliability.md §14
 * allows (15 s) and than a short sweep period. Reconnecting to a down Redis every 2 s costs nothing.
 */
export function redisReconnectDelay(attempt: number): number {
  return Math.min(Math.max(1, attempt) * 200, REDIS_RECONNECT_MAX_MS);
}
