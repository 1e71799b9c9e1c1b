import { ServiceUnavailableException } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ResilientThrottlerStorage, throttleFallback } from './resilient-throttler-storage';

describe('throttleFallback', () => {
  it.each([
    [true, 'auth', 'redis'],
    [true, 'default', 'redis'],
    [false, 'auth', 'closed'], // register/login: brute-force limits hold across instances or not at all
    [false, 'default', 'memory'], // everything else keeps working, limited per instance
  ])('redis usable %s, throttler %s → %s', (usable, name, expected) => {
    expect(throttleFallback(usable, name)).toBe(expected);
  });
});

describe('ResilientThrottlerStorage', () => {
  const record = { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  const storage = (increment: ThrottlerStorage['increment']): ThrottlerStorage => ({ increment });

  it('should use Redis while it answers', async () => {
    const s = new ResilientThrottlerStorage(
      storage(() => Promise.resolve({ ...record, totalHits: 7 })),
      { status: 'ready' },
    );
    await expect(s.increment('k', 60_000, 10, 60_000, 'default')).resolves.toMatchObject({ totalHits: 7 });
  });

  it('should not wait for a client that is not connected', async () => {
    const redis = jest.fn(() => new Promise<typeof record>(() => undefined));
    const s = new ResilientThrottlerStorage(storage(redis), { status: 'reconnecting' });
    await expect(s.increment('k', 60_000, 10, 60_000, 'default')).resolves.toMatchObject({ totalHits: 1 });
    await expect(s.increment('k', 60_000, 10, 60_000, 'auth')).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(redis).not.toHaveBeenCalled();
  });

  it('should fall back after a connection error or a timeout, and still count per instance', async () => {
    const failing = new ResilientThrottlerStorage(
      storage(() => Promise.reject(refused)),
      { status: 'ready' },
    );
    await failing.increment('k', 60_000, 2, 60_000, 'default');
    await failing.increment('k', 60_000, 2, 60_000, 'default');
    await expect(failing.increment('k', 60_000, 2, 60_000, 'default')).resolves.toMatchObject({ isBlocked: true });
    const hung = new ResilientThrottlerStorage(
      storage(() => new Promise(() => undefined)),
      { status: 'ready' },
      20,
    );
    await expect(hung.increment('k', 60_000, 10, 60_000, 'auth')).rejects.toBeInstanceOf(ServiceUnavailableException);
  });

  it('should pass any other error through', async () => {
    const s = new ResilientThrottlerStorage(
      storage(() => Promise.reject(new Error('ERR wrong number of arguments'))),
      {
        status: 'ready',
      },
    );
    await expect(s.increment('k', 60_000, 10, 60_000, 'default')).rejects.toThrow('wrong number');
  });
});
