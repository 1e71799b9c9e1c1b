import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { SANDBOX_APP_SECRET } from '../../src/config/app-config';
import { CoreModule } from '../../src/core.module';
import { buildSignedRequest } from '../../src/modules/webhooks/domain/signed-request';
import { WebhooksWorkerModule } from '../../src/modules/webhooks/webhooks.module';
import { hubSignatureHeaders, metaJson } from '../../src/sandbox/webhook-sender';
import { ALEX_ID, ACME_COFFEE_PAGE, SAM_ID, SAM_STUDIO_IG, control } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

const VERIFY_TOKEN = 'verify-token-for-tests';

interface Delivery {
  delivered: boolean;
  attempts: number;
  status: number | null;
  response: Record<string, unknown>;
  reply_valid?: boolean;
}

describe('Meta callbacks: deauthorize, data deletion, webhooks (e2e)', () => {
  let stack: Stack;
  let db: DataSource;
  let worker: TestingModule;
  let apiUrl: string;

  beforeAll(async () => {
    stack = await startStack({ FACEBOOK_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN });
    db = stack.api.app.get(DataSource);
    // The sandbox calls the API over the network, as Meta would
    await stack.api.app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(stack.api.app.getHttpServer().address() as AddressInfo).port}`;
    // The worker role's data-deletion processor, against the same database and Redis prefix
    worker = await Test.createTestingModule({
      imports: [CoreModule.forRoot({ env: stack.api.env }), WebhooksWorkerModule],
    }).compile();
    await worker.init();
  });
  afterAll(async () => {
    await worker.close();
    await stack.close();
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    await control(stack.sandbox, 'POST', '/webhooks/config', { base_url: apiUrl, retries: 2, backoff_ms: 10 });
    // let deletion jobs of the previous test finish first: TRUNCATE against their row locks deadlocks
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await db.query<Array<{ n: number }>>(
        `SELECT count(*)::int n FROM data_deletion_requests WHERE status = 'pending'`,
      );
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // one database for the file: each test starts without connections, deliveries or deletion requests, and with no
    // signed_request seen (the sandbox signs the same bytes for the same user within one second: a replay)
    await db.query(
      `TRUNCATE meta_signed_requests, webhook_deliveries, data_deletion_requests, instagram_tokens, token_events, alerts, oauth_states RESTART IDENTITY CASCADE`,
    );
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await db.query<Array<{ n: string }>>(sql, params))[0].n);
  const accountsOf = (fbUserId: string): Promise<Array<Record<string, unknown>>> =>
    db.query<Array<Record<string, unknown>>>(`SELECT * FROM instagram_tokens WHERE fb_user_id = $1 ORDER BY id`, [fbUserId]);

  /** Connects a fresh AutoReels user to a sandbox Facebook user through the real dialog and callback. */
  const connect = async (fbUser: string, pages?: string[]): Promise<{ auth: string; accountId: number }> => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: fbUser, pages });
    const res = await callback(stack, auth, search).expect(200);
    expect(res.body.status).toBe('connected');
    return { auth, accountId: res.body.accounts[0].id as number };
  };
  const signedPost = (path: string, payload: Record<string, unknown>, secret = SANDBOX_APP_SECRET) =>
    stack
      .http()
      .post(path)
      .type('form')
      .send({ signed_request: buildSignedRequest(payload, secret) });
  const webhook = (body: Buffer, headers: Record<string, string>) =>
    stack.http().post('/webhooks/instagram').set('Content-Type', 'application/json').set(headers).send(body.toString('utf8'));

  describe('subscription handshake', () => {
    it('should echo hub.challenge as text/plain when the verify token matches', async () => {
      const res = await stack
        .http()
        .get('/webhooks/instagram')
        .query({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': VERIFY_TOKEN })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('1158201444');
      expect(await control(stack.sandbox, 'POST', '/webhooks/verify', { verify_token: VERIFY_TOKEN })).toMatchObject({
        verified: true,
        status: 200,
      });
    });

    it('should answer 403 WEBHOOK_VERIFY_TOKEN_MISMATCH and no challenge when the token or mode is wrong', async () => {
      for (const query of [
        { 'hub.mode': 'subscribe', 'hub.challenge': '42', 'hub.verify_token': 'wrong-token' },
        { 'hub.mode': 'subscribe', 'hub.challenge': '42', 'hub.verify_token': `${VERIFY_TOKEN}x` },
        { 'hub.mode': 'unsubscribe', 'hub.challenge': '42', 'hub.verify_token': VERIFY_TOKEN },
        { 'hub.challenge': '42' },
      ]) {
        const res = await stack.http().get('/webhooks/instagram').query(query);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('WEBHOOK_VERIFY_TOKEN_MISMATCH');
        expect(res.text).not.toContain('"42"');
      }
    });
  });

  describe('deauthorize', () => {
    it('should revoke every connection of that Facebook user, delete its tokens, alert and record it when the sandbox removes the app', async () => {
      const { auth, accountId } = await connect(SAM_ID);
      const before = (await accountsOf(SAM_ID))[0];
      expect(before.long_lived_token).toEqual(expect.any(String));

      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/deauthorize', { user_id: SAM_ID });
      expect(sent).toMatchObject({ delivered: true, attempts: 1, status: 200, response: { success: true } });

      const [row] = await accountsOf(SAM_ID);
      expect(row).toMatchObject({
        id: accountId,
        status: 'revoked',
        is_valid: false,
        is_connected: true,
        long_lived_token: null,
        access_token: null,
        token_key_id: null,
        next_check_at: null,
      });
      expect(row.status_reason).toMatch(/removed/);
      const status = await stack.http().get('/social/status').set('Authorization', auth).expect(200);
      expect(status.body).toMatchObject({ status: 'revoked', is_token_valid: false, instagram_username: 'sam.studio' });
      const alerts = await stack.http().get('/social/alerts').set('Authorization', auth).expect(200);
      expect((alerts.body.alerts as Array<{ kind: string }>).map((a) => a.kind)).toContain('revoked');
      expect(
        await count(`SELECT count(*) n FROM token_events WHERE account_id = $1 AND type = 'deauthorize' AND actor = 'meta'`, [
          accountId,
        ]),
      ).toBe(1);

      // Meta may call again: nothing more happens
      await control<Delivery>(stack.sandbox, 'POST', '/webhooks/deauthorize', { user_id: SAM_ID });
      expect(await count(`SELECT count(*) n FROM token_events WHERE account_id = $1 AND type = 'deauthorize'`, [accountId])).toBe(
        1,
      );
      expect(await count(`SELECT count(*) n FROM alerts WHERE account_id = $1 AND kind = 'revoked'`, [accountId])).toBe(1);
    });

    it('should answer 400 SIGNED_REQUEST_INVALID and change nothing when the signature is not the app secret', async () => {
      await connect(SAM_ID);
      const before = await accountsOf(SAM_ID);
      const res = await signedPost(
        '/webhooks/facebook/deauthorize',
        { user_id: SAM_ID, algorithm: 'HMAC-SHA256', issued_at: 1 },
        'not-the-app-secret',
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('SIGNED_REQUEST_INVALID');
      const missing = await stack.http().post('/webhooks/facebook/deauthorize').type('form').send({});
      expect(missing.body.code).toBe('SIGNED_REQUEST_INVALID');
      expect(await accountsOf(SAM_ID)).toEqual(before);
    });
  });

  describe('data deletion', () => {
    it('should answer url + confirmation_code at once, then delete every token and profile field of that user in the worker', async () => {
      const sam = await connect(SAM_ID);
      const alex = await connect(ALEX_ID, [ACME_COFFEE_PAGE]);
      await control(stack.sandbox, 'POST', '/webhooks/deauthorize', { user_id: SAM_ID }); // leaves an alert and events behind
      expect(await count(`SELECT count(*) n FROM alerts WHERE account_id = $1`, [sam.accountId])).toBe(1);

      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/data-deletion', { user_id: SAM_ID });
      expect(sent).toMatchObject({ delivered: true, status: 200, reply_valid: true });
      const { url, confirmation_code: code } = sent.response as { url: string; confirmation_code: string };
      expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(url).toMatch(new RegExp(`/webhooks/facebook/data-deletion/${code}$`));
      const path = new URL(url).pathname;

      let status = '';
      for (let i = 0; i < 100 && status !== 'completed'; i++) {
        const res = await stack.http().get(path).set('Accept', 'application/json').expect(200);
        expect(Object.keys(res.body).sort()).toEqual(['confirmation_code', 'status']);
        status = res.body.status as string;
        if (status !== 'completed') await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe('completed');

      // nothing left that names Sam or his account
      expect(await accountsOf(SAM_ID)).toEqual([]);
      expect(
        await count(`SELECT count(*) n FROM instagram_tokens WHERE instagram_username = 'sam.studio' OR ig_user_id = $1`, [
          SAM_STUDIO_IG,
        ]),
      ).toBe(0);
      expect(await count(`SELECT count(*) n FROM token_events WHERE account_id = $1`, [sam.accountId])).toBe(0);
      expect(await count(`SELECT count(*) n FROM alerts WHERE account_id = $1`, [sam.accountId])).toBe(0);
      expect(await count(`SELECT count(*) n FROM oauth_states WHERE strpos(result::text, $1) > 0`, [SAM_STUDIO_IG])).toBe(0);
      expect(await count(`SELECT count(*) n FROM data_deletion_requests WHERE fb_user_id IS NOT NULL`)).toBe(0);
      const samStatus = await stack.http().get('/social/status').set('Authorization', sam.auth).expect(200);
      expect(samStatus.body).toMatchObject({ is_connected: false, instagram_username: null, accounts_count: 0 });
      // another Facebook user's connection is untouched
      expect((await accountsOf(ALEX_ID))[0]).toMatchObject({ id: alex.accountId, status: 'active' });
      expect(typeof (await accountsOf(ALEX_ID))[0].long_lived_token).toBe('string');

      // the HTML page says completed and nothing else about the user
      const html = await stack.http().get(path).expect(200);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.text).toContain('Completed');
      expect(html.text).not.toContain(SAM_ID);
      expect(html.text).not.toContain('sam.studio');

      // Meta repeats the request: same code
      const again = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/data-deletion', { user_id: SAM_ID });
      expect(again.response.confirmation_code).toBe(code);
      expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(1);
    });

    it('should answer the same pending code to concurrent repeats of one request', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { user_id: '55500000000000001', algorithm: 'HMAC-SHA256', issued_at: now, expires: now + 3600 };
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => signedPost('/webhooks/facebook/data-deletion', payload)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(new Set(answers.map((a) => a.body.confirmation_code as string)).size).toBe(1);
    });

    it('should answer 404 DELETION_REQUEST_NOT_FOUND for an unknown code', async () => {
      for (const code of ['AAAAAAAAAAAAAAAAAAAAAA', 'x', '%27%20OR%201=1']) {
        const res = await stack.http().get(`/webhooks/facebook/data-deletion/${code}`).set('Accept', 'application/json');
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('DELETION_REQUEST_NOT_FOUND');
      }
    });
  });

  describe('webhook events', () => {
    it('should mark the connection needs_reconnect, alert and record it when a needed permission is revoked', async () => {
      const { auth, accountId } = await connect(SAM_ID);
      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/permission-revoked', {
        user_id: SAM_ID,
        permission: 'instagram_content_publish',
      });
      expect(sent).toMatchObject({ delivered: true, status: 200 });
      const [row] = await accountsOf(SAM_ID);
      expect(row).toMatchObject({ status: 'needs_reconnect', is_valid: false, last_error_code: 'PERMISSION_REVOKED' });
      expect(row.status_reason).toContain('instagram_content_publish');
      const ev = await db.query<Array<{ actor: string; details: unknown }>>(
        `SELECT actor, details FROM token_events WHERE account_id = $1 AND type = 'permission_revoked'`,
        [accountId],
      );
      expect(ev).toEqual([{ actor: 'meta', details: { permission: 'instagram_content_publish' } }]);
      expect(await count(`SELECT count(*) n FROM alerts WHERE account_id = $1 AND kind = 'token_invalid'`, [accountId])).toBe(1);
      const status = await stack.http().get('/social/status').set('Authorization', auth).expect(200);
      expect(status.body.status).toBe('needs_reconnect');
      expect(
        await count(`SELECT count(*) n FROM webhook_deliveries WHERE object = 'permissions' AND processed_at IS NOT NULL`),
      ).toBe(1);
    });

    it('should store other objects and leave connections alone when the permission is not one we need', async () => {
      await connect(SAM_ID);
      await control<Delivery>(stack.sandbox, 'POST', '/webhooks/permission-revoked', { user_id: SAM_ID, permission: 'email' });
      await control<Delivery>(stack.sandbox, 'POST', '/webhooks/event', {
        payload: {
          object: 'instagram',
          entry: [
            { id: SAM_STUDIO_IG, time: 1, changes: [{ field: 'comments', value: { id: '1', text: 'Olá 😀 https://x.test/a' } }] },
          ],
        },
      });
      expect((await accountsOf(SAM_ID))[0].status).toBe('active');
      const stored = await db.query<
        Array<{ object: string; entry_ids: string[]; payload: { entry: Array<{ changes: Array<{ value: { text: string } }> }> } }>
      >(`SELECT object, entry_ids, payload FROM webhook_deliveries ORDER BY id`);
      expect(stored.map((s) => s.object)).toEqual(['permissions', 'instagram']);
      expect(stored[1].entry_ids).toEqual([SAM_STUDIO_IG]);
      expect(stored[1].payload.entry[0].changes[0].value.text).toBe('Olá 😀 https://x.test/a');
    });

    it('should store a delivery posted 50 times at once exactly once and act on it once', async () => {
      const { accountId } = await connect(SAM_ID);
      const body = Buffer.from(
        metaJson({
          object: 'permissions',
          entry: [
            {
              id: SAM_ID,
              uid: SAM_ID,
              time: 1764230600,
              changes: [{ field: 'pages_show_list', value: { verb: 'revoked', target_ids: [] } }],
            },
          ],
        }),
      );
      const headers = hubSignatureHeaders(body, SANDBOX_APP_SECRET);
      const answers = await Promise.all(Array.from({ length: 50 }, () => webhook(body, headers)));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(await count(`SELECT count(*) n FROM webhook_deliveries`)).toBe(1);
      expect(
        await count(`SELECT count(*) n FROM token_events WHERE account_id = $1 AND type = 'permission_revoked'`, [accountId]),
      ).toBe(1);
      expect(await count(`SELECT count(*) n FROM alerts WHERE account_id = $1`, [accountId])).toBe(1);
      // and a replay much later is still a no-op
      await webhook(body, headers).expect(200);
      expect(await count(`SELECT count(*) n FROM webhook_deliveries`)).toBe(1);
    });

    it('should answer 401 and store nothing when a non-ASCII body is re-serialised after Meta signed its escaped bytes', async () => {
      const payload = {
        object: 'page',
        entry: [{ id: '1', time: 1, changes: [{ field: 'name', value: { name: 'Café José / Ünïcode' } }] }],
      };
      const escaped = Buffer.from(metaJson(payload));
      const headers = hubSignatureHeaders(escaped, SANDBOX_APP_SECRET);
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(escaped.toString())));
      expect(reserialised.equals(escaped)).toBe(false);
      const res = await webhook(reserialised, headers);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      expect(await count(`SELECT count(*) n FROM webhook_deliveries`)).toBe(0);
      await webhook(escaped, headers).expect(200); // the bytes Meta signed are accepted
      expect(await count(`SELECT count(*) n FROM webhook_deliveries`)).toBe(1);
    });

    it('should store, not fail on, a signed delivery whose text holds a lone surrogate or a NUL', async () => {
      // JSON allows both; PostgreSQL's jsonb refuses them, which used to make every retry of Meta's a 500
      const body = Buffer.from(
        '{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"name","value":{"name":"half \\ud83d emoji","\\u0000k":"nul \\u0000"}}]}]}',
      );
      const res = await webhook(body, hubSignatureHeaders(body, SANDBOX_APP_SECRET));
      expect(res.status).toBe(200);
      const stored = (await db.query<Array<{ payload: unknown }>>(`SELECT payload FROM webhook_deliveries`))[0];
      expect(JSON.stringify(stored.payload)).toContain('half \ufffd emoji');
    });

    it('should answer 401 WEBHOOK_SIGNATURE_INVALID when the signature is missing or uses only the legacy sha1 header', async () => {
      const body = Buffer.from(metaJson({ object: 'instagram', entry: [] }));
      const { 'X-Hub-Signature': sha1 } = hubSignatureHeaders(body, SANDBOX_APP_SECRET);
      for (const headers of [{}, { 'X-Hub-Signature': sha1 }, { 'X-Hub-Signature-256': 'sha256=' }] as Array<
        Record<string, string>
      >) {
        const res = await webhook(body, headers);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      }
      expect(await count(`SELECT count(*) n FROM webhook_deliveries`)).toBe(0);
    });
  });

  it('should reject ~100 mutated callbacks with a 4xx, never a 5xx, and change nothing (property)', async () => {
    const { accountId } = await connect(SAM_ID);
    const before = await accountsOf(SAM_ID);
    const payload = { user_id: SAM_ID, algorithm: 'HMAC-SHA256', issued_at: 1764230600, expires: 1764234200 };
    const good = buildSignedRequest(payload, SANDBOX_APP_SECRET);
    const body = Buffer.from(
      metaJson({
        object: 'permissions',
        entry: [{ id: SAM_ID, uid: SAM_ID, time: 1, changes: [{ field: 'instagram_basic', value: { verb: 'revoked' } }] }],
      }),
    );
    const goodSig = hubSignatureHeaders(body, SANDBOX_APP_SECRET)['X-Hub-Signature-256'];
    const mutate = (s: string, i: number, ch: string): string =>
      s.slice(0, i % (s.length + 1)) + ch + s.slice((i % (s.length + 1)) + 1);

    const signedRequestCase = fc.oneof(
      fc.tuple(fc.nat(), fc.constantFrom(...'AZaz09-_.=+/ %')).map(([i, ch]) => mutate(good, i, ch)),
      fc.nat(good.length - 1).map((n) => good.slice(0, n)),
      fc.string({ maxLength: 120 }),
      fc.constantFrom('HMAC-SHA1', 'hmac-sha256', 'none', '').map((algorithm) => {
        const p = Buffer.from(JSON.stringify({ ...payload, algorithm })).toString('base64url');
        return `${createHmac('sha256', SANDBOX_APP_SECRET).update(p).digest('base64url')}.${p}`;
      }),
      fc.string({ minLength: 8, maxLength: 20 }).map((secret) => buildSignedRequest(payload, secret)),
    );
    const webhookCase = fc.oneof(
      fc.tuple(fc.nat(body.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, byte]) => {
        const b = Buffer.from(body);
        b[i] = b[i] === byte ? (byte + 1) % 256 : byte;
        return { body: b, sig: goodSig };
      }),
      fc
        .tuple(fc.nat(goodSig.length - 1), fc.constantFrom(...'0123456789abcdefgz='))
        .map(([i, ch]) => ({ body, sig: mutate(goodSig, i, ch) })),
      fc.nat(body.length - 1).map((n) => ({ body: body.subarray(0, n), sig: goodSig })),
    );
    const request = fc.oneof(
      signedRequestCase.map((sr) => ({ kind: 'deauthorize' as const, sr })),
      signedRequestCase.map((sr) => ({ kind: 'data-deletion' as const, sr })),
      webhookCase.map((w) => ({ kind: 'webhook' as const, ...w })),
    );

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        if (r.kind === 'webhook') {
          fc.pre(!(r.body.equals(body) && r.sig.toLowerCase() === goodSig));
          const res = await webhook(r.body, { 'X-Hub-Signature-256': r.sig });
          expect([400, 401]).toContain(res.status);
          // a body that still parses is refused for its signature
          if (res.status === 400) expect(res.body.code).toBe('MALFORMED_JSON');
        } else {
          fc.pre(r.sr !== good);
          const res = await stack.http().post(`/webhooks/facebook/${r.kind}`).type('form').send({ signed_request: r.sr });
          expect(res.status).toBe(400);
          expect(res.body.code).toBe('SIGNED_REQUEST_INVALID');
        }
      }),
      { numRuns: 100 },
    );
    expect(await accountsOf(SAM_ID)).toEqual(before);
    expect(await count(`SELECT count(*) n FROM webhook_deliveries`)).toBe(0);
    expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(0);
    expect(await count(`SELECT count(*) n FROM token_events WHERE account_id = $1 AND actor = 'meta'`, [accountId])).toBe(0);
  });

  it('should document every webhook route in the OpenAPI document', async () => {
    const doc = await stack.http().get('/docs-json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>>;
    for (const [path, method] of [
      ['/webhooks/facebook/deauthorize', 'post'],
      ['/webhooks/facebook/data-deletion', 'post'],
      ['/webhooks/facebook/data-deletion/{code}', 'get'],
      ['/webhooks/instagram', 'get'],
      ['/webhooks/instagram', 'post'],
    ] as const) {
      expect(paths[path]?.[method]?.tags).toEqual(['webhooks']);
    }
  });
});
