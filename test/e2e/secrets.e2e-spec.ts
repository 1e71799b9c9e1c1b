import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { validateEnv } from '../../src/config/env.schema';
import { reencryptAll, reencryptPendingLogins, reencryptWebhookSecrets } from '../../src/cli/tokens-reencrypt';
import { ReconnectLinkService } from '../../src/modules/alerts/reconnect-link.service';
import { TokenVault, tokenAad } from '../../src/modules/connections/token-vault';
import { ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE, ALEX_ID, SAM_ID, control } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

const key = (b: number) => Buffer.alloc(32, b).toString('base64');

describe('secrets never leak (e2e)', () => {
  const logFile = join(tmpdir(), `autoreels-secrets-${process.pid}.log`);
  let stack: Stack;
  let db: DataSource;
  const bodies: string[] = [];

  beforeAll(async () => {
    rmSync(logFile, { force: true });
    stack = await startStack({ LOG_LEVEL: 'debug', LOG_FILE: logFile, TOKEN_ENCRYPTION_KEYS: `k1:${key(1)}` });
    db = stack.api.app.get(DataSource);
  });
  afterAll(async () => {
    await stack.close();
    rmSync(logFile, { force: true });
  });

  const keep = <T extends { text: string; headers: Record<string, string> }>(res: T): T => {
    bodies.push(res.text, JSON.stringify(res.headers));
    return res;
  };

  it('should keep every token out of responses, logs, Redis and plain database columns after a full run', async () => {
    const { auth } = await newUser(stack);
    // connect (with a picker), status, list, history, refresh, a failed refresh, disconnect
    const single = keep(await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })));
    const search = await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE] });
    const offer = keep(await callback(stack, auth, search));
    keep(await callback(stack, auth, search)); // double-submit replay
    const state = new URLSearchParams(search).get('state');
    const picked = keep(
      await stack
        .http()
        .post('/social/facebook/select')
        .set('Authorization', auth)
        .send({ state, ig_user_ids: offer.body.candidates.map((c: { ig_user_id: string }) => c.ig_user_id) }),
    );
    const ids = [single.body.accounts[0].id, ...picked.body.accounts.map((a: { id: number }) => a.id)] as number[];
    keep(await stack.http().get('/social/status').set('Authorization', auth));
    keep(await stack.http().get('/social/accounts').set('Authorization', auth));
    keep(await stack.http().post(`/social/accounts/${ids[1]}/refresh-token`).set('Authorization', auth));
    keep(await stack.http().get(`/social/accounts/${ids[1]}/events`).set('Authorization', auth));

    // what the tokens are, read back through the vault
    const vault = stack.api.app.get(TokenVault);
    const rows = await db.query<Array<{ id: number; long_lived_token: string; access_token: string }>>(
      `SELECT id, long_lived_token, access_token FROM instagram_tokens WHERE id = ANY($1)`,
      [ids],
    );
    const tokens = rows.flatMap((r) => [
      vault.decrypt(r.long_lived_token, tokenAad('instagram_tokens', r.id, 'long_lived_token')),
      vault.decrypt(r.access_token, tokenAad('instagram_tokens', r.id, 'access_token')),
    ]);
    expect(tokens.length).toBe(6);
    expect(tokens.every((t) => t.length > 20)).toBe(true);

    await control(stack.sandbox, 'POST', `/users/${SAM_ID}/invalidate`, { subcode: 460 });
    keep(await stack.http().post(`/social/accounts/${ids[0]}/refresh-token`).set('Authorization', auth));
    keep(await stack.http().delete(`/social/accounts/${ids[2]}`).set('Authorization', auth));
    keep(await stack.http().get('/social/alerts').set('Authorization', auth));
    // an e-mailed reconnect link, followed: its token is a bearer secret too
    const me = await stack.http().get('/auth/me').set('Authorization', auth).expect(200);
    const link = new URL((await stack.api.app.get(ReconnectLinkService).issue(me.body.id as number, ids[0])).url).pathname;
    const linkToken = link.split('/').pop() as string;
    expect(linkToken.length).toBeGreaterThan(80);
    keep(await stack.http().get(link).expect(302));

    // responses
    const everything = bodies.join('\n');
    for (const t of tokens) expect(everything).not.toContain(t);
    // logs (debug level, every request logged)
    expect(existsSync(logFile)).toBe(true);
    const logs = readFileSync(logFile, 'utf8');
    expect(logs.length).toBeGreaterThan(1000);
    for (const t of tokens) expect(logs).not.toContain(t);
    expect(logs).toContain('/social/reconnect/[REDACTED]');
    expect(logs).not.toContain(linkToken);
    expect(logs).not.toMatch(/[?&](code|state)=(?!\[REDACTED\])/);
    // Redis: every key and value under this run's prefix
    const redis = new IORedis('redis://127.0.0.1:6379/0');
    try {
      const keys = await redis.keys(`${stack.api.env.REDIS_KEY_PREFIX}*`);
      const dump: string[] = [...keys];
      for (const k of keys) {
        const type = await redis.type(k);
        if (type === 'string') dump.push((await redis.get(k)) ?? '');
        else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(k)));
        else if (type === 'list') dump.push(...(await redis.lrange(k, 0, -1)));
        else if (type === 'zset') dump.push(...(await redis.zrange(k, 0, -1)));
        else if (type === 'set') dump.push(...(await redis.smembers(k)));
      }
      for (const t of tokens) expect(dump.join('\n')).not.toContain(t);
    } finally {
      redis.disconnect();
    }
    // the database holds ciphertext only
    const tables = ['users', 'instagram_tokens', 'oauth_states', 'token_events', 'alerts'];
    for (const table of tables) {
      const text = JSON.stringify(await db.query(`SELECT * FROM ${table}`));
      for (const t of tokens) expect(text).not.toContain(t);
    }
  });

  it('should move every row and webhook secret to the new first key when the key ring is rotated', async () => {
    const { auth } = await newUser(stack);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    const id = res.body.accounts[0].id as number;
    const hook = await stack
      .http()
      .post('/integrations/webhooks')
      .set('Authorization', auth)
      .send({ url: 'https://hooks.example.com/autoreels', events: ['connection.revoked'] })
      .expect(201);
    const oldVault = stack.api.app.get(TokenVault);
    const before = (
      await db.query<Array<{ access_token: string }>>(`SELECT access_token FROM instagram_tokens WHERE id = $1`, [id])
    )[0];
    const plain = oldVault.decrypt(before.access_token, tokenAad('instagram_tokens', id, 'access_token'));

    const rotated = new TokenVault(
      new AppConfig(validateEnv({ ...stack.api.env, TOKEN_ENCRYPTION_KEYS: `k2:${key(2)},k1:${key(1)}` })),
    );
    const { moved } = await reencryptAll(db, rotated);
    expect(moved).toBeGreaterThanOrEqual(1);
    const after = (
      await db.query<Array<{ access_token: string; token_key_id: string }>>(
        `SELECT access_token, token_key_id FROM instagram_tokens WHERE id = $1`,
        [id],
      )
    )[0];
    expect(after.token_key_id).toBe('k2');
    const onlyNew = new TokenVault(new AppConfig(validateEnv({ ...stack.api.env, TOKEN_ENCRYPTION_KEYS: `k2:${key(2)}` })));
    expect(onlyNew.decrypt(after.access_token, tokenAad('instagram_tokens', id, 'access_token'))).toBe(plain);
    expect((await reencryptAll(db, rotated)).moved).toBe(0); // re-running is a no-op

    // webhook signing secrets ride the same ring: sealed again under k2, the same secret inside
    expect(await reencryptWebhookSecrets(db, rotated)).toEqual({ moved: 1, left: 0 });
    const [{ secret_encrypted: sealed }] = await db.query<Array<{ secret_encrypted: string }>>(
      `SELECT secret_encrypted FROM webhook_endpoints WHERE id = $1`,
      [hook.body.id],
    );
    expect(onlyNew.keyIdOf(sealed)).toBe('k2');
    expect(onlyNew.decrypt(sealed, tokenAad('webhook_endpoints', hook.body.id as number, 'secret'))).toBe(hook.body.secret);
    expect(await reencryptWebhookSecrets(db, rotated)).toEqual({ moved: 0, left: 0 });
  });

  it("should move an open account picker's pending login to the new key too, so the old key can go at once", async () => {
    const { auth, email } = await newUser(stack);
    const search = await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE] });
    expect((await callback(stack, auth, search).expect(200)).body.status).toBe('needs_selection');
    const pending = () =>
      db.query<Array<{ id: string; pending_secret: string }>>(
        `SELECT id, pending_secret FROM oauth_states WHERE pending_secret IS NOT NULL AND user_id = (SELECT id FROM users WHERE email = $1)`,
        [email],
      );
    const [before] = await pending();
    const aad = tokenAad('oauth_states', before.id, 'pending_secret');
    const oldVault = stack.api.app.get(TokenVault);
    expect(oldVault.keyIdOf(before.pending_secret)).toBe('k1');
    const login = oldVault.decrypt(before.pending_secret, aad);

    const rotated = new TokenVault(
      new AppConfig(validateEnv({ ...stack.api.env, TOKEN_ENCRYPTION_KEYS: `k2:${key(2)},k1:${key(1)}` })),
    );
    expect((await reencryptPendingLogins(db, rotated)).moved).toBeGreaterThanOrEqual(1);
    const [after] = await pending();
    const onlyNew = new TokenVault(new AppConfig(validateEnv({ ...stack.api.env, TOKEN_ENCRYPTION_KEYS: `k2:${key(2)}` })));
    expect(onlyNew.keyIdOf(after.pending_secret)).toBe('k2');
    expect(onlyNew.decrypt(after.pending_secret, aad)).toBe(login);
    expect((await reencryptPendingLogins(db, rotated)).moved).toBe(0); // re-running is a no-op
  });
});
