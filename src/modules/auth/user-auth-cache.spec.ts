import type { AppConfig } from '../../config/app-config';
import { UserAuthCache } from './user-auth-cache';
import type { UserEntity } from './user.entity';

type Row = Pick<UserEntity, 'email' | 'role' | 'tokenVersion'>;
const CREATED = new Date('2026-01-02T03:04:05Z');

function setup(ttlMs: number, rows: Map<number, Row>) {
  const findOne = jest.fn(({ where }: { where: { id: number } }) => {
    const row = rows.get(where.id);
    return Promise.resolve(row ? { ...row, id: where.id, createdAt: CREATED } : null);
  });
  const cache = new UserAuthCache({ findOne } as never, { authUserCacheMs: ttlMs } as AppConfig);
  return { cache, findOne };
}

describe('UserAuthCache', () => {
  afterEach(() => jest.useRealTimers());

  it('should answer from the cache within the TTL and read PostgreSQL again after it', async () => {
    jest.useFakeTimers();
    const rows = new Map<number, Row>([[1, { email: 'a@x.co', role: 'admin', tokenVersion: 0 }]]);
    const { cache, findOne } = setup(5000, rows);
    expect(await cache.get(1)).toEqual({ id: 1, email: 'a@x.co', role: 'admin', tokenVersion: 0, createdAt: CREATED });
    rows.set(1, { email: 'a@x.co', role: 'user', tokenVersion: 0 });
    expect((await cache.get(1))?.role).toBe('admin');
    expect(findOne).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(5001);
    expect((await cache.get(1))?.role).toBe('user');
    expect(findOne).toHaveBeenCalledTimes(2);
  });

  it('should read past the cache when asked for a fresh row, and after forget()', async () => {
    const rows = new Map<number, Row>([[1, { email: 'a@x.co', role: 'admin', tokenVersion: 0 }]]);
    const { cache, findOne } = setup(60000, rows);
    await cache.get(1);
    rows.set(1, { email: 'a@x.co', role: 'user', tokenVersion: 3 });
    expect((await cache.get(1, { fresh: true }))?.role).toBe('user');
    rows.set(1, { email: 'a@x.co', role: 'user', tokenVersion: 4 });
    cache.forget(1);
    expect((await cache.get(1))?.tokenVersion).toBe(4);
    expect(findOne).toHaveBeenCalledTimes(3);
  });

  it('should remember a missing user for the TTL and share one query between concurrent lookups', async () => {
    const { cache, findOne } = setup(60000, new Map());
    const all = await Promise.all(Array.from({ length: 50 }, () => cache.get(7)));
    expect(all.every((u) => u === null)).toBe(true);
    expect(findOne).toHaveBeenCalledTimes(1);
  });

  it('should hold at most MAX_ENTRIES users, dropping the oldest first', async () => {
    const { cache, findOne } = setup(60000, new Map());
    for (let id = 1; id <= UserAuthCache.MAX_ENTRIES + 10; id++) await cache.get(id);
    expect(cache.size).toBe(UserAuthCache.MAX_ENTRIES);
    findOne.mockClear();
    await cache.get(UserAuthCache.MAX_ENTRIES + 10); // newest: still cached
    expect(findOne).not.toHaveBeenCalled();
    await cache.get(1); // oldest: dropped
    expect(findOne).toHaveBeenCalledTimes(1);
  });

  it('should not remember a failed lookup, and cache nothing with a TTL of 0', async () => {
    const { cache, findOne } = setup(60000, new Map<number, Row>([[1, { email: 'a@x.co', role: 'user', tokenVersion: 0 }]]));
    findOne.mockRejectedValueOnce(new Error('Connection terminated'));
    await expect(cache.get(1)).rejects.toThrow('Connection terminated');
    expect(await cache.get(1)).not.toBeNull();
    const uncached = setup(0, new Map());
    await uncached.cache.get(1);
    await uncached.cache.get(1);
    expect(uncached.findOne).toHaveBeenCalledTimes(2);
    expect(uncached.cache.size).toBe(0);
  });
});
