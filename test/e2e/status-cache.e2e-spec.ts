import { DataSource } from 'typeorm';
import {
  ConnectionStatusCache,
  STATUS_FEED_APPLICATION_NAME,
} from '../../src/modules/connections/persistence/connection-status-cache';
import { waitFor } from '../helpers/lifecycle';
import { SAM_ID } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

/**
 * GET /social/status is served from the api's memory only while PostgreSQL's change feed (NOTIFY
 * from a trigger on instagram_tokens) is live, and any change, from any connection, evicts it.
 * "From memory" is made visible by switching the trigger off for a moment: a change PostgreSQL
 * does not announce stays unseen exactly as long as the answer is cached.
 */
describe('status cache: evicted by PostgreSQL NOTIFY, bypassed while the feed is down (e2e)', () => {
  let stack: Stack;
  let db: DataSource;
  let cache: ConnectionStatusCache;
  let auth: string;
  let userId: number;

  beforeAll(async () => {
    stack = await startStack();
    db = stack.api.app.get(DataSource);
    cache = stack.api.app.get(ConnectionStatusCache);
    ({ auth } = await newUser(stack));
    userId = (await stack.http().get('/auth/me').set('Authorization', auth).expect(200)).body.id as number;
    await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
  });
  afterAll(async () => {
    await db.query(`ALTER TABLE instagram_tokens ENABLE TRIGGER instagram_tokens_notify_update`);
    await stack.close();
  });

  const status = async () => (await stack.http().get('/social/status').set('Authorization', auth).expect(200)).body;
  const rename = (name: string) =>
    db.query(`UPDATE instagram_tokens SET instagram_username = $2 WHERE user_id = $1`, [userId, name]);
  const live = () => waitFor('the status cache to listen', async () => (await status()) && cache.isLive, 10_000, 100);
  const listenerPid = async () =>
    (
      await db.query<Array<{ pid: number }>>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
        [STATUS_FEED_APPLICATION_NAME],
      )
    ).map((r) => r.pid);

  it('should answer from memory while nothing changed, and show a change as soon as PostgreSQL announces it', async () => {
    await live();
    expect((await status()).instagram_username).toBe('sam.studio');
    expect(cache.size).toBeGreaterThan(0);

    await db.query(`ALTER TABLE instagram_tokens DISABLE TRIGGER instagram_tokens_notify_update`);
    await rename('unannounced');
    expect((await status()).instagram_username).toBe('sam.studio'); // cached: the change was not announced
    await db.query(`ALTER TABLE instagram_tokens ENABLE TRIGGER instagram_tokens_notify_update`);

    await rename('announced'); // another connection's UPDATE: the trigger NOTIFYs, the entry goes
    await waitFor('the announced change', async () => (await status()).instagram_username === 'announced', 5_000, 20);
  });

  it('should evict on DELETE and INSERT too', async () => {
    await live();
    await status();
    const [{ row }] = await db.query<Array<{ row: object }>>(
      `WITH d AS (DELETE FROM instagram_tokens WHERE user_id = $1 RETURNING *) SELECT row_to_json(d) AS row FROM d`,
      [userId],
    );
    await waitFor('the deletion', async () => (await status()).is_connected === false, 5_000, 20);
    await db.query(`INSERT INTO instagram_tokens SELECT * FROM json_populate_record(NULL::instagram_tokens, $1)`, [
      JSON.stringify(row),
    ]);
    await waitFor('the insertion', async () => (await status()).is_connected === true, 5_000, 20);
  });

  it('should read through PostgreSQL while the LISTEN connection is gone, then cache again once it is back', async () => {
    await live();
    await status();
    const pids = await listenerPid();
    expect(pids.length).toBeGreaterThan(0);
    await db.query(`ALTER TABLE instagram_tokens DISABLE TRIGGER instagram_tokens_notify_update`);
    try {
      await db.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid`, [pids]);
      await waitFor('the cache to notice', () => Promise.resolve(!cache.isLive), 5_000, 20);
      // with no feed, an unannounced change is still seen at once: nothing is served from memory
      await rename('while-feed-down');
      expect((await status()).instagram_username).toBe('while-feed-down');
      expect(cache.size).toBe(0);
    } finally {
      await db.query(`ALTER TABLE instagram_tokens ENABLE TRIGGER instagram_tokens_notify_update`);
    }
    await live(); // it listens again by itself
    await rename('after-reconnect');
    await waitFor(
      'a change after the reconnect',
      async () => (await status()).instagram_username === 'after-reconnect',
      5_000,
      20,
    );
  });
});
