import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client, type Notification, type Pool } from 'pg';
import { DataSource } from 'typeorm';
import { TtlCache } from '../../../common/cache/ttl-cache';
import { AppConfig } from '../../../config/app-config';

/** The channel migration 1764231300000 notifies on every change to instagram_tokens. */
export const CONNECTIONS_CHANGED_CHANNEL = 'instagram_tokens_changed';
export const STATUS_FEED_APPLICATION_NAME = 'autoreels-status-feed';
const MAX_ENTRIES = 10_000;
/** The listening connection is pinged this often; a failed ping counts as a lost connection. */
const PING_MS = 10_000;
const RECONNECT_MS = 1_000;

/**
 * GET /social/status is what every open settings screen polls, and it changes only when a
 * connection changes (a check, a refresh, a connect, a disconnect…). This keeps each user's last
 * answer in the api process and drops it the moment PostgreSQL says that user's rows changed:
 * a trigger NOTIFYs `instagram_tokens_changed` with the user id from whichever process wrote
 * (api, worker, CLI, data deletion), and one LISTEN connection per api instance hears it.
 *
 * Truthful by construction: the cache is used only while the LISTEN connection is up. Until it
 * is listening, and from the moment it errors, ends or misses a ping, every read goes to
 * PostgreSQL and nothing is cached; on reconnecting it starts empty. STATUS_CACHE_MS bounds an
 * entry's age anyway. A read that raced a change is forgotten when the change's notification
 * arrives (the entry is stored before the query is sent, so a notification cannot precede it).
 *
 * Started lazily by the first read, so roles that never serve the status (worker, scheduler,
 * CLIs) hold no extra connection.
 */
@Injectable()
export class ConnectionStatusCache implements OnApplicationShutdown {
  private readonly logger = new Logger(ConnectionStatusCache.name);
  private readonly cache: TtlCache<number, unknown>;
  private readonly enabled: boolean;
  private client: Client | null = null;
  private listening = false;
  private starting = false;
  private closed = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.enabled = config.statusCacheMs > 0;
    this.cache = new TtlCache(config.statusCacheMs, MAX_ENTRIES);
  }

  /** The user's cached answer while the invalidation feed is live, else `load()` straight through. */
  get<T>(userId: number, load: () => Promise<T>): Promise<T> {
    if (!this.enabled || this.closed) return load();
    if (!this.listening) {
      this.start();
      return load();
    }
    return this.cache.get(userId, load) as Promise<T>;
  }

  /** Whether reads are being served from memory (for tests and ops). */
  get isLive(): boolean {
    return this.listening;
  }

  get size(): number {
    return this.cache.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.stop();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private start(): void {
    if (this.starting || this.closed) return;
    this.starting = true;
    void this.listen().finally(() => (this.starting = false));
  }

  private async listen(): Promise<void> {
    const pool = (this.dataSource.driver as unknown as { master: Pool & { options: object } }).master;
    // named, so ops (and the tests) can find it in pg_stat_activity
    const client = new Client({ ...pool.options, keepAlive: true, application_name: STATUS_FEED_APPLICATION_NAME });
    this.client = client;
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (n: Notification) => this.onNotification(n));
    try {
      await client.connect();
      await client.query(`LISTEN ${CONNECTIONS_CHANGED_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client) return; // lost (or shut down) while connecting
    this.cache.clear(); // nothing from before the feed was live
    this.listening = true;
    let pingPending = false;
    this.pingTimer = setInterval(() => {
      // a ping still unanswered after a whole period: the connection is as good as lost
      if (pingPending) return this.lost(client, new Error('LISTEN connection ping timed out'));
      pingPending = true;
      client.query('SELECT 1').then(
        () => (pingPending = false),
        (err: unknown) => this.lost(client, err),
      );
    }, PING_MS);
    this.pingTimer.unref();
  }

  private onNotification(n: Notification): void {
    if (n.channel !== CONNECTIONS_CHANGED_CHANNEL) return;
    const userId = Number(n.payload);
    if (Number.isInteger(userId)) this.cache.forget(userId);
    else this.cache.clear(); // '*' (TRUNCATE) or anything unexpected
  }

  /** The feed is gone: stop serving from memory at once, forget everything, listen again soon. */
  private lost(client: Client, err?: unknown): void {
    if (this.client !== client) return; // an older client's late event, or already handled
    const wasLive = this.listening;
    this.stop();
    this.client = null;
    void client.end().catch(() => undefined);
    if (wasLive) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : undefined },
        'status cache off: the PostgreSQL LISTEN connection was lost; reading through until it is back',
      );
    }
    if (!this.closed && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.start();
      }, RECONNECT_MS);
      this.retryTimer.unref();
    }
  }

  private stop(): void {
    this.listening = false;
    this.cache.clear();
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.closed && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }
}
