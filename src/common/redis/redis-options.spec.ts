import { REDIS_RECONNECT_MAX_MS, redisOptionsFromUrl, redisReconnectDelay } from './redis-options';

describe('redis options', () => {
  it.each([
    [1, 200],
    [2, 400],
    [5, 1000],
    [10, 2000],
    [12, 2000],
    [1000, 2000],
  ])('should wait %i → %i ms before a reconnect attempt, never more than 2 s however long Redis is down', (attempt, ms) => {
    expect(redisReconnectDelay(attempt)).toBe(ms);
  });

  it('should reconnect well inside a 15 s recovery budget after an outage of any length (BullMQ alone waits up to 20 s)', () => {
    // one attempt every ≤ 2 s: Redis back at any moment is seen within REDIS_RECONNECT_MAX_MS
    expect(Math.max(...Array.from({ length: 500 }, (_, i) => redisReconnectDelay(i + 1)))).toBe(REDIS_RECONNECT_MAX_MS);
  });

  it('should read host, port, db and credentials from the URL', () => {
    expect(redisOptionsFromUrl('rediss://u%40x:p%3Aw@redis.example.com:6380/2')).toMatchObject({
      host: 'redis.example.com',
      port: 6380,
      db: 2,
      username: 'u@x',
      password: 'p:w',
      tls: {},
    });
  });
});
