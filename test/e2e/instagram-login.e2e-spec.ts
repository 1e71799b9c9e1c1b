import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { OffsetClock } from '../helpers/offset-clock';
import { SAM_ID, control } from '../helpers/sandbox';
import { startSchedulerRole, startSmtp, startWorkerRole, waitFor } from '../helpers/lifecycle';
import { callback, dialog, instagramCallback, instagramDialog, newUser, startStack, type Stack } from '../helpers/stack';

const DAY = 86_400;
const LENA_IG = '17841400000000101';
const LENA_SCOPED = '25763909063200101';
const MAX_IG = '17841400000000102';

/** Instagram Login (DESIGN.md section 9) through the API, the worker, the scheduler and the sandbox. */
describe('Instagram Login: connect, refresh, scheduler, disconnect (e2e)', () => {
  const clock = new OffsetClock();
  let stack: Stack;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let worker: Awaited<ReturnType<typeof startWorkerRole>>;
  let scheduler: Awaited<ReturnType<typeof startSchedulerRole>>;
  let db: DataSource;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack(
      {
        SMTP_URL: smtp.url,
        JOB_BACKOFF_MS: '100',
        JOB_ATTEMPTS: '4',
        JOB_LOCK_MS: '2000',
        PUBLIC_API_URL: 'http://api.test',
        REELS_POLL_INITIAL_MS: '100',
        REELS_POLL_MAX_MS: '400',
        REELS_RETRY_INITIAL_MS: '100',
      },
      { overrideProviders: [{ provide: Clock, useValue: clock }] },
    );
    db = stack.api.app.get(DataSource);
    worker = await startWorkerRole(stack.api.env, clock);
    scheduler = await startSchedulerRole(stack.api.env, clock);
  });
  afterAll(async () => {
    await scheduler?.close();
    await worker?.close();
    await stack?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    clock.offsetMs = 0;
  });

  const calls = async (path: string) =>
    (
      await control<{ data: Array<{ path: string; status: number }> }>(
        stack.sandbox,
        'GET',
        `/calls?path=${encodeURIComponent(path)}`,
      )
    ).data;
  const row = async (id: number) =>
    (
      await db.query<Array<Record<string, unknown>>>(
        `SELECT login_type, ig_user_id, ig_scoped_user_id, fb_page_id, fb_page_name, fb_user_id, long_lived_token, access_token,
                status, is_valid, is_connected, expires_at, token_issued_at, next_check_at, status_reason
           FROM instagram_tokens WHERE id = $1`,
        [id],
      )
    )[0];
  const advance = async (seconds: number) => {
    await control(stack.sandbox, 'POST', '/clock', { advance_seconds: seconds });
    clock.advance(seconds);
  };
  async function connectLena(): Promise<{ auth: string; email: string; accountId: number }> {
    const user = await newUser(stack);
    const res = await instagramCallback(stack, user.auth, await instagramDialog(stack, user.auth, { user: LENA_IG })).expect(200);
    return { ...user, accountId: res.body.accounts[0].id as number };
  }

  it('should return the Instagram dialog URL with the exact redirect URI, the instagram_business scopes and a bound 256-bit state', async () => {
    const { auth } = await newUser(stack);
    const res = await stack.http().post('/social/instagram/login').set('Authorization', auth).send({}).expect(200);
    const url = new URL(res.body.login_url as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.sandbox.url}/instagram/www/oauth/authorize`);
    expect(url.searchParams.get('client_id')).toBe('990000000000001');
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3002/settings/social-accounts/callback/instagram');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')?.split(',')).toEqual(['instagram_business_basic', 'instagram_business_content_publish']);
    expect(url.searchParams.get('state')).toBe(res.body.state);
    expect(Buffer.from(res.body.state as string, 'base64url')).toHaveLength(32);
    expect(new Date(res.body.expires_at as string).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    const stored = await db.query<Array<{ provider: string; purpose: string }>>(
      `SELECT provider, purpose FROM oauth_states ORDER BY created_at DESC LIMIT 1`,
    );
    expect(stored[0]).toEqual({ provider: 'instagram', purpose: 'connect' });
  });

  it('should connect one account with login_type instagram, the /me user_id as its id, no Page fields and a 60-day token', async () => {
    const { auth, accountId } = await connectLena();
    const accounts = await stack.http().get('/social/accounts').set('Authorization', auth).expect(200);
    expect(accounts.body.accounts).toHaveLength(1);
    expect(accounts.body.accounts[0]).toMatchObject({
      id: accountId,
      login_type: 'instagram',
      ig_user_id: LENA_IG,
      instagram_username: 'lena.bakes',
      facebook_page_id: null,
      facebook_page_name: null,
      status: 'active',
      is_default: true,
    });
    expect(accounts.body.accounts[0].days_until_expiry).toBeGreaterThanOrEqual(59);
    const status = await stack.http().get('/social/status').set('Authorization', auth).expect(200);
    expect(status.body).toMatchObject({
      is_connected: true,
      login_type: 'instagram',
      instagram_username: 'lena.bakes',
      facebook_page_name: null,
    });
    const stored = await row(accountId);
    expect(stored).toMatchObject({
      login_type: 'instagram',
      ig_scoped_user_id: LENA_SCOPED,
      fb_page_id: null,
      fb_user_id: null,
      long_lived_token: null,
    });
    // the token is stored encrypted, never as Instagram's IGAA… string
    expect(String(stored.access_token)).not.toMatch(/IGAA/);
    // issue time judged from Meta's expiry: expires_at − 60 days
    expect(new Date(stored.expires_at as string).getTime() - new Date(stored.token_issued_at as string).getTime()).toBe(
      60 * DAY * 1000,
    );
    // code → short-lived → long-lived → /me, each once
    expect(await calls('/instagram/api/oauth/access_token')).toHaveLength(1);
    expect(await calls('/instagram/graph/access_token')).toHaveLength(1);
    // no Facebook call at all
    expect((await calls('/me/accounts')).length).toBe(0);
  });

  it("should strip the '#_' Instagram appends to the code, and answer the first result again without a second exchange", async () => {
    const { auth } = await newUser(stack);
    const search = await instagramDialog(stack, auth, { user: MAX_IG });
    const params = new URLSearchParams(search);
    // as pasted from the address bar: the fragment glued to the code
    params.set('code', `${params.get('code')}#_`);
    const first = await instagramCallback(stack, auth, `?${params.toString()}`).expect(200);
    expect(first.body).toMatchObject({
      status: 'connected',
      accounts: [{ instagram_username: 'max.creates', login_type: 'instagram' }],
    });
    const again = await instagramCallback(stack, auth, `?${params.toString()}`).expect(200);
    expect(again.body).toEqual(first.body);
    expect(await calls('/instagram/api/oauth/access_token')).toHaveLength(1);
  });

  it("should answer OAUTH_DENIED when the user cancels (Instagram's denial carries no state) and store nothing", async () => {
    const { auth } = await newUser(stack);
    const search = await instagramDialog(stack, auth, { deny: true });
    expect(new URLSearchParams(search).get('state')).toBeNull();
    const res = await instagramCallback(stack, auth, search).expect(400);
    expect(res.body).toMatchObject({ code: 'OAUTH_DENIED', message: 'You cancelled the Instagram dialog; nothing was changed.' });
    expect((await stack.http().get('/social/accounts').set('Authorization', auth).expect(200)).body.accounts).toEqual([]);
    // without a bearer, even a denial is not answered
    expect((await instagramCallback(stack, null, search).expect(401)).body.code).toBe('AUTH_REQUIRED');
  });

  it('should refuse a personal account: the dialog does not let it through, and one that became personal is a 422', async () => {
    const { auth } = await newUser(stack);
    await control(stack.sandbox, 'POST', '/instagram/accounts', { username: 'jo.casual', account_type: 'PERSONAL' });
    const login = await stack.http().post('/social/instagram/login').set('Authorization', auth).send({}).expect(200);
    const refused = await fetch(`${login.body.login_url as string}&sandbox_auto=approve&sandbox_user=jo.casual`, {
      redirect: 'manual',
    });
    expect(refused.status).toBe(400);

    const search = await instagramDialog(stack, auth, { user: LENA_IG });
    // switched back to a personal account between the dialog and the callback
    await control(stack.sandbox, 'POST', `/instagram/accounts/${LENA_IG}`, { account_type: 'PERSONAL' });
    const res = await instagramCallback(stack, auth, search).expect(422);
    expect(res.body.code).toBe('NO_INSTAGRAM_ACCOUNT');
    expect(res.body.message).toContain('personal Instagram account');
    expect((await stack.http().get('/social/accounts').set('Authorization', auth).expect(200)).body.accounts).toEqual([]);
  });

  it("should exchange a code only with the starter's bearer, hand a browser without one to the client's Instagram page, and keep the two dialogs' states apart", async () => {
    const alice = await newUser(stack);
    const mallory = await newUser(stack);
    const search = await instagramDialog(stack, alice.auth, { user: LENA_IG });
    // another user's bearer: refused, nothing exchanged
    expect((await instagramCallback(stack, mallory.auth, search).expect(400)).body.code).toBe('OAUTH_STATE_INVALID');
    // a browser that Instagram sent straight to the API, without a bearer: to the client's callback page, same query
    const browser = await stack.http().get(`/social/instagram/callback${search}`).expect(302);
    expect(browser.headers.location).toBe(`http://localhost:3002/settings/social-accounts/callback/instagram${search}`);
    expect(await calls('/instagram/api/oauth/access_token')).toHaveLength(0);
    // an Instagram state at the Facebook callback (and the other way round) is not valid
    expect((await callback(stack, alice.auth, search).expect(400)).body.code).toBe('OAUTH_STATE_INVALID');
    const fbSearch = await dialog(stack, alice.auth, { user: SAM_ID });
    expect((await instagramCallback(stack, alice.auth, fbSearch).expect(400)).body.code).toBe('OAUTH_STATE_INVALID');
    // the starter completes it; a browser with the starter's bearer lands on the settings page
    await instagramCallback(stack, alice.auth, search).expect(200);
    const replay = await stack.http().get(`/social/instagram/callback${search}`).set('Authorization', alice.auth).expect(302);
    expect(replay.headers.location).toBe('http://localhost:3002/settings/social-accounts?connected=1');
  });

  it('should answer a renewal that comes back with another Instagram account with 409 and change nothing', async () => {
    const { auth, accountId } = await connectLena();
    const search = await instagramDialog(stack, auth, { user: MAX_IG }, { account_id: accountId });
    const res = await instagramCallback(stack, auth, search).expect(409);
    expect(res.body.code).toBe('WRONG_INSTAGRAM_ACCOUNT');
    expect((await stack.http().get('/social/accounts').set('Authorization', auth).expect(200)).body.accounts).toHaveLength(1);
  });

  it('should verify, not fail, a manual refresh of a token too young to refresh, and extend it once it is a day old', async () => {
    const { auth, accountId } = await connectLena();
    const young = await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth).expect(200);
    expect(young.body).toMatchObject({ success: true, extended: false, status: 'active' });
    expect(young.body.message).toContain('Connection verified');
    // it asked Meta (which said not yet)
    const refreshCalls = await calls('/instagram/graph/refresh_access_token');
    expect(refreshCalls.map((c) => c.status)).toEqual([400]);
    const before = new Date((await row(accountId)).expires_at as string);

    await advance(2 * DAY);
    const done = await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth).expect(200);
    expect(done.body).toMatchObject({ success: true, extended: true, status: 'active' });
    expect(done.body.message).toContain('Instagram now keeps this connection until');
    const after = new Date(done.body.new_expires_at as string);
    expect(after.getTime() - before.getTime()).toBeGreaterThanOrEqual(2 * DAY * 1000 - 60_000);
    expect(Math.abs(after.getTime() - (clock.now().getTime() + 60 * DAY * 1000))).toBeLessThan(60_000);
    // the new token works: a later check verifies with it
    clock.advance(60);
    const check = await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth).expect(200);
    expect(check.body.success).toBe(true);
  });

  it('should have the scheduler refresh a token inside the refresh window by itself, with no alert and no e-mail', async () => {
    const { email, accountId } = await connectLena();
    const expiresAt = new Date((await row(accountId)).expires_at as string);
    // 9 days left: inside TOKEN_REFRESH_WINDOW_DAYS (10), past the 14-day alert threshold of Facebook accounts
    await advance(Math.floor((expiresAt.getTime() - clock.now().getTime()) / 1000) - 9 * DAY);
    const sweep = await scheduler.sweeps.sweep();
    expect(sweep.enqueued).toBeGreaterThanOrEqual(1);
    const refreshed = await waitFor('the refresh', async () => {
      const r = await row(accountId);
      return new Date(r.expires_at as string).getTime() > expiresAt.getTime() ? r : undefined;
    });
    expect(refreshed).toMatchObject({ status: 'active', is_valid: true });
    expect(new Date(refreshed.expires_at as string).getTime()).toBeGreaterThan(clock.now().getTime() + 59 * DAY * 1000);
    const events = await db.query<Array<{ actor: string; details: { extended?: boolean } }>>(
      `SELECT actor, details FROM token_events WHERE account_id = $1 AND type = 'refresh' ORDER BY id DESC LIMIT 1`,
      [accountId],
    );
    expect(events[0]).toMatchObject({ actor: 'worker', details: { extended: true } });
    await new Promise((r) => setTimeout(r, 300));
    expect(
      (await db.query<Array<{ n: number }>>(`SELECT count(*)::int n FROM alerts WHERE account_id = $1`, [accountId]))[0].n,
    ).toBe(0);
    expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(0);
  });

  it('should mark needs_reconnect with a reason when Instagram invalidates the token, and its alert link opens the Instagram dialog', async () => {
    const { auth, email, accountId } = await connectLena();
    await control(stack.sandbox, 'POST', `/instagram/users/${LENA_IG}/invalidate`, {});
    const res = await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth).expect(200);
    expect(res.body).toMatchObject({ success: false, status: 'needs_reconnect', extended: false });
    expect(res.body.message).toContain('Instagram no longer accepts this connection');
    expect(await row(accountId)).toMatchObject({ status: 'needs_reconnect', is_valid: false, next_check_at: null });
    const mail = await waitFor('the alert e-mail', () => Promise.resolve(smtp.mails.find((m) => m.to.includes(email))));
    const link = /http:\/\/api\.test(\/social\/reconnect\/[\w.-]+)/.exec(mail.text);
    expect(link).not.toBeNull();
    const follow = await stack.http().get(link![1]).expect(302);
    const to = new URL(follow.headers.location);
    expect(`${to.origin}${to.pathname}`).toBe(`${stack.sandbox.url}/instagram/www/oauth/authorize`);
    // reconnecting through it makes the account work again
    const approved = await fetch(`${to.toString()}&sandbox_auto=approve&sandbox_user=${LENA_IG}`, { redirect: 'manual' });
    const search = new URL(approved.headers.get('location') as string).search;
    await instagramCallback(stack, auth, search).expect(200);
    expect(await row(accountId)).toMatchObject({ status: 'active', is_valid: true });
  });

  it('should retry, not break, the connection when Instagram is unavailable during a scheduled refresh', async () => {
    const { accountId } = await connectLena();
    const expiresAt = new Date((await row(accountId)).expires_at as string);
    await advance(Math.floor((expiresAt.getTime() - clock.now().getTime()) / 1000) - 9 * DAY);
    await control(stack.sandbox, 'POST', '/faults', {
      path: '/instagram/graph/refresh_access_token',
      count: 2,
      error: { code: 2, message: 'Service temporarily unavailable' },
    });
    await scheduler.sweeps.sweep();
    const refreshed = await waitFor('the refresh after two failures', async () => {
      const r = await row(accountId);
      return new Date(r.expires_at as string).getTime() > expiresAt.getTime() ? r : undefined;
    });
    expect(refreshed).toMatchObject({ status: 'active', is_valid: true });
    // (other tests' accounts, whose sandbox tokens the reset wiped, are swept too: they answer 190)
    const statuses = (await calls('/instagram/graph/refresh_access_token')).map((c) => c.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(statuses).toContain(200);
    expect(await row(accountId)).toMatchObject({ status: 'active' });
  });

  it('should publish a reel through an Instagram-Login account on graph.instagram.com, by video_url', async () => {
    const { auth, accountId } = await connectLena();
    await control(stack.sandbox, 'POST', '/reels/config', { processing_seconds: 0, processing_polls: 1 });
    const limit = await stack.http().get(`/social/accounts/${accountId}/publishing-limit`).set('Authorization', auth).expect(200);
    expect(limit.body).toMatchObject({ quota_usage: 0 });
    const res = await stack
      .http()
      .post('/social/reels')
      .set('Authorization', auth)
      .send({ account_id: accountId, video_url: 'https://cdn.example.com/bake.mp4', caption: 'Fresh #bread' })
      .expect(202);
    const done = await waitFor(
      'the reel published',
      async () => {
        const r = await stack
          .http()
          .get(`/social/reels/${res.body.id as number}`)
          .set('Authorization', auth)
          .expect(200);
        if (r.body.status === 'failed') throw new Error(JSON.stringify(r.body));
        return r.body.status === 'published' ? (r.body as Record<string, unknown>) : undefined;
      },
      20_000,
    );
    expect(done.permalink).toMatch(/^https:\/\/www\.instagram\.com\/reel\//);
    // every publishing call went to the Instagram host, with the /me user_id in the path
    const publishCalls = await calls('/media_publish');
    expect(publishCalls.map((c) => c.path)).toEqual([`/instagram/graph/v25.0/${LENA_IG}/media_publish`]);
    expect((await calls(`/instagram/graph/v25.0/${LENA_IG}/media`)).length).toBeGreaterThanOrEqual(1);
    // (an upload goes through a signed video_url: test/e2e/instagram-login-uploads.e2e-spec.ts)
  });

  it('should delete the tokens on disconnect and say honestly that Instagram cannot revoke them', async () => {
    const { auth, accountId } = await connectLena();
    const res = await stack.http().delete(`/social/accounts/${accountId}`).set('Authorization', auth).expect(200);
    expect(res.body).toMatchObject({ success: true, disconnected: true, revoked_at_facebook: false, account_id: accountId });
    expect(res.body.message).toContain('Instagram gives apps no way to revoke');
    expect(await row(accountId)).toMatchObject({
      access_token: null,
      long_lived_token: null,
      is_connected: false,
      status: 'disconnected',
    });
    // nothing was sent to Meta for it
    expect(await calls('/me/permissions')).toHaveLength(0);
  });
});
