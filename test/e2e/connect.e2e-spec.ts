import { DataSource } from 'typeorm';
import { OAuthStateService, hashState } from '../../src/modules/social/oauth-state.service';
import { ALEX_ID, ACME_COFFEE_PAGE, ACME_EVENTS_PAGE, ACME_ROASTERY_PAGE, SAM_ID, control } from '../helpers/sandbox';
import { callback, dialog, newPerson, newUser, startStack, type Stack } from '../helpers/stack';

describe('connect, status and disconnect (e2e)', () => {
  let stack: Stack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack();
    db = stack.api.app.get(DataSource);
  });
  afterAll(async () => stack.close());
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await db.query<Array<{ n: string }>>(sql, params))[0].n);
  const rowsOf = async (auth: string) => {
    const me = await stack.http().get('/auth/me').set('Authorization', auth);
    return count(`SELECT count(*) n FROM instagram_tokens WHERE user_id = $1`, [me.body.id]);
  };

  it('should return the dialog URL with the exact redirect URI, the scopes and a 256-bit state', async () => {
    const { auth } = await newUser(stack);
    const res = await stack.http().post('/social/facebook/login').set('Authorization', auth).send({}).expect(200);
    const url = new URL(res.body.login_url);
    expect(url.origin).toBe(stack.sandbox.url);
    expect(url.pathname).toBe('/v25.0/dialog/oauth');
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3002/settings/social-accounts/callback');
    expect(url.searchParams.get('scope')?.split(',')).toEqual(
      expect.arrayContaining([
        'instagram_basic',
        'instagram_content_publish',
        'pages_show_list',
        'pages_read_engagement',
        'pages_manage_metadata',
        'business_management',
      ]),
    );
    expect(url.searchParams.get('state')).toBe(res.body.state);
    expect(Buffer.from(res.body.state, 'base64url')).toHaveLength(32);
    const stored = await db.query<Array<{ state_hash: string }>>(`SELECT state_hash FROM oauth_states`);
    expect(stored.map((s) => s.state_hash)).not.toContain(res.body.state);
  });

  it('should connect the one Instagram account when the login reaches exactly one', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: SAM_ID });
    const res = await callback(stack, auth, search).expect(200);
    expect(res.body.status).toBe('connected');
    expect(res.body.accounts).toHaveLength(1);
    expect(res.body.accounts[0]).toMatchObject({
      instagram_username: 'sam.studio',
      facebook_page_name: "Sam's Studio",
      status: 'active',
      is_default: true,
    });
    const status = await stack.http().get('/social/status').set('Authorization', auth).expect(200);
    expect(status.body).toMatchObject({
      is_connected: true,
      instagram_username: 'sam.studio',
      is_token_valid: true,
      accounts_count: 1,
    });
    // the sandbox issues short-lived codes by default: the stored expiry is the long-lived one, ~60 days
    expect(status.body.days_until_expiry).toBeGreaterThanOrEqual(58);
    expect(status.body.days_until_expiry).toBeLessThanOrEqual(60);
  });

  it('should answer the same result again and not exchange twice when the callback is hit twice', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: SAM_ID });
    const [a, b] = await Promise.all([callback(stack, auth, search), callback(stack, auth, search)]);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    const third = await callback(stack, auth, search).expect(200);
    expect(third.body).toEqual(a.body);
    const calls = await control<{ data: Array<{ path: string; query: Record<string, string> }> }>(
      stack.sandbox,
      'GET',
      '/calls?path=oauth/access_token',
    );
    expect(calls.data.filter((c) => 'code' in c.query)).toHaveLength(1);
  });

  it('should offer a choice and store nothing until the user picks when the login reaches two accounts', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE, ACME_EVENTS_PAGE] });
    const res = await callback(stack, auth, search).expect(200);
    expect(res.body.status).toBe('needs_selection');
    expect(res.body.candidates.map((c: { username: string }) => c.username).sort()).toEqual(['acme.coffee', 'acme.roastery']);
    expect(await rowsOf(auth)).toBe(0);
    const state = new URLSearchParams(search).get('state');
    expect(res.body.state).toBe(state);
    const roastery = res.body.candidates.find((c: { username: string }) => c.username === 'acme.roastery');
    const bad = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', auth)
      .send({ state, ig_user_ids: ['999'] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('SELECTION_INVALID');
    const picked = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', auth)
      .send({ state, ig_user_ids: [roastery.ig_user_id] })
      .expect(200);
    expect(picked.body.accounts.map((a: { instagram_username: string }) => a.instagram_username)).toEqual(['acme.roastery']);
    const again = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', auth)
      .send({ state, ig_user_ids: [roastery.ig_user_id] })
      .expect(200);
    expect(again.body).toEqual(picked.body);
    expect(await rowsOf(auth)).toBe(1);
  });

  it('should wipe the pending tokens and the offered accounts of an abandoned picker when housekeeping runs after it expired', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE] });
    expect((await callback(stack, auth, search).expect(200)).body.status).toBe('needs_selection');
    const hash = hashState(new URLSearchParams(search).get('state') as string);
    const secret = async () =>
      (
        await db.query<Array<{ pending_secret: string | null }>>(
          `SELECT pending_secret FROM oauth_states WHERE state_hash = $1`,
          [hash],
        )
      )[0]?.pending_secret;
    expect(await secret()).toEqual(expect.any(String));
    await db.query(`UPDATE oauth_states SET expires_at = now() - interval '1 minute' WHERE state_hash = $1`, [hash]);
    const purged = await stack.api.app.get(OAuthStateService).purgeExpired();
    expect(purged.wiped).toBeGreaterThanOrEqual(1);
    expect(await secret()).toBeNull();
    // nothing left that names the accounts it offered
    const left = await db.query(`SELECT * FROM oauth_states WHERE state_hash = $1`, [hash]);
    expect(JSON.stringify(left)).not.toMatch(/acme\.(coffee|roastery)|Acme/);
    expect((await callback(stack, auth, search)).body.code).toBe('OAUTH_STATE_EXPIRED');
    await db.query(`UPDATE oauth_states SET expires_at = now() - interval '2 days' WHERE state_hash = $1`, [hash]);
    expect((await stack.api.app.get(OAuthStateService).purgeExpired()).deleted).toBeGreaterThanOrEqual(1);
    expect(await secret()).toBeUndefined();
  });

  it('should refuse a selection from another user with a 400 and connect nothing', async () => {
    const alice = await newUser(stack);
    const mallory = await newUser(stack);
    const search = await dialog(stack, alice.auth, { user: ALEX_ID });
    await callback(stack, alice.auth, search).expect(200);
    const state = new URLSearchParams(search).get('state');
    const res = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', mallory.auth)
      .send({ state, ig_user_ids: ['17841400000000001'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('OAUTH_STATE_INVALID');
    expect(await rowsOf(alice.auth)).toBe(0);
    expect(await rowsOf(mallory.auth)).toBe(0);
  });

  it('should answer 400 and call no Meta endpoint when the state is forged, missing or foreign', async () => {
    const alice = await newUser(stack);
    const bob = await newUser(stack);
    const search = await dialog(stack, alice.auth, { user: SAM_ID });
    const code = new URLSearchParams(search).get('code') as string;
    await control(stack.sandbox, 'DELETE', '/calls');
    const forged = await callback(stack, alice.auth, `?code=${code}&state=${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('OAUTH_STATE_INVALID');
    expect((await callback(stack, alice.auth, `?code=${code}`)).body.code).toBe('OAUTH_STATE_INVALID');
    const foreign = await callback(stack, bob.auth, search);
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('OAUTH_STATE_INVALID');
    const calls = await control<{ data: unknown[] }>(stack.sandbox, 'GET', '/calls');
    expect(calls.data).toHaveLength(0);
    expect(await rowsOf(alice.auth)).toBe(0);
    expect(await rowsOf(bob.auth)).toBe(0);
  });

  it('should answer OAUTH_DENIED when the user cancels the dialog', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { deny: true });
    const res = await callback(stack, auth, search);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('OAUTH_DENIED');
    expect(await rowsOf(auth)).toBe(0);
  });

  it('should hand a signed-out browser to the client callback page with the same query, and redirect a signed-in one with the result', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: SAM_ID });
    const handed = await stack.http().get(`/social/facebook/callback${search}`);
    expect(handed.status).toBe(302);
    expect(handed.headers.location).toBe(`http://localhost:3002/settings/social-accounts/callback${search}`);
    expect(await rowsOf(auth)).toBe(0);
    const ok = await stack.http().get(`/social/facebook/callback${search}`).set('Authorization', auth);
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe('http://localhost:3002/settings/social-accounts?connected=1');
    const denied = await stack
      .http()
      .get(`/social/facebook/callback${await dialog(stack, auth, { deny: true })}`)
      .set('Authorization', auth);
    expect(denied.headers.location).toBe('http://localhost:3002/settings/social-accounts?error=OAUTH_DENIED');
  });

  it('should answer OAUTH_CODE_INVALID when the code was already used at Meta', async () => {
    const { auth } = await newUser(stack);
    const first = await dialog(stack, auth, { user: SAM_ID });
    await callback(stack, auth, first).expect(200);
    // a new attempt replaying the old, spent code
    const second = new URLSearchParams(await dialog(stack, auth, { user: SAM_ID }));
    second.set('code', new URLSearchParams(first).get('code') as string);
    const res = await callback(stack, auth, `?${second.toString()}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('OAUTH_CODE_INVALID');
  });

  it('should name the declined permissions when the user unticks one', async () => {
    const { auth } = await newUser(stack);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID, decline: ['instagram_content_publish'] }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PERMISSIONS_DECLINED', declined: ['instagram_content_publish'] });
    expect(res.body.message).toContain('instagram_content_publish');
  });

  it('should explain what to do when only a Page without Instagram is ticked', async () => {
    const { auth } = await newUser(stack);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_EVENTS_PAGE] }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NO_INSTAGRAM_ACCOUNT');
    expect(res.body.message).toMatch(/No Instagram business account found/);
  });

  it('should find the Instagram account on a later result page when the user has many Pages', async () => {
    const { auth } = await newUser(stack);
    const user = await control<{ id: string }>(stack.sandbox, 'POST', '/users', { name: 'Many Pages' });
    for (let i = 0; i < 30; i++) await control(stack.sandbox, 'POST', '/pages', { user_id: user.id, name: `Page ${i}` });
    await control(stack.sandbox, 'POST', '/pages', {
      user_id: user.id,
      name: 'The Real One',
      instagram: { username: 'deep.page' },
    });
    await control(stack.sandbox, 'POST', '/settings', { pageSizeDefault: 10 });
    const res = await callback(stack, auth, await dialog(stack, auth, { user: user.id })).expect(200);
    expect(res.body.accounts[0].instagram_username).toBe('deep.page');
  });

  it('should update the same row in place when an account is reconnected', async () => {
    const { auth } = await newUser(stack);
    const first = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    const id = first.body.accounts[0].id;
    const again = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID }, { account_id: id })).expect(200);
    expect(again.body.accounts[0].id).toBe(id);
    const events = await stack.http().get(`/social/accounts/${id}/events`).set('Authorization', auth).expect(200);
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(['reconnect', 'connect']);
  });

  it('should show is_token_valid false once Meta said the token is dead', async () => {
    const { auth } = await newUser(stack);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    await control(stack.sandbox, 'POST', `/users/${SAM_ID}/invalidate`, { subcode: 460 });
    // the status route reads PostgreSQL; a check (refresh or sweep) is what learns it from Meta
    const refresh = await stack
      .http()
      .post(`/social/accounts/${res.body.accounts[0].id}/refresh-token`)
      .set('Authorization', auth);
    expect(refresh.body.status).toBe('needs_reconnect');
    const status = await stack.http().get('/social/status').set('Authorization', auth).expect(200);
    expect(status.body).toMatchObject({ is_token_valid: false, status: 'needs_reconnect' });
    const metrics = await stack.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/autoreels_token_checks_total\{actor="user",outcome="needs_reconnect"\} [1-9]/);
  });

  it('should revoke at Meta, delete the tokens and be harmless to repeat when disconnecting', async () => {
    const { auth } = await newUser(stack);
    const person = await newPerson(stack, ['solo']);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: person })).expect(200);
    const id = res.body.accounts[0].id;
    const out = await stack.http().delete('/social/disconnect').set('Authorization', auth).expect(200);
    expect(out.body).toMatchObject({
      success: true,
      disconnected: true,
      revoked_at_facebook: true,
      message: 'Successfully disconnected',
    });
    const calls = await control<{ data: Array<{ method: string; path: string }> }>(
      stack.sandbox,
      'GET',
      '/calls?path=permissions',
    );
    expect(calls.data.some((c) => c.method === 'DELETE')).toBe(true);
    const row = (
      await db.query<Array<Record<string, unknown>>>(
        `SELECT long_lived_token, access_token, is_connected, status FROM instagram_tokens WHERE id = $1`,
        [id],
      )
    )[0];
    expect(row).toEqual({ long_lived_token: null, access_token: null, is_connected: false, status: 'disconnected' });
    const again = await stack.http().delete(`/social/accounts/${id}`).set('Authorization', auth).expect(200);
    expect(again.body).toMatchObject({ success: true, disconnected: false });
    expect((await stack.http().get('/social/status').set('Authorization', auth)).body.is_connected).toBe(false);
  });

  it('should keep the Facebook grant when another connected account still uses it', async () => {
    const { auth } = await newUser(stack);
    const search = await dialog(stack, auth, { user: await newPerson(stack, ['first', 'second']) });
    const offer = await callback(stack, auth, search).expect(200);
    const state = new URLSearchParams(search).get('state');
    const both = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', auth)
      .send({ state, ig_user_ids: offer.body.candidates.map((c: { ig_user_id: string }) => c.ig_user_id) })
      .expect(200);
    const [a, b] = both.body.accounts as Array<{ id: number }>;
    const first = await stack.http().delete(`/social/accounts/${a.id}`).set('Authorization', auth).expect(200);
    expect(first.body.revoked_at_facebook).toBe(false);
    const second = await stack.http().delete(`/social/accounts/${b.id}`).set('Authorization', auth).expect(200);
    expect(second.body.revoked_at_facebook).toBe(true);
  });

  it('should still disconnect locally and record it when Meta fails during revoke', async () => {
    const { auth } = await newUser(stack);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: await newPerson(stack, ['failing']) })).expect(200);
    await control(stack.sandbox, 'POST', '/faults', {
      path: 'permissions',
      method: 'DELETE',
      count: 5,
      http_status: 500,
      error: { code: 2, is_transient: true },
    });
    const out = await stack.http().delete(`/social/accounts/${res.body.accounts[0].id}`).set('Authorization', auth).expect(200);
    expect(out.body).toMatchObject({ disconnected: true, revoked_at_facebook: false });
    const events = await db.query<unknown[]>(`SELECT type, outcome FROM token_events WHERE account_id = $1 ORDER BY id`, [
      res.body.accounts[0].id,
    ]);
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'revoke', outcome: 'failure' },
        { type: 'disconnect', outcome: 'success' },
      ]),
    );
  });

  it("should answer 404 and change nothing when a user touches another user's account", async () => {
    const owner = await newUser(stack);
    const other = await newUser(stack);
    const res = await callback(stack, owner.auth, await dialog(stack, owner.auth, { user: SAM_ID })).expect(200);
    const id = res.body.accounts[0].id;
    const before = JSON.stringify(await db.query(`SELECT * FROM instagram_tokens ORDER BY id`));
    for (const [method, path] of [
      ['get', `/social/accounts/${id}`],
      ['patch', `/social/accounts/${id}`],
      ['get', `/social/accounts/${id}/events`],
      ['delete', `/social/accounts/${id}`],
      ['post', `/social/accounts/${id}/refresh-token`],
    ] as const) {
      const r = await stack
        .http()
        [method](path)
        .set('Authorization', other.auth)
        .send(method === 'patch' ? { is_default: true } : undefined);
      expect([r.status, r.body.code, path]).toEqual([404, 'ACCOUNT_NOT_FOUND', path]);
      expect(JSON.stringify(r.body)).not.toContain('sam.studio');
    }
    const login = await stack.http().post('/social/facebook/login').set('Authorization', other.auth).send({ account_id: id });
    expect(login.status).toBe(404);
    expect(JSON.stringify(await db.query(`SELECT * FROM instagram_tokens ORDER BY id`))).toBe(before);
  });

  it('should list accounts and switch the default', async () => {
    const { auth } = await newUser(stack);
    await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    const search = await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE] });
    const second = await callback(stack, auth, search).expect(200);
    const list = await stack.http().get('/social/accounts').set('Authorization', auth).expect(200);
    expect(
      list.body.accounts.map((a: { instagram_username: string; is_default: boolean }) => [a.instagram_username, a.is_default]),
    ).toEqual([
      ['sam.studio', true],
      ['acme.coffee', false],
    ]);
    await stack
      .http()
      .patch(`/social/accounts/${second.body.accounts[0].id}`)
      .set('Authorization', auth)
      .send({ is_default: true })
      .expect(200);
    expect((await stack.http().get('/social/status').set('Authorization', auth)).body.instagram_username).toBe('acme.coffee');
  });
});
