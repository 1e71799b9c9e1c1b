import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { SANDBOX_APP_SECRET } from '../../src/config/app-config';
import { buildSignedRequest } from '../../src/modules/webhooks/domain/signed-request';
import { purgeSignedRequests, SIGNED_REQUEST_RETENTION_MS } from '../../src/modules/webhooks/signed-request-replay.service';
import { ACME_COFFEE_PAGE, ALEX_ID, SAM_ID, SAM_STUDIO_IG, SAM_STUDIO_PAGE, control } from '../helpers/sandbox';
import { startWorkerRole } from '../helpers/lifecycle';
import { OffsetClock } from '../helpers/offset-clock';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

const run = promisify(execFile);

/** pg_dump from PATH, else the newest one of the Debian packages. */
function pgDumpBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(`${dir}/pg_dump`)) return `${dir}/pg_dump`;
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/pg_dump`)) return `/usr/lib/postgresql/${v}/bin/pg_dump`;
  throw new Error('pg_dump not found');
}

const HOUR = 3600;
const SAM_DRAFTS_PAGE = '110000000000005';
const SAM_DRAFTS_IG = '17841400000000099';

describe('Meta callbacks: fresh, once, and deletion leaves nothing behind (e2e)', () => {
  const clock = new OffsetClock();
  let stack: Stack;
  let db: DataSource;
  let worker: Awaited<ReturnType<typeof startWorkerRole>>;
  let apiUrl: string;

  beforeAll(async () => {
    stack = await startStack({}, { overrideProviders: [{ provide: Clock, useValue: clock }] });
    db = stack.api.app.get(DataSource);
    await stack.api.app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(stack.api.app.getHttpServer().address() as AddressInfo).port}`;
    worker = await startWorkerRole(stack.api.env, clock);
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    clock.offsetMs = 0;
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    await control(stack.sandbox, 'POST', '/webhooks/config', { base_url: apiUrl, retries: 0, backoff_ms: 10 });
    await waitForDeletions();
    await db.query(
      `TRUNCATE meta_signed_requests, webhook_deliveries, data_deletion_requests, instagram_tokens, token_events, alerts, oauth_states, reconnect_links RESTART IDENTITY CASCADE`,
    );
  });

  /** Moves the app's and the sandbox's clocks together. */
  const advance = async (seconds: number): Promise<void> => {
    clock.advance(seconds);
    await control(stack.sandbox, 'POST', '/clock', { advance_seconds: seconds });
  };
  const nowSeconds = (): number => Math.floor(clock.now().getTime() / 1000);
  const signed = (fbUserId: string, issuedAt: number | undefined, extra: Record<string, unknown> = {}): string =>
    buildSignedRequest({ user_id: fbUserId, algorithm: 'HMAC-SHA256', issued_at: issuedAt, ...extra }, SANDBOX_APP_SECRET);
  const post = (kind: 'deauthorize' | 'data-deletion', signedRequest: string) =>
    stack.http().post(`/webhooks/facebook/${kind}`).type('form').send({ signed_request: signedRequest });
  const rows = (fbUserId: string) =>
    db.query<Array<Record<string, unknown>>>(`SELECT * FROM instagram_tokens WHERE fb_user_id = $1 ORDER BY id`, [fbUserId]);
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await db.query<Array<{ n: string }>>(sql, params))[0].n);
  const pgDump = async (): Promise<string> =>
    (await run(pgDumpBinary(), ['--no-owner', '--no-privileges', stack.api.db.url], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  async function waitForDeletions(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await count(`SELECT count(*) n FROM data_deletion_requests WHERE status = 'pending'`)) === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('data deletion did not complete');
  }
  /** A fresh AutoReels user connects a sandbox Facebook user through the real dialog and callback. */
  const connect = async (fbUser: string, auth?: string, pages?: string[]): Promise<{ auth: string; accountId: number }> => {
    const a = auth ?? (await newUser(stack)).auth;
    const res = await callback(stack, a, await dialog(stack, a, { user: fbUser, pages })).expect(200);
    expect(res.body.status).toBe('connected');
    return { auth: a, accountId: res.body.accounts[0].id as number };
  };

  it('should leave nothing in a pg_dump that names the person once their data deletion completed', async () => {
    // Sam gets a second Instagram account, so his logins offer a choice
    await control(stack.sandbox, 'POST', '/instagram-accounts', {
      page_id: SAM_DRAFTS_PAGE,
      id: SAM_DRAFTS_IG,
      username: 'sam.drafts',
      name: 'Sam Drafts Corner',
    });
    const alex = await connect(ALEX_ID, undefined, [ACME_COFFEE_PAGE]);
    // B connects Sam's studio through the account picker, and also Alex's coffee shop
    const b = await newUser(stack);
    // B's backend hears of B's connections: outbound webhook deliveries name the accounts too
    await stack
      .http()
      .post('/integrations/webhooks')
      .set('Authorization', b.auth)
      .send({
        url: 'http://127.0.0.1:9/unreachable',
        events: ['connection.connected', 'connection.needs_reconnect', 'connection.revoked'],
      })
      .expect(201);
    const offered = await callback(stack, b.auth, await dialog(stack, b.auth, { user: SAM_ID })).expect(200);
    expect(offered.body.status).toBe('needs_selection');
    const picked = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', b.auth)
      .send({ state: offered.body.state, ig_user_ids: [SAM_STUDIO_IG] })
      .expect(200);
    const samAccount = picked.body.accounts[0].id as number;
    await connect(ALEX_ID, b.auth, [ACME_COFFEE_PAGE]);
    // C is offered Sam's accounts and walks away from the picker
    const c = await newUser(stack);
    expect((await callback(stack, c.auth, await dialog(stack, c.auth, { user: SAM_ID })).expect(200)).body.status).toBe(
      'needs_selection',
    );
    // B tries to renew Sam's studio signed in as Alex: refused, and recorded
    const wrong = await callback(
      stack,
      b.auth,
      await dialog(stack, b.auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE] }, { account_id: samAccount }),
    );
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    // Meta's notices about Sam: a permission removed, webhook events, then the app removed
    await control(stack.sandbox, 'POST', '/webhooks/permission-revoked', {
      user_id: SAM_ID,
      permission: 'instagram_content_publish',
    });
    await control(stack.sandbox, 'POST', '/webhooks/event', {
      payload: {
        object: 'instagram',
        entry: [{ id: SAM_STUDIO_IG, time: 1, changes: [{ field: 'comments', value: { id: '1', text: 'hello @sam.studio' } }] }],
      },
    });
    await control(stack.sandbox, 'POST', '/webhooks/event', {
      payload: {
        object: 'page',
        entry: [{ id: SAM_STUDIO_PAGE, time: 1, changes: [{ field: 'name', value: { name: "Sam's Studio" } }] }],
      },
    });
    await control(stack.sandbox, 'POST', '/webhooks/deauthorize', { user_id: SAM_ID });

    const sent = await control<{ response: { confirmation_code: string } }>(stack.sandbox, 'POST', '/webhooks/data-deletion', {
      user_id: SAM_ID,
    });
    expect(sent.response.confirmation_code).toEqual(expect.any(String));
    await waitForDeletions();

    const dump = await pgDump();
    // the dump is real and holds the other person's data
    expect(dump).toContain('acme.coffee');
    expect(dump).toContain(ALEX_ID);
    expect(await count(`SELECT count(*) n FROM instagram_tokens WHERE id = $1`, [alex.accountId])).toBe(1);
    const needles = [
      'sam.studio',
      'sam.drafts',
      "Sam's Studio",
      "Sam's Drafts",
      'Sam Drafts Corner',
      SAM_ID,
      SAM_STUDIO_IG,
      SAM_STUDIO_PAGE,
      SAM_DRAFTS_IG,
      SAM_DRAFTS_PAGE,
    ];
    const found = needles.filter((n) => dump.includes(n));
    const lines = dump.split('\n').filter((l) => needles.some((n) => l.includes(n)));
    expect({ found, lines }).toEqual({ found: [], lines: [] });
  });

  it('should leave nothing in a pg_dump that names the person when their only trace is an account picker they walked away from', async () => {
    await control(stack.sandbox, 'POST', '/instagram-accounts', {
      page_id: SAM_DRAFTS_PAGE,
      id: SAM_DRAFTS_IG,
      username: 'sam.drafts',
      name: 'Sam Drafts Corner',
    });
    await connect(ALEX_ID, undefined, [ACME_COFFEE_PAGE]);
    const c = await newUser(stack);
    expect((await callback(stack, c.auth, await dialog(stack, c.auth, { user: SAM_ID })).expect(200)).body.status).toBe(
      'needs_selection',
    );
    await control(stack.sandbox, 'POST', '/webhooks/event', {
      payload: {
        object: 'page',
        entry: [{ id: SAM_DRAFTS_PAGE, time: 1, changes: [{ field: 'feed', value: { item: 'post' } }] }],
      },
    });
    await post('data-deletion', signed(SAM_ID, nowSeconds())).expect(200);
    await waitForDeletions();

    const dump = await pgDump();
    expect(dump).toContain('acme.coffee');
    const needles = [
      'sam.studio',
      'sam.drafts',
      "Sam's Studio",
      "Sam's Drafts",
      'Sam Drafts Corner',
      SAM_ID,
      SAM_STUDIO_IG,
      SAM_DRAFTS_IG,
      SAM_STUDIO_PAGE,
      SAM_DRAFTS_PAGE,
    ];
    expect(dump.split('\n').filter((l) => needles.some((n) => l.includes(n)))).toEqual([]);
  });

  describe('deauthorize', () => {
    it('should act once: concurrent and later repeats get { success: true } and do not revoke the connection made again since', async () => {
      const { accountId } = await connect(SAM_ID);
      const sr = signed(SAM_ID, nowSeconds());
      const answers = await Promise.all(Array.from({ length: 5 }, () => post('deauthorize', sr)));
      expect(answers.map((a) => [a.status, a.body])).toEqual(Array(5).fill([200, { success: true }]));
      expect((await rows(SAM_ID))[0]).toMatchObject({ id: accountId, status: 'revoked', long_lived_token: null });

      // the user connects again a minute later; then the same request comes again (retry, or someone replaying it)
      await advance(60);
      await connect(SAM_ID);
      const before = await rows(SAM_ID);
      expect(before.map((r) => r.status)).toEqual(['revoked', 'active']);
      const again = await post('deauthorize', sr);
      expect([again.status, again.body]).toEqual([200, { success: true }]);
      expect(await rows(SAM_ID)).toEqual(before);
      expect(await count(`SELECT count(*) n FROM token_events WHERE type = 'deauthorize'`)).toBe(1);
      expect(await count(`SELECT count(*) n FROM meta_signed_requests WHERE kind = 'deauthorize'`)).toBe(1);
    });

    it('should revoke only the connections whose tokens were obtained before issued_at', async () => {
      const early = await connect(SAM_ID);
      const late = await connect(SAM_ID);
      await advance(HOUR);
      await connect(SAM_ID, late.auth); // late reconnects an hour on: tokens obtained after the request below was issued
      const res = await post('deauthorize', signed(SAM_ID, nowSeconds() - HOUR / 2));
      expect([res.status, res.body]).toEqual([200, { success: true }]);
      const byId = new Map((await rows(SAM_ID)).map((r) => [r.id, r]));
      expect(byId.get(early.accountId)).toMatchObject({ status: 'revoked', access_token: null });
      expect(byId.get(late.accountId)).toMatchObject({ status: 'active', access_token: expect.any(String) });
    });
  });

  describe('freshness', () => {
    it('should refuse a stale, future or unstamped signed_request with a 400 and change nothing, judged on the app clock', async () => {
      await connect(SAM_ID);
      const before = await rows(SAM_ID);
      const issuedNow = signed(SAM_ID, nowSeconds());
      const cases: Array<[string, string, string]> = [
        ['deauthorize', signed(SAM_ID, nowSeconds() - 25 * HOUR), 'SIGNED_REQUEST_EXPIRED'],
        ['data-deletion', signed(SAM_ID, nowSeconds() - 365 * 24 * HOUR, { expires: nowSeconds() }), 'SIGNED_REQUEST_EXPIRED'],
        ['deauthorize', signed(SAM_ID, undefined), 'SIGNED_REQUEST_INVALID'],
        ['data-deletion', signed(SAM_ID, undefined), 'SIGNED_REQUEST_INVALID'],
        ['deauthorize', signed(SAM_ID, nowSeconds() + HOUR), 'SIGNED_REQUEST_INVALID'],
      ];
      const check = async (list: Array<[string, string, string]>): Promise<void> => {
        for (const [kind, sr, code] of list) {
          const res = await post(kind as 'deauthorize', sr);
          expect([kind, res.status, res.body.code]).toEqual([kind, 400, code]);
        }
      };
      await check(cases);
      // a day passes on the app's clock only: the request issued "now" is stale for the app
      clock.advance(25 * HOUR);
      await check([
        ['deauthorize', issuedNow, 'SIGNED_REQUEST_EXPIRED'],
        ['data-deletion', issuedNow, 'SIGNED_REQUEST_EXPIRED'],
      ]);
      expect(await rows(SAM_ID)).toEqual(before);
      expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(0);
      expect(await count(`SELECT count(*) n FROM meta_signed_requests`)).toBe(0);
      expect(await count(`SELECT count(*) n FROM token_events WHERE actor = 'meta'`)).toBe(0);
    });

    it('should refuse a deauthorize signed_request replayed on the data-deletion callback', async () => {
      const { accountId } = await connect(SAM_ID);
      const sr = signed(SAM_ID, nowSeconds());
      await post('deauthorize', sr).expect(200);
      const res = await post('data-deletion', sr);
      expect([res.status, res.body.code]).toEqual([400, 'SIGNED_REQUEST_INVALID']);
      expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(0);
      expect(await count(`SELECT count(*) n FROM instagram_tokens WHERE id = $1`, [accountId])).toBe(1);
    });

    it('should forget accepted signed_requests after 48 h (housekeeping)', async () => {
      await post('deauthorize', signed(SAM_ID, nowSeconds())).expect(200);
      await db.query(`UPDATE meta_signed_requests SET created_at = now() - interval '49 hours'`);
      await post('deauthorize', signed(ALEX_ID, nowSeconds())).expect(200);
      expect(await purgeSignedRequests(db, new Date(Date.now() - SIGNED_REQUEST_RETENTION_MS))).toBe(1);
      expect(await count(`SELECT count(*) n FROM meta_signed_requests`)).toBe(1);
    });
  });

  describe('data deletion', () => {
    it('should answer a repeat with the first code and leave the connection made since alone', async () => {
      const first = await connect(SAM_ID);
      const sr = signed(SAM_ID, nowSeconds(), { expires: nowSeconds() + HOUR });
      const answer = await post('data-deletion', sr).expect(200);
      await waitForDeletions();
      expect(await rows(SAM_ID)).toEqual([]);

      await advance(60);
      const again = await connect(SAM_ID, first.auth);
      const repeat = await post('data-deletion', sr).expect(200);
      expect(repeat.body).toEqual(answer.body);
      await waitForDeletions();
      expect((await rows(SAM_ID)).map((r) => r.id)).toEqual([again.accountId]);
      expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(1);
    });

    it('should delete only what was obtained before issued_at: a connection made afterwards, with its history, stays', async () => {
      const early = await connect(SAM_ID);
      const late = await newUser(stack);
      await advance(HOUR);
      const made = await connect(SAM_ID, late.auth);
      const res = await post('data-deletion', signed(SAM_ID, nowSeconds() - HOUR / 2)).expect(200);
      expect(res.body.confirmation_code).toEqual(expect.any(String));
      await waitForDeletions();
      expect((await rows(SAM_ID)).map((r) => r.id)).toEqual([made.accountId]);
      expect(await count(`SELECT count(*) n FROM token_events WHERE account_id = $1`, [early.accountId])).toBe(0);
      expect(
        await count(`SELECT count(*) n FROM token_events WHERE account_id = $1 AND message LIKE '%@sam.studio%'`, [
          made.accountId,
        ]),
      ).toBe(1);
      const status = await stack.http().get('/social/status').set('Authorization', late.auth).expect(200);
      expect(status.body).toMatchObject({ is_connected: true, instagram_username: 'sam.studio' });
    });
  });
});
