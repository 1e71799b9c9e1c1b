import { Client } from 'pg';
import { ReconnectLinkService } from '../../src/modules/alerts/reconnect-link.service';
import { ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE, ALEX_ID, SAM_ID, control } from '../helpers/sandbox';
import { callback, dialog, newPerson, newUser, startStack, type Stack } from '../helpers/stack';

/**
 * Issue 10, "Linking only by the person who started it" (DESIGN.md section 7, RFC 9700 §4.7):
 * a code is exchanged only with the bearer of the user who started the flow; a renewal connects
 * only its own account; an e-mailed reconnect link survives mail scanners; a disconnect touches
 * only what is yours and leaves no alert on screen.
 */
describe('OAuth binding and disconnect (e2e)', () => {
  let stack: Stack;
  let db: Client;

  beforeAll(async () => {
    stack = await startStack();
    db = new Client({ connectionString: stack.api.db.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await stack.close();
  });

  const rowsOf = async (auth: string): Promise<number> =>
    ((await stack.http().get('/social/accounts').set('Authorization', auth).expect(200)).body.accounts as unknown[]).length;
  const codeExchanges = async (): Promise<number> =>
    (
      await control<{ data: Array<{ query: Record<string, string> }> }>(stack.sandbox, 'GET', '/calls?path=oauth/access_token')
    ).data.filter((c) => 'code' in c.query).length;
  const snapshot = async (): Promise<string> => JSON.stringify(await db.query(`SELECT * FROM instagram_tokens ORDER BY id`));
  const userIdOf = async (auth: string): Promise<number> =>
    (await stack.http().get('/auth/me').set('Authorization', auth).expect(200)).body.id as number;

  it("should exchange nothing when the victim approves the attacker's login and the callback comes without a bearer", async () => {
    const attacker = await newUser(stack);
    // the attacker starts a login and sends the URL to the victim, who approves it as Sam
    const search = await dialog(stack, attacker.auth, { user: SAM_ID });
    await control(stack.sandbox, 'DELETE', '/calls');

    const json = await callback(stack, null, search);
    expect([json.status, json.body.code]).toEqual([401, 'AUTH_REQUIRED']);
    // the victim's browser lands on the API: handed to the client's callback page, nothing exchanged
    const browser = await stack.http().get(`/social/facebook/callback${search}`);
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe(`http://localhost:3002/settings/social-accounts/callback${search}`);

    expect(await codeExchanges()).toBe(0);
    expect(await rowsOf(attacker.auth)).toBe(0);
  });

  it("should answer 400 and exchange nothing for another user's bearer, then complete for the owner", async () => {
    const owner = await newUser(stack);
    const other = await newUser(stack);
    const search = await dialog(stack, owner.auth, { user: SAM_ID });
    await control(stack.sandbox, 'DELETE', '/calls');

    const foreign = await callback(stack, other.auth, search);
    expect([foreign.status, foreign.body.code]).toEqual([400, 'OAUTH_STATE_INVALID']);
    const foreignBrowser = await stack.http().get(`/social/facebook/callback${search}`).set('Authorization', other.auth);
    expect(foreignBrowser.headers.location).toBe('http://localhost:3002/settings/social-accounts?error=OAUTH_STATE_INVALID');
    expect(await codeExchanges()).toBe(0);

    // the code was never spent, so its owner still completes it
    const done = await callback(stack, owner.auth, search).expect(200);
    expect(done.body.status).toBe('connected');
    expect(await rowsOf(other.auth)).toBe(0);
    expect(await rowsOf(owner.auth)).toBe(1);
  });

  it('should replay a completed state to its owner only, and only with the bearer', async () => {
    const owner = await newUser(stack);
    const other = await newUser(stack);
    const search = await dialog(stack, owner.auth, { user: SAM_ID });
    const first = await callback(stack, owner.auth, search).expect(200);

    expect((await callback(stack, null, search)).status).toBe(401);
    const foreign = await callback(stack, other.auth, search);
    expect([foreign.status, foreign.body.code]).toEqual([400, 'OAUTH_STATE_INVALID']);
    expect(JSON.stringify(foreign.body)).not.toContain('sam.studio');
    const again = await callback(stack, owner.auth, search).expect(200);
    expect(again.body).toEqual(first.body);
  });

  it("should not let an attacker's picker connect a victim's accounts", async () => {
    const attacker = await newUser(stack);
    // the victim (Alex, two Instagram accounts) approves the attacker's login
    const search = await dialog(stack, attacker.auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE] });
    const state = new URLSearchParams(search).get('state') as string;
    expect((await callback(stack, null, search)).status).toBe(401);
    // with no completed callback there is nothing to choose
    const select = await stack
      .http()
      .post('/social/facebook/select')
      .set('Authorization', attacker.auth)
      .send({ state, ig_user_ids: ['17841400000000001'] });
    expect([select.status, select.body.code]).toEqual([400, 'SELECTION_INVALID']);
    expect(await rowsOf(attacker.auth)).toBe(0);
  });

  it('should answer 409 WRONG_INSTAGRAM_ACCOUNT and change nothing when a renewal comes back with another account', async () => {
    const { auth } = await newUser(stack);
    const first = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    const id = first.body.accounts[0].id as number;
    const before = await snapshot();

    // renewing @sam.studio, but the person in the dialog is Alex with one Page ticked
    const one = await callback(
      stack,
      auth,
      await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE] }, { account_id: id }),
    );
    expect([one.status, one.body.code]).toEqual([409, 'WRONG_INSTAGRAM_ACCOUNT']);
    expect(one.body.message).toContain('@sam.studio');
    // … or with two: no picker for a renewal either
    const two = await callback(
      stack,
      auth,
      await dialog(stack, auth, { user: ALEX_ID, pages: [ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE] }, { account_id: id }),
    );
    expect([two.status, two.body.code]).toEqual([409, 'WRONG_INSTAGRAM_ACCOUNT']);

    expect(await snapshot()).toBe(before);
    expect(await rowsOf(auth)).toBe(1);
    // the right person renews it in place
    const renewed = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID }, { account_id: id })).expect(200);
    expect(renewed.body.accounts.map((a: { id: number }) => a.id)).toEqual([id]);
  });

  describe('the e-mailed reconnect link', () => {
    let links: ReconnectLinkService;
    beforeAll(() => {
      links = stack.api.app.get(ReconnectLinkService);
    });

    const follow = async (url: string): Promise<string> => {
      const res = await stack.http().get(new URL(url).pathname).expect(302);
      return res.headers.location;
    };
    const INVALID = 'http://localhost:3002/settings/social-accounts?error=RECONNECT_LINK_INVALID';

    async function connectedSam(): Promise<{ auth: string; userId: number; accountId: number }> {
      const { auth } = await newUser(stack);
      const res = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
      return { auth, userId: await userIdOf(auth), accountId: res.body.accounts[0].id as number };
    }

    it('should start a fresh login on every GET, so a mail scanner cannot use it up', async () => {
      const { userId, accountId } = await connectedSam();
      const { url } = await links.issue(userId, accountId);
      const states = new Set<string | null>();
      for (let i = 0; i < 3; i++) {
        const location = new URL(await follow(url));
        expect(location.origin).toBe(stack.sandbox.url);
        states.add(location.searchParams.get('state'));
      }
      expect(states.size).toBe(3);
    });

    it('should die when a connect through it completes', async () => {
      const { auth, userId, accountId } = await connectedSam();
      const { url } = await links.issue(userId, accountId);
      const approved = await fetch(`${await follow(url)}&sandbox_auto=approve&sandbox_user=${SAM_ID}`, { redirect: 'manual' });
      const search = new URL(approved.headers.get('location') as string).search;
      // still alive until the login completes
      expect(await follow(url)).not.toBe(INVALID);
      await callback(stack, auth, search).expect(200);
      expect(await follow(url)).toBe(INVALID);
    });

    it('should die when a newer link for the account is sent, and at expiry', async () => {
      const { userId, accountId } = await connectedSam();
      const older = await links.issue(userId, accountId);
      const newer = await links.issue(userId, accountId);
      expect(await follow(older.url)).toBe(INVALID);
      expect(await follow(newer.url)).not.toBe(INVALID);
      await db.query(`UPDATE reconnect_links SET expires_at = now() - interval '1 minute' WHERE account_id = $1`, [accountId]);
      expect(await follow(newer.url)).toBe(INVALID);
    });

    it('should die when the account is disconnected', async () => {
      const { auth, userId, accountId } = await connectedSam();
      const { url } = await links.issue(userId, accountId);
      await stack.http().delete(`/social/accounts/${accountId}`).set('Authorization', auth).expect(200);
      expect(await follow(url)).toBe(INVALID);
    });
  });

  describe('disconnect', () => {
    const revokes = async (): Promise<number> =>
      (await control<{ data: Array<{ method: string }> }>(stack.sandbox, 'GET', '/calls?path=permissions')).data.filter(
        (c) => c.method === 'DELETE',
      ).length;

    it("should not revoke at Facebook while another user's connection still uses the same Facebook login", async () => {
      // a Facebook user of this test alone, so no other spec's connection shares the grant
      const person = await newPerson(stack, ['shared']);
      const first = await newUser(stack);
      const second = await newUser(stack);
      await callback(stack, first.auth, await dialog(stack, first.auth, { user: person })).expect(200);
      await callback(stack, second.auth, await dialog(stack, second.auth, { user: person })).expect(200);
      await control(stack.sandbox, 'DELETE', '/calls');

      const kept = await stack.http().delete('/social/disconnect').set('Authorization', first.auth).expect(200);
      expect(kept.body).toMatchObject({ success: true, disconnected: true, revoked_at_facebook: false });
      expect(kept.body.message).toMatch(/another connection still uses the same Facebook login/);
      expect(await revokes()).toBe(0);
      // the other user's connection still works at Meta
      const refresh = await stack.http().post('/social/refresh-token').set('Authorization', second.auth).expect(200);
      expect(refresh.body).toMatchObject({ success: true, status: 'active' });

      // the last one out revokes
      const last = await stack.http().delete('/social/disconnect').set('Authorization', second.auth).expect(200);
      expect(last.body).toMatchObject({ disconnected: true, revoked_at_facebook: true });
      expect(await revokes()).toBe(1);
    });

    it('should not say "Connected" again when an old callback URL is revisited after a disconnect', async () => {
      const { auth } = await newUser(stack);
      const search = await dialog(stack, auth, { user: SAM_ID });
      const first = await callback(stack, auth, search).expect(200);
      expect((await callback(stack, auth, search).expect(200)).body.message).toBe('Connected @sam.studio.');
      await stack.http().delete(`/social/accounts/${first.body.accounts[0].id}`).set('Authorization', auth).expect(200);
      const again = await callback(stack, auth, search);
      expect([again.status, again.body.code]).toEqual([400, 'OAUTH_STATE_INVALID']);
      expect(again.body.message).toMatch(/disconnected since/);
    });

    it('should name the account when an alert is marked read', async () => {
      const { auth } = await newUser(stack);
      const person = await newPerson(stack, ['named']);
      const res = await callback(stack, auth, await dialog(stack, auth, { user: person })).expect(200);
      await control(stack.sandbox, 'POST', `/users/${person}/invalidate`, { subcode: 460 });
      await stack.http().post(`/social/accounts/${res.body.accounts[0].id}/refresh-token`).set('Authorization', auth);
      const alerts = (await stack.http().get('/social/alerts').set('Authorization', auth).expect(200)).body.alerts as Array<{
        id: number;
        instagram_username: string;
      }>;
      expect(alerts).toHaveLength(1);
      expect(alerts[0].instagram_username).toMatch(/^named\./);
      const read = await stack.http().post(`/social/alerts/${alerts[0].id}/read`).set('Authorization', auth).expect(200);
      expect(read.body.instagram_username).toBe(alerts[0].instagram_username);
      expect(read.body.read_at).not.toBeNull();
    });

    it('should leave no alert about a disconnected account on screen', async () => {
      const { auth } = await newUser(stack);
      const res = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
      const id = res.body.accounts[0].id as number;
      await control(stack.sandbox, 'POST', `/users/${SAM_ID}/invalidate`, { subcode: 460 });
      await stack.http().post(`/social/accounts/${id}/refresh-token`).set('Authorization', auth);
      const alertsFor = async (unread: boolean) =>
        (
          (
            await stack
              .http()
              .get(`/social/alerts${unread ? '?unread=true' : ''}`)
              .set('Authorization', auth)
              .expect(200)
          ).body.alerts as Array<{ account_id: number | null }>
        ).filter((a) => a.account_id === id);
      expect(await alertsFor(true)).toHaveLength(1);

      await stack.http().delete(`/social/accounts/${id}`).set('Authorization', auth).expect(200);
      expect(await alertsFor(true)).toHaveLength(0);
      expect(await alertsFor(false)).toHaveLength(0);
    });
  });
});
