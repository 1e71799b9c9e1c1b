import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { AppConfig, SANDBOX_APP_SECRET, SANDBOX_INSTAGRAM_APP_SECRET } from '../../src/config/app-config';
import { buildSignedRequest } from '../../src/modules/webhooks/domain/signed-request';
import { control } from '../helpers/sandbox';
import { deleteRedisPrefix, startWorkerRole, waitFor } from '../helpers/lifecycle';
import { callback, dialog, instagramCallback, instagramDialog, newUser, startStack, type Stack } from '../helpers/stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LENA_IG = '17841400000000101';
const LENA_SCOPED = '25763909063200101';
const MAX_IG = '17841400000000102';
const MAX_SCOPED = '25763909063200102';

interface Delivery {
  delivered: boolean;
  attempts: number;
  status: number | null;
  response: Json;
  reply_valid?: boolean;
}

/**
 * Instagram Login's deauthorize and data-deletion callbacks (DESIGN.md sections 7 and 9): Meta
 * calls them with a signed_request signed with the Instagram app's secret, naming an Instagram
 * user; the sandbox sends them over HTTP as Meta would. They act only on Instagram-Login
 * connections of that person, once, and never on a Facebook-Login connection whose ids collide.
 */
describe('Instagram Login: deauthorize and data-deletion callbacks (e2e)', () => {
  let stack: Stack;
  let db: DataSource;
  let worker: Awaited<ReturnType<typeof startWorkerRole>>;
  let apiUrl: string;

  beforeAll(async () => {
    stack = await startStack();
    db = stack.api.app.get(DataSource);
    // the sandbox calls the API over the network, as Meta would
    await stack.api.app.listen(0, '127.0.0.1');
    apiUrl = `http://127.0.0.1:${(stack.api.app.getHttpServer().address() as AddressInfo).port}`;
    worker = await startWorkerRole(stack.api.env);
  });
  afterAll(async () => {
    await worker?.close();
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await stack?.close();
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    await control(stack.sandbox, 'POST', '/webhooks/config', { base_url: apiUrl, retries: 0, backoff_ms: 10 });
    await waitFor('pending deletions to finish', async () =>
      (await count(`SELECT count(*) n FROM data_deletion_requests WHERE status = 'pending'`)) === 0 ? true : null,
    );
    // the sandbox signs the same bytes for the same person within one second: a fresh ledger per test
    await db.query(
      `TRUNCATE meta_signed_requests, webhook_deliveries, data_deletion_requests, instagram_tokens, token_events, alerts, oauth_states RESTART IDENTITY CASCADE`,
    );
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await db.query<Array<{ n: string }>>(sql, params))[0].n);
  const row = async (id: number): Promise<Json | undefined> =>
    (await db.query<Json[]>(`SELECT * FROM instagram_tokens WHERE id = $1`, [id]))[0];
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const signed = (userId: string, issuedAt = nowSeconds(), secret = SANDBOX_INSTAGRAM_APP_SECRET, extra: Json = {}): string =>
    buildSignedRequest({ user_id: userId, algorithm: 'HMAC-SHA256', issued_at: issuedAt, ...extra }, secret);
  const post = (path: string, signedRequest: string) =>
    stack.http().post(path).type('form').send({ signed_request: signedRequest });

  /** A fresh AutoReels user connects a seeded Instagram account with Instagram Login. */
  async function connectInstagram(igUser: string): Promise<{ auth: string; accountId: number }> {
    const { auth } = await newUser(stack);
    const res = await instagramCallback(stack, auth, await instagramDialog(stack, auth, { user: igUser })).expect(200);
    return { auth, accountId: res.body.accounts[0].id as number };
  }

  /**
   * A Facebook person whose ids collide with Lena's: their Facebook user id is Lena's app-scoped
   * Instagram id, and their Page's Instagram account has Lena's professional id. Another AutoReels
   * user connects it with Facebook Login.
   */
  async function connectCollidingFacebook(): Promise<{ auth: string; accountId: number }> {
    await control(stack.sandbox, 'POST', '/users', { id: LENA_SCOPED, name: 'Colliding Person' });
    await control(stack.sandbox, 'POST', '/pages', {
      user_id: LENA_SCOPED,
      name: 'Colliding Page',
      instagram: { username: 'colliding.fb', id: LENA_IG },
    });
    const { auth } = await newUser(stack);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: LENA_SCOPED })).expect(200);
    expect(res.body.accounts[0]).toMatchObject({ login_type: 'facebook', ig_user_id: LENA_IG });
    return { auth, accountId: res.body.accounts[0].id as number };
  }

  describe('deauthorize', () => {
    it("should revoke only the person's Instagram-Login connections, delete their tokens and alert in Instagram's words", async () => {
      const lena = await connectInstagram(LENA_IG);
      const max = await connectInstagram(MAX_IG);
      const fb = await connectCollidingFacebook();

      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/instagram/deauthorize', { user_id: LENA_IG });
      expect(sent).toMatchObject({ delivered: true, attempts: 1, status: 200, response: { success: true } });

      expect(await row(lena.accountId)).toMatchObject({
        login_type: 'instagram',
        status: 'revoked',
        is_valid: false,
        is_connected: true,
        access_token: null,
        long_lived_token: null,
        next_check_at: null,
        last_error_code: 'META_DEAUTHORIZED',
      });
      expect((await row(lena.accountId))?.status_reason).toContain('removed in Instagram');
      const alerts = await stack.http().get('/social/alerts').set('Authorization', lena.auth).expect(200);
      expect(alerts.body.alerts).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'revoked', message: expect.stringContaining('at Instagram') })]),
      );
      const events = await stack.http().get(`/social/accounts/${lena.accountId}/events`).set('Authorization', lena.auth);
      expect((events.body.events as Json[]).map((e) => e.type)).toContain('deauthorize');
      // the other Instagram account and the Facebook-Login connection with Lena's ids are untouched
      expect(await row(max.accountId)).toMatchObject({ status: 'active', is_valid: true });
      expect((await row(max.accountId))?.access_token).toEqual(expect.any(String));
      expect(await row(fb.accountId)).toMatchObject({ login_type: 'facebook', status: 'active', is_valid: true });
      expect((await row(fb.accountId))?.long_lived_token).toEqual(expect.any(String));
      // Instagram itself ended the session: the sandbox answers 190 for Lena's tokens now
      const state = await control<{ tokens: Json[] }>(stack.sandbox, 'GET', '/instagram/state');
      expect(state.tokens.filter((t) => t.user_id === LENA_IG).every((t) => t.invalid === true)).toBe(true);
    });

    it("should match the account's professional user_id too, since Meta does not document which id it sends", async () => {
      const fb = await connectCollidingFacebook();
      const lena = await connectInstagram(LENA_IG);
      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/instagram/deauthorize', {
        user_id: LENA_IG,
        id_field: 'user_id',
      });
      expect(sent).toMatchObject({ delivered: true, status: 200 });
      expect(await row(lena.accountId)).toMatchObject({ status: 'revoked', access_token: null });
      expect(await row(fb.accountId)).toMatchObject({ status: 'active', is_valid: true });
    });

    it('should refuse a signed_request not signed with the Instagram app secret with 400 SIGNED_REQUEST_INVALID and change nothing', async () => {
      const lena = await connectInstagram(LENA_IG);
      const cases = [
        signed(LENA_SCOPED, nowSeconds(), SANDBOX_APP_SECRET), // the Meta app's secret: Facebook Login's, not Instagram's
        signed(LENA_SCOPED, nowSeconds(), 'someone-else'),
        'not.a-signed-request',
        '',
      ];
      for (const sr of cases) {
        const res = await post('/webhooks/instagram/deauthorize', sr).expect(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'SIGNED_REQUEST_INVALID' });
      }
      const stale = await post('/webhooks/instagram/deauthorize', signed(LENA_SCOPED, nowSeconds() - 2 * 86_400)).expect(400);
      expect(stale.body.code).toBe('SIGNED_REQUEST_EXPIRED');
      // and Instagram's signature is no good on Facebook Login's callback
      const crossed = await post('/webhooks/facebook/deauthorize', signed(LENA_SCOPED)).expect(400);
      expect(crossed.body.code).toBe('SIGNED_REQUEST_INVALID');
      expect(await row(lena.accountId)).toMatchObject({ status: 'active', is_valid: true });
      expect(await count(`SELECT count(*) n FROM meta_signed_requests`)).toBe(0);
    });

    it('should answer a replay with the first answer and leave a connection made since alone', async () => {
      const lena = await connectInstagram(LENA_IG);
      const sr = signed(LENA_SCOPED);
      expect((await post('/webhooks/instagram/deauthorize', sr).expect(200)).body).toEqual({ success: true });
      expect(await row(lena.accountId)).toMatchObject({ status: 'revoked' });
      // Lena connects again: a new consent, from the second after the request was issued
      await new Promise((r) => setTimeout(r, 1100));
      await instagramCallback(stack, lena.auth, await instagramDialog(stack, lena.auth, { user: LENA_IG })).expect(200);
      expect(await row(lena.accountId)).toMatchObject({ status: 'active', is_valid: true });
      const events = await count(`SELECT count(*) n FROM token_events WHERE account_id = $1`, [lena.accountId]);

      expect((await post('/webhooks/instagram/deauthorize', sr).expect(200)).body).toEqual({ success: true });
      expect(await row(lena.accountId)).toMatchObject({ status: 'active', is_valid: true });
      expect(await count(`SELECT count(*) n FROM token_events WHERE account_id = $1`, [lena.accountId])).toBe(events);
      expect(await count(`SELECT count(*) n FROM meta_signed_requests WHERE kind = 'ig_deauthorize'`)).toBe(1);
      // a signed_request used for Instagram's deauthorize is not acted on by its data-deletion callback
      expect((await post('/webhooks/instagram/data-deletion', sr).expect(400)).body.code).toBe('SIGNED_REQUEST_INVALID');
    });

    it('should answer success and change nothing for an Instagram user AutoReels does not know', async () => {
      const lena = await connectInstagram(LENA_IG);
      await control(stack.sandbox, 'POST', '/instagram/accounts', { username: 'stranger.shop', user_id: '17841400000000999' });
      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/instagram/deauthorize', {
        user_id: '17841400000000999',
      });
      expect(sent).toMatchObject({ delivered: true, status: 200, response: { success: true } });
      expect((await post('/webhooks/instagram/deauthorize', signed('12345')).expect(200)).body).toEqual({ success: true });
      expect(await row(lena.accountId)).toMatchObject({ status: 'active', is_valid: true });
      expect(await count(`SELECT count(*) n FROM token_events WHERE type = 'deauthorize'`)).toBe(0);
    });
  });

  describe('data deletion', () => {
    it("should answer {url, confirmation_code} at once and delete only the person's Instagram-Login data in the job", async () => {
      const lena = await connectInstagram(LENA_IG);
      const max = await connectInstagram(MAX_IG);
      const fb = await connectCollidingFacebook();

      const sent = await control<Delivery>(stack.sandbox, 'POST', '/webhooks/instagram/data-deletion', { user_id: LENA_IG });
      expect(sent).toMatchObject({ delivered: true, status: 200, reply_valid: true });
      const code = sent.response.confirmation_code as string;
      expect(sent.response.url).toBe(`${stack.api.app.get(AppConfig).publicApiUrl}/webhooks/instagram/data-deletion/${code}`);

      await waitFor('the deletion job', async () =>
        (await count(`SELECT count(*) n FROM data_deletion_requests WHERE status = 'completed'`)) === 1 ? true : null,
      );
      expect(await row(lena.accountId)).toBeUndefined();
      expect(await count(`SELECT count(*) n FROM token_events WHERE account_id = $1`, [lena.accountId])).toBe(0);
      expect(await count(`SELECT count(*) n FROM token_events WHERE message ~* 'lena' OR details::text ~* 'lena'`)).toBe(0);
      expect(await count(`SELECT count(*) n FROM alerts WHERE message ~* 'lena'`)).toBe(0);
      // one request, its Instagram id forgotten once done
      expect(await db.query(`SELECT login_type, fb_user_id, status FROM data_deletion_requests`)).toEqual([
        { login_type: 'instagram', fb_user_id: null, status: 'completed' },
      ]);
      // the others stay whole
      expect(await row(max.accountId)).toMatchObject({ status: 'active', instagram_username: 'max.creates' });
      expect(await row(fb.accountId)).toMatchObject({ login_type: 'facebook', status: 'active', ig_user_id: LENA_IG });
      const accounts = await stack.http().get('/social/accounts').set('Authorization', lena.auth).expect(200);
      expect(accounts.body.accounts).toEqual([]);

      // the status page the answer links to
      const page = await stack.http().get(`/webhooks/instagram/data-deletion/${code}`).set('Accept', 'application/json');
      expect(page.status).toBe(200);
      expect(page.body).toEqual({ confirmation_code: code, status: 'completed' });
      const html = await stack.http().get(`/webhooks/instagram/data-deletion/${code}`).expect(200);
      expect(html.text).toContain('Completed');
    });

    it('should answer a replay with the same confirmation code and record one request', async () => {
      await connectInstagram(MAX_IG);
      const sr = signed(MAX_SCOPED, nowSeconds(), SANDBOX_INSTAGRAM_APP_SECRET, { expires: nowSeconds() + 3600 });
      const first = await post('/webhooks/instagram/data-deletion', sr).expect(200);
      const again = await post('/webhooks/instagram/data-deletion', sr).expect(200);
      expect(again.body).toEqual(first.body);
      expect(first.body.url).toMatch(/\/webhooks\/instagram\/data-deletion\/[A-Za-z0-9_-]{16,32}$/);
      expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(1);
      expect(await count(`SELECT count(*) n FROM meta_signed_requests WHERE kind = 'ig_data_deletion'`)).toBe(1);
    });

    it('should refuse a bad signature with 400 SIGNED_REQUEST_INVALID and record nothing', async () => {
      const lena = await connectInstagram(LENA_IG);
      const res = await post('/webhooks/instagram/data-deletion', signed(LENA_SCOPED, nowSeconds(), SANDBOX_APP_SECRET)).expect(
        400,
      );
      expect(res.body).toMatchObject({ statusCode: 400, code: 'SIGNED_REQUEST_INVALID' });
      expect(await count(`SELECT count(*) n FROM data_deletion_requests`)).toBe(0);
      expect(await row(lena.accountId)).toMatchObject({ status: 'active' });
    });

    it('should answer a valid receipt and delete nothing for an Instagram user AutoReels does not know', async () => {
      const lena = await connectInstagram(LENA_IG);
      const res = await post('/webhooks/instagram/data-deletion', signed('17841400000000999')).expect(200);
      expect(res.body).toEqual({
        url: expect.stringContaining('/webhooks/instagram/data-deletion/'),
        confirmation_code: expect.any(String),
      });
      await waitFor('the deletion job', async () =>
        (await count(`SELECT count(*) n FROM data_deletion_requests WHERE status = 'completed'`)) === 1 ? true : null,
      );
      expect(await row(lena.accountId)).toMatchObject({ status: 'active', is_valid: true });
      expect(await count(`SELECT count(*) n FROM instagram_tokens`)).toBe(1);
    });
  });
});
