import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('should share one load per key until the TTL, forget a key or everything on demand, and load again when asked fresh', async () => {
    let t = 0;
    let loads = 0;
    const cache = new TtlCache<string, number>(1000, 10, () => t);
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    t = 999;
    expect(await cache.get('a', load)).toBe(1);
    t = 1000;
    expect(await cache.get('a', load)).toBe(2); // expired
    expect(await cache.get('a', load, { fresh: true })).toBe(3);
    await cache.get('b', load);
    cache.forget('a');
    expect(cache.size).toBe(1);
    expect(await cache.get('a', load)).toBe(5);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(await cache.get('b', load)).toBe(6);
  });
});
