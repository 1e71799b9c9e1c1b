/**
 * Contract tests of MetaGraphApiClient against the Meta Graph sandbox: every behaviour the app
 * relies on, success and failure, through the real HTTP adapter.
 */
import { createHmac } from 'node:crypto';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../src/config/app-config';
import type { GraphCallInfo } from '../../src/modules/graph/graph-call-observer';
import { GraphCallObserver } from '../../src/modules/graph/graph-call-observer';
import { GraphError } from '../../src/modules/graph/graph-error';
import type { MetaGraphApiClient } from '../../src/modules/graph/meta-graph-api.client';
import { startSandbox } from '../../src/sandbox/sandbox-server';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import {
  ACME_COFFEE_IG,
  ACME_COFFEE_PAGE,
  ACME_EVENTS_PAGE,
  ACME_ROASTERY_PAGE,
  ALEX_ID,
  SAM_STUDIO_IG,
  TEST_REDIRECT_URI,
  control,
  graphClientFor,
  loginCode,
} from '../helpers/sandbox';

/** Runs `fn`, expects a GraphError, returns it. */
async function graphError(fn: () => Promise<unknown>): Promise<GraphError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof GraphError) return err;
    throw err;
  }
  throw new Error('expected a GraphError');
}

describe('MetaGraphApiClient against the Meta Graph sandbox', () => {
  let sandbox: RunningSandbox;
  let client: MetaGraphApiClient;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, redirectUris: [TEST_REDIRECT_URI] });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.state.reset();
    client = graphClientFor(sandbox);
  });

  /** Logs Alex in (all Pages unless told otherwise) and returns a user token. */
  async function userToken(opts: Parameters<typeof loginCode>[1] = {}): Promise<string> {
    const grant = await client.exchangeCode(await loginCode(sandbox, opts), opts.redirectUri ?? TEST_REDIRECT_URI);
    return grant.accessToken;
  }
  async function longLivedToken(opts: Parameters<typeof loginCode>[1] = {}): Promise<string> {
    return (await client.exchangeForLongLived(await userToken(opts))).accessToken;
  }

  describe('code exchange', () => {
    it('should return a short-lived token with expires_in when the code is fresh', async () => {
      const grant = await client.exchangeCode(await loginCode(sandbox), TEST_REDIRECT_URI);
      expect(grant.accessToken).toMatch(/^EAA/);
      expect(grant.expiresInSeconds).toBe(7200);
    });

    it('should fail with 100/36009 when the same code is exchanged twice', async () => {
      const code = await loginCode(sandbox);
      await client.exchangeCode(code, TEST_REDIRECT_URI);
      const err = await graphError(() => client.exchangeCode(code, TEST_REDIRECT_URI));
      expect([err.kind, err.code, err.subcode, err.httpStatus]).toEqual(['bad-request', 100, 36009, 400]);
      expect(err.message).toContain('This authorization code has been used.');
      expect(err.message).not.toContain(code);
      expect(err.fbtraceId).toBeTruthy();
    });

    it('should fail with 100/36007 when the code is older than ten minutes', async () => {
      const code = await loginCode(sandbox);
      await control(sandbox, 'POST', '/clock', { advance_seconds: 601 });
      const err = await graphError(() => client.exchangeCode(code, TEST_REDIRECT_URI));
      expect([err.kind, err.code, err.subcode]).toEqual(['bad-request', 100, 36007]);
    });

    it('should fail with 100/36008 when the redirect_uri differs by a trailing slash', async () => {
      const code = await loginCode(sandbox);
      const err = await graphError(() => client.exchangeCode(code, `${TEST_REDIRECT_URI}/`));
      expect([err.kind, err.code, err.subcode]).toEqual(['bad-request', 100, 36008]);
    });

    it('should fail with code 100 and no subcode when the code is garbage', async () => {
      const err = await graphError(() => client.exchangeCode('not-a-code', TEST_REDIRECT_URI));
      expect([err.kind, err.code, err.subcode]).toEqual(['bad-request', 100, undefined]);
      expect(err.message).toContain('Invalid verification code format.');
    });

    it('should fail with code 1 as a bad request (not transient) when the client secret is wrong', async () => {
      const code = await loginCode(sandbox);
      const err = await graphError(() =>
        graphClientFor(sandbox, { appSecret: 'wrong-secret-value' }).exchangeCode(code, TEST_REDIRECT_URI),
      );
      expect([err.kind, err.code]).toEqual(['bad-request', 1]);
      expect(err.message).toContain('Error validating client secret.');
      expect(err.message).not.toContain('wrong-secret-value');
    });

    it('should fail with code 101 when the client id is unknown', async () => {
      const code = await loginCode(sandbox);
      const err = await graphError(() => graphClientFor(sandbox, { appId: '999' }).exchangeCode(code, TEST_REDIRECT_URI));
      expect([err.kind, err.code]).toEqual(['bad-request', 101]);
    });

    it('should return no expiresInSeconds when Meta omits expires_in', async () => {
      await control(sandbox, 'POST', '/settings', { omitExpiresIn: true });
      const grant = await client.exchangeCode(await loginCode(sandbox), TEST_REDIRECT_URI);
      expect(grant.accessToken).toMatch(/^EAA/);
      expect(grant).not.toHaveProperty('expiresInSeconds');
    });

    it('should return a ~60-day token when the sandbox is set to issue long-lived tokens on exchange', async () => {
      await control(sandbox, 'POST', '/settings', { codeExchangeLongLived: true });
      const grant = await client.exchangeCode(await loginCode(sandbox), TEST_REDIRECT_URI);
      expect(grant.expiresInSeconds).toBe(5_184_000);
    });
  });

  describe('long-lived exchange', () => {
    it('should return a new string valid for 60 days when the input is short-lived', async () => {
      const short = await userToken();
      const long = await client.exchangeForLongLived(short);
      expect(long.accessToken).not.toBe(short);
      expect(long.expiresInSeconds).toBe(5_184_000);
    });

    it('should keep the original expiry and string when the input is already long-lived', async () => {
      const long = await client.exchangeForLongLived(await userToken());
      await control(sandbox, 'POST', '/clock', { advance_seconds: 3600 });
      const again = await client.exchangeForLongLived(long.accessToken);
      expect(again.accessToken).toBe(long.accessToken);
      // counts down with the sandbox clock (real seconds may tick between the two calls)
      expect(again.expiresInSeconds).toBeLessThanOrEqual(5_184_000 - 3600);
      expect(again.expiresInSeconds).toBeGreaterThanOrEqual(5_184_000 - 3600 - 2);
    });

    it('should fail with 190/463 as token-invalid when the input token has expired', async () => {
      const short = await userToken();
      await control(sandbox, 'POST', '/clock', { advance_seconds: 7201 });
      const err = await graphError(() => client.exchangeForLongLived(short));
      expect([err.kind, err.code, err.subcode]).toEqual(['token-invalid', 190, 463]);
      expect(err.message).not.toContain(short);
    });
  });

  describe('inspectToken (debug_token)', () => {
    it('should describe a valid user token with scopes, granular targets and data access expiry', async () => {
      const before = Date.now();
      const token = await userToken({ pages: [ACME_COFFEE_PAGE, ACME_EVENTS_PAGE] });
      const info = await client.inspectToken(token);
      expect(info).toMatchObject({ isValid: true, type: 'USER', appId: SANDBOX_APP_ID, userId: ALEX_ID });
      expect(info.error).toBeUndefined();
      expect(info.scopes).toEqual(expect.arrayContaining(['public_profile', 'pages_show_list', 'instagram_basic']));
      expect(info.granularScopes).toContainEqual({ scope: 'pages_show_list', targetIds: [ACME_COFFEE_PAGE, ACME_EVENTS_PAGE] });
      expect(info.granularScopes).toContainEqual({ scope: 'instagram_basic', targetIds: [ACME_COFFEE_IG] });
      expect(info.expiresAt?.getTime()).toBeGreaterThan(before + 7000 * 1000);
      expect(info.dataAccessExpiresAt?.getTime()).toBeGreaterThan(before + 89 * 86_400_000);
      expect(info.issuedAt).toBeInstanceOf(Date);
    });

    it('should describe a Page token from a long-lived user token as PAGE that never expires', async () => {
      const pages = await client.listPages(await longLivedToken());
      const coffee = pages.find((p) => p.id === ACME_COFFEE_PAGE);
      const info = await client.inspectToken(coffee?.accessToken ?? '');
      expect(info).toMatchObject({ isValid: true, type: 'PAGE', profileId: ACME_COFFEE_PAGE, userId: ALEX_ID, expiresAt: null });
    });

    it('should report is_valid false with 190/460 when the user changed their password', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', `/users/${ALEX_ID}/invalidate`, { subcode: 460 });
      const info = await client.inspectToken(token);
      expect(info.isValid).toBe(false);
      expect(info.error).toMatchObject({ code: 190, subcode: 460 });
      expect(info.error?.message).not.toContain(token);
    });

    it('should report is_valid false when the token is unknown', async () => {
      const info = await client.inspectToken('EAAgarbage');
      expect(info.isValid).toBe(false);
      expect(info.error?.code).toBe(190);
    });

    it('should fail when the app token belongs to another app secret', async () => {
      const err = await graphError(() => graphClientFor(sandbox, { appSecret: 'other' }).inspectToken('EAAx'));
      expect([err.kind, err.code]).toEqual(['token-invalid', 190]);
    });
  });

  describe('getMe and listPages', () => {
    it('should return the user id and name when the token is valid', async () => {
      await expect(client.getMe(await userToken())).resolves.toEqual({ id: ALEX_ID, name: 'Alex Rivera' });
    });

    it('should return only the Pages ticked in the dialog with tokens, tasks and linked IG accounts', async () => {
      const pages = await client.listPages(await userToken({ pages: [ACME_COFFEE_PAGE, ACME_EVENTS_PAGE] }));
      expect(pages.map((p) => p.id)).toEqual([ACME_COFFEE_PAGE, ACME_EVENTS_PAGE]);
      expect(pages[0]).toMatchObject({
        name: 'Acme Coffee',
        category: 'Coffee Shop',
        instagramAccountId: ACME_COFFEE_IG,
        instagramUsername: 'acme.coffee',
      });
      expect(pages[0].tasks).toContain('CREATE_CONTENT');
      expect(pages[0].accessToken).toMatch(/^EAA/);
      expect(pages[1].instagramAccountId).toBeUndefined();
    });

    it('should follow paging.next until absent when the user has more Pages than the page size', async () => {
      const user = await control<{ id: string }>(sandbox, 'POST', '/users', { name: 'Many Pages' });
      for (let i = 0; i < 30; i++) await control(sandbox, 'POST', '/pages', { user_id: user.id, name: `Page ${i}` });
      const token = await userToken({ userId: user.id });
      await control(sandbox, 'DELETE', '/calls');
      const pages = await graphClientFor(sandbox, { pageSize: 7 }).listPages(token);
      expect(pages).toHaveLength(30);
      expect(new Set(pages.map((p) => p.id)).size).toBe(30);
      expect(pages.map((p) => p.name)).toEqual(Array.from({ length: 30 }, (_, i) => `Page ${i}`));
      const calls = await control<{ data: Array<{ query: Record<string, string> }> }>(sandbox, 'GET', '/calls?path=/me/accounts');
      expect(calls.data).toHaveLength(5);
      expect(calls.data.every((c) => c.query.access_token === '***')).toBe(true);
    });

    it('should stop after one request when all Pages fit in the first page', async () => {
      const token = await userToken();
      await control(sandbox, 'DELETE', '/calls');
      expect(await client.listPages(token)).toHaveLength(3);
      const calls = await control<{ data: unknown[] }>(sandbox, 'GET', '/calls?path=/me/accounts');
      expect(calls.data).toHaveLength(1);
    });

    it('should fail with a permission error when pages_show_list was declined', async () => {
      const token = await userToken({ decline: ['pages_show_list'] });
      const err = await graphError(() => client.listPages(token));
      expect([err.kind, err.code, err.httpStatus]).toEqual(['permission', 200, 403]);
    });

    it('should fail as token-invalid when the 90-day data access has lapsed', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', `/users/${ALEX_ID}/expire-data-access`);
      const err = await graphError(() => client.listPages(token));
      expect([err.kind, err.code]).toEqual(['token-invalid', 190]);
      expect(err.message).toContain("hasn't engaged the app in longer than 90 days");
      const perms = await client.getPermissions(token);
      expect(perms).toContainEqual({ permission: 'pages_show_list', status: 'expired' });
    });
  });

  describe('Instagram account', () => {
    it('should return the selected fields of a linked IG account when read with the user token', async () => {
      const ig = await client.getInstagramAccount(ACME_COFFEE_IG, await userToken());
      expect(ig).toMatchObject({ id: ACME_COFFEE_IG, username: 'acme.coffee', name: 'Acme Coffee', mediaCount: 12 });
      expect(ig.profilePictureUrl).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(typeof ig.followersCount).toBe('number');
    });

    it('should also work with the Page token of the linked Page', async () => {
      const pages = await client.listPages(await userToken());
      const coffee = pages.find((p) => p.id === ACME_COFFEE_PAGE);
      await expect(client.getInstagramAccount(ACME_COFFEE_IG, coffee?.accessToken ?? '')).resolves.toMatchObject({
        username: 'acme.coffee',
      });
    });

    it('should fail with 100/33 when the IG account belongs to a Page the user did not grant', async () => {
      const err = await graphError(async () => client.getInstagramAccount(SAM_STUDIO_IG, await userToken()));
      expect([err.kind, err.code, err.subcode]).toEqual(['bad-request', 100, 33]);
      expect(err.message).toContain(`Object with ID '${SAM_STUDIO_IG}' does not exist`);
    });

    it('should refuse a non-numeric id without calling Meta', async () => {
      const err = await graphError(async () => client.getInstagramAccount('../me', 'EAAx'));
      expect(err.kind).toBe('bad-request');
    });
  });

  describe('permissions', () => {
    it('should list granted and declined permissions when the user unticked one', async () => {
      const perms = await client.getPermissions(await userToken({ decline: ['instagram_content_publish'] }));
      expect(perms).toContainEqual({ permission: 'public_profile', status: 'granted' });
      expect(perms).toContainEqual({ permission: 'pages_show_list', status: 'granted' });
      expect(perms).toContainEqual({ permission: 'instagram_content_publish', status: 'declined' });
    });

    it('should kill user and Page tokens with 190/458 when the app is revoked', async () => {
      const token = await longLivedToken();
      const [page] = await client.listPages(token);
      await client.revokeAll(token);
      const userErr = await graphError(() => client.getMe(token));
      expect([userErr.kind, userErr.code, userErr.subcode]).toEqual(['token-invalid', 190, 458]);
      const pageErr = await graphError(() => client.subscribePageToApp(page.id, page.accessToken, ['feed']));
      expect([pageErr.kind, pageErr.subcode]).toEqual(['token-invalid', 458]);
      expect(`${userErr.message} ${pageErr.message}`).not.toContain(token);
    });
  });

  describe('Page subscription', () => {
    it('should subscribe the Page to the app when called with its Page token', async () => {
      const pages = await client.listPages(await longLivedToken());
      const coffee = pages.find((p) => p.id === ACME_COFFEE_PAGE);
      await client.subscribePageToApp(ACME_COFFEE_PAGE, coffee?.accessToken ?? '', ['feed', 'mention']);
      const state = await control<{ pages: Array<{ id: string; subscribed_fields: string[] | null }> }>(sandbox, 'GET', '/state');
      expect(state.pages.find((p) => p.id === ACME_COFFEE_PAGE)?.subscribed_fields).toEqual(['feed', 'mention']);
    });

    it('should fail with a permission error when pages_manage_metadata was not granted', async () => {
      const pages = await client.listPages(await userToken({ decline: ['pages_manage_metadata'] }));
      const err = await graphError(() => client.subscribePageToApp(pages[0].id, pages[0].accessToken, ['feed']));
      expect(err.kind).toBe('permission');
    });

    it('should fail with 190/492 when the user lost their role on the Page', async () => {
      const pages = await client.listPages(await longLivedToken());
      const roastery = pages.find((p) => p.id === ACME_ROASTERY_PAGE);
      await control(sandbox, 'POST', `/pages/${ACME_ROASTERY_PAGE}/remove-role`, { user_id: ALEX_ID });
      const err = await graphError(() => client.subscribePageToApp(ACME_ROASTERY_PAGE, roastery?.accessToken ?? '', ['feed']));
      expect([err.kind, err.code, err.subcode]).toEqual(['token-invalid', 190, 492]);
    });
  });

  describe('appsecret_proof (raw HTTP)', () => {
    it('should reject a call without appsecret_proof when the app requires it', async () => {
      const token = await userToken();
      const res = await fetch(`${sandbox.url}/v25.0/me?access_token=${token}`);
      const body = (await res.json()) as { error: { code: number; type: string; message: string } };
      expect(res.status).toBe(400);
      expect(body.error).toMatchObject({
        code: 100,
        type: 'GraphMethodException',
        message: 'API calls from the server require an appsecret_proof argument',
      });
    });

    it('should reject a call with a wrong appsecret_proof', async () => {
      const token = await userToken();
      const wrong = createHmac('sha256', 'not-the-secret').update(token).digest('hex');
      const res = await fetch(`${sandbox.url}/v25.0/me?access_token=${token}&appsecret_proof=${wrong}`);
      const body = (await res.json()) as { error: { code: number; type: string; message: string } };
      expect(body.error).toMatchObject({
        code: 100,
        type: 'GraphMethodException',
        message: 'Invalid appsecret_proof provided in the API argument',
      });
    });

    it('should accept the right proof, and no proof once the requirement is switched off', async () => {
      const token = await userToken();
      const proof = createHmac('sha256', SANDBOX_APP_SECRET).update(token).digest('hex');
      expect((await fetch(`${sandbox.url}/v25.0/me?access_token=${token}&appsecret_proof=${proof}`)).status).toBe(200);
      await control(sandbox, 'POST', '/settings', { requireAppSecretProof: false });
      expect((await fetch(`${sandbox.url}/v25.0/me?access_token=${token}`)).status).toBe(200);
    });
  });

  describe('injected faults', () => {
    it("should classify code 2 as transient with Meta's 5xx status", async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', { path: '/me', method: 'GET', error: { code: 2 } });
      const err = await graphError(() => client.getMe(token));
      expect([err.kind, err.code, err.httpStatus, err.isTransient]).toEqual(['transient', 2, 503, true]);
      await expect(client.getMe(token)).resolves.toMatchObject({ id: ALEX_ID });
    });

    it('should classify code 4 as rate-limited with retryAfterMs from the usage headers', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', {
        path: '/me/accounts',
        error: { code: 4 },
        usage: { call_count: 100, total_cputime: 40, total_time: 60, estimated_time_to_regain_access: 9 },
      });
      const err = await graphError(() => client.listPages(token));
      expect([err.kind, err.code, err.retryAfterMs]).toEqual(['rate-limited', 4, 9 * 60_000]);
      expect(err.usage?.highestPercent).toBe(100);
    });

    it('should classify a bare HTTP 503 with a non-JSON body as transient', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', { path: '/me', http_status: 503 });
      const err = await graphError(() => client.getMe(token));
      expect([err.kind, err.httpStatus, err.code]).toEqual(['transient', 503, undefined]);
    });

    it('should classify a hung request as transient when the client times out', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', { path: '/me/permissions', timeout: true });
      const started = Date.now();
      const err = await graphError(() => graphClientFor(sandbox, { timeoutMs: 300 }).getPermissions(token));
      expect(err.kind).toBe('transient');
      expect(err.message).toContain('timed out');
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('should classify a network failure as transient', async () => {
      const err = await graphError(() => graphClientFor(sandbox, { graphUrl: 'http://127.0.0.1:1' }).getMe('EAAx'));
      expect(err.kind).toBe('transient');
    });

    it('should classify 190/467 as token-invalid', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', { path: '/me', error: { code: 190, subcode: 467 } });
      const err = await graphError(() => client.getMe(token));
      expect([err.kind, err.code, err.subcode, err.httpStatus]).toEqual(['token-invalid', 190, 467, 400]);
    });

    it('should classify #200 as a permission error', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', { path: '/me/accounts', error: { code: 200 } });
      const err = await graphError(() => client.listPages(token));
      expect([err.kind, err.httpStatus]).toEqual(['permission', 403]);
    });

    it('should never put the token in the error message even when Meta echoes it', async () => {
      const token = await userToken();
      await control(sandbox, 'POST', '/faults', {
        path: '/me',
        error: { code: 100, message: `Bad value ${token} for access_token` },
      });
      const err = await graphError(() => client.getMe(token));
      expect(err.message).not.toContain(token);
      expect(err.message).toContain('[redacted]');
      expect(JSON.stringify(err)).not.toContain(token);
    });
  });

  describe('observer and login URL', () => {
    it('should report each call outcome to the observer', async () => {
      const seen: GraphCallInfo[] = [];
      class Recorder extends GraphCallObserver {
        onCall(info: GraphCallInfo): void {
          seen.push(info);
        }
      }
      const observed = graphClientFor(sandbox, {}, new Recorder());
      const token = (await observed.exchangeCode(await loginCode(sandbox), TEST_REDIRECT_URI)).accessToken;
      await graphError(() => observed.getInstagramAccount(SAM_STUDIO_IG, token));
      expect(seen.map((s) => [s.operation, s.outcome, s.code])).toEqual([
        ['exchangeCode', 'ok', undefined],
        ['getInstagramAccount', 'bad-request', 100],
      ]);
    });

    it('should build a dialog URL the sandbox accepts', async () => {
      const url = new URL(
        client.buildLoginUrl({
          redirectUri: TEST_REDIRECT_URI,
          state: 'abc',
          scopes: ['pages_show_list'],
          authType: 'reauthorize',
        }),
      );
      expect(url.pathname).toBe('/v25.0/dialog/oauth');
      expect(url.searchParams.get('auth_type')).toBe('reauthorize');
      url.searchParams.set('sandbox_auto', 'approve');
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('abc');
      expect(location.searchParams.get('code')).toBeTruthy();
    });
  });
});
