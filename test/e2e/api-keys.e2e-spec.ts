import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { SAM_ID } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

/** Integrators' API keys (DESIGN.md section 10): lifecycle, scopes, revocation, and where a key must never show up. */
describe('API keys (e2e)', () => {
  const logFile = join(tmpdir(), `autoreels-api-keys-${process.pid}.log`);
  let stack: Stack;
  let db: DataSource;
  const seen: string[] = [];

  beforeAll(async () => {
    rmSync(logFile, { force: true });
    // a cache of 0 would hide revocation bugs behind PostgreSQL reads: keep the production default
    stack = await startStack({ LOG_LEVEL: 'debug', LOG_FILE: logFile });
    db = stack.api.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(logFile, { force: true });
  });

  const http = () => stack.http();
  const keep = <T extends { text: string; headers: Record<string, string> }>(res: T): T => {
    seen.push(res.text, JSON.stringify(res.headers));
    return res;
  };
  const createKey = async (auth: string, body: Record<string, unknown>) =>
    keep(await http().post('/auth/api-keys').set('Authorization', auth).send(body).expect(201));

  it('should create a key shown once, list it without the key, and store only its SHA-256', async () => {
    const { auth } = await newUser(stack);
    const created = await createKey(auth, { name: 'CI backend' });
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'CI backend',
      key: expect.stringMatching(/^ark_[A-Za-z0-9_-]{43}$/),
      prefix: created.body.key.slice(0, 12),
      scopes: ['read'],
      created_at: expect.any(String),
      last_used_at: null,
    });
    const list = keep(await http().get('/auth/api-keys').set('Authorization', auth).expect(200));
    expect(list.body).toEqual([{ ...created.body, key: undefined }].map(({ key: _k, ...rest }) => rest));
    expect(list.text).not.toContain(created.body.key);
    const [row] = await db.query<Array<Record<string, unknown>>>(`SELECT * FROM api_keys WHERE id = $1`, [created.body.id]);
    expect(JSON.stringify(row)).not.toContain(created.body.key.slice(4));
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should let a key act as its user on GET routes and set last_used_at without a write per request', async () => {
    const { auth, email } = await newUser(stack);
    const { body: key } = await createKey(auth, { name: 'reader' });
    const bearer = `Bearer ${key.key as string}`;
    const me = keep(await http().get('/auth/me').set('Authorization', bearer).expect(200));
    expect(me.body.email).toBe(email);
    for (let i = 0; i < 5; i++) await http().get('/social/status').set('Authorization', bearer).expect(200);
    // the stamp is written in the background, once
    let lastUsed: string | null = null;
    for (let i = 0; i < 50 && !lastUsed; i++) {
      lastUsed = (await http().get('/auth/api-keys').set('Authorization', auth)).body[0].last_used_at as string | null;
      if (!lastUsed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(lastUsed).not.toBeNull();
    await http().get('/auth/me').set('Authorization', bearer).expect(200);
    const after = (await http().get('/auth/api-keys').set('Authorization', auth)).body[0].last_used_at as string;
    expect(after).toBe(lastUsed); // within the minute: not written again
  });

  it('should refuse a read-only key on anything that changes state, and let a read/write key through', async () => {
    const { auth } = await newUser(stack);
    const read = `Bearer ${(await createKey(auth, { name: 'r' })).body.key as string}`;
    const write = `Bearer ${(await createKey(auth, { name: 'rw', scopes: ['read', 'write'] })).body.key as string}`;
    const denied = await http().post('/social/facebook/login').set('Authorization', read).send({}).expect(403);
    expect(denied.body).toEqual({ statusCode: 403, code: 'INSUFFICIENT_SCOPE', message: expect.any(String) });
    await http().delete('/social/disconnect').set('Authorization', read).expect(403);
    await http().post('/social/refresh-token').set('Authorization', read).expect(403);
    await http()
      .post('/integrations/webhooks')
      .set('Authorization', read)
      .send({ url: 'http://127.0.0.1:9/x', events: ['connection.connected'] })
      .expect(403);
    // the OAuth callback is a GET that stores a connection: a read-only key may not finish it
    const search = await dialog(stack, auth, { user: SAM_ID });
    const cb = await callback(stack, read, search).expect(403);
    expect(cb.body.code).toBe('INSUFFICIENT_SCOPE');
    // a read/write key connects, refreshes and disconnects like the user
    const connected = keep(await callback(stack, write, await dialog(stack, write, { user: SAM_ID })).expect(200));
    expect(connected.body.accounts).toHaveLength(1);
    await http().post('/social/refresh-token').set('Authorization', write).expect(200);
    await http().delete('/social/disconnect').set('Authorization', write).expect(200);
  });

  it('should keep keys off the key routes, the password routes and logout-all', async () => {
    const { auth } = await newUser(stack);
    const write = `Bearer ${(await createKey(auth, { name: 'rw', scopes: ['read', 'write'] })).body.key as string}`;
    for (const req of [
      http().get('/auth/api-keys').set('Authorization', write),
      http().post('/auth/api-keys').set('Authorization', write).send({ name: 'minted by a key' }),
      http().delete('/auth/api-keys/1').set('Authorization', write),
      http().post('/auth/logout-all').set('Authorization', write),
    ]) {
      const res = await req.expect(403);
      expect(res.body.code).toBe('API_KEY_NOT_ALLOWED');
    }
    expect((await http().get('/auth/api-keys').set('Authorization', auth)).body).toHaveLength(1);
  });

  it('should refuse a key at once after it is revoked, and hide other users’ keys', async () => {
    const { auth } = await newUser(stack);
    const other = await newUser(stack);
    const { body: key } = await createKey(auth, { name: 'soon revoked' });
    const bearer = `Bearer ${key.key as string}`;
    await http().get('/auth/me').set('Authorization', bearer).expect(200); // cached now
    await http()
      .delete(`/auth/api-keys/${key.id as number}`)
      .set('Authorization', other.auth)
      .expect(404);
    await http()
      .delete(`/auth/api-keys/${key.id as number}`)
      .set('Authorization', auth)
      .expect(204);
    const res = await http().get('/auth/me').set('Authorization', bearer).expect(401);
    expect(res.body.code).toBe('AUTH_TOKEN_INVALID');
    await http()
      .delete(`/auth/api-keys/${key.id as number}`)
      .set('Authorization', auth)
      .expect(404);
    expect((await http().get('/auth/api-keys').set('Authorization', auth)).body).toEqual([]);
    // a made-up key of the right shape, and garbage
    await http()
      .get('/auth/me')
      .set('Authorization', `Bearer ark_${'A'.repeat(43)}`)
      .expect(401);
    await http().get('/auth/me').set('Authorization', 'Bearer ark_nope').expect(401);
  });

  it('should validate the body', async () => {
    const { auth } = await newUser(stack);
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x', scopes: ['admin'] }, { name: 'x', extra: 1 }]) {
      const res = await http().post('/auth/api-keys').set('Authorization', auth).send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('should never put a key in a response after creation, a log line or Redis', async () => {
    const { auth } = await newUser(stack);
    const { body: key } = await createKey(auth, { name: 'audit', scopes: ['read', 'write'] });
    const secret = key.key as string;
    const bearer = `Bearer ${secret}`;
    keep(await http().get('/social/status').set('Authorization', bearer));
    keep(await http().post('/social/facebook/login').set('Authorization', bearer).send({}));
    keep(await http().get('/auth/api-keys').set('Authorization', auth));
    const createdAnswer = seen.findIndex((s) => s.includes(secret));
    expect(seen.filter((s, i) => i !== createdAnswer && s.includes(secret))).toEqual([]);

    const redis = new IORedis(stack.api.env.REDIS_URL);
    try {
      let cursor = '0';
      const hits: string[] = [];
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${stack.api.env.REDIS_KEY_PREFIX}*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) {
          const type = await redis.type(k);
          const dump = type === 'string' ? await redis.get(k) : type === 'hash' ? JSON.stringify(await redis.hgetall(k)) : '';
          if (k.includes(secret.slice(4, 20)) || dump?.includes(secret.slice(4, 20))) hits.push(k);
        }
      } while (cursor !== '0');
      expect(hits).toEqual([]);
    } finally {
      await redis.quit();
    }
    await new Promise((r) => setTimeout(r, 200)); // let pino flush
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(secret.slice(4, 20));
  });
});
