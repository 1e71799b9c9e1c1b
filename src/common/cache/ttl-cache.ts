/**
 * An in-process cache of loads (promises) by key: an entry lives `ttlMs`; concurrent gets of one
 * key share one load; a failed load is not remembered; at most `maxEntries` keys (the least
 * recently loaded is dropped first); a TTL of 0 caches nothing. No I/O of its own: the callers
 * decide what may be cached and who invalidates it (UserAuthCache, ConnectionStatusCache).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The cached value, else `load()`'s (stored); `fresh` loads again and stores that. */
  get(key: K, load: () => Promise<V>, opts: { fresh?: boolean } = {}): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (!opts.fresh && hit && hit.expiresAt > now) return hit.value;
    const value = load();
    if (this.ttlMs > 0) {
      this.entries.delete(key); // re-inserted last: Map order is the eviction order
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      const entry = { value, expiresAt: now + this.ttlMs };
      this.entries.set(key, entry);
      value.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    return value;
  }

  forget(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
