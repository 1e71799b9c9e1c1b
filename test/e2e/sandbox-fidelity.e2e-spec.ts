/**
 * Fidelity of the Meta Graph sandbox: a widely used third-party client (passport-facebook) must
 * complete a login against it unchanged, and the raw HTTP surface must look like Meta's.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Passport } from 'passport';
import { Strategy as FacebookStrategy } from 'passport-facebook';
import type { Profile } from 'passport-facebook';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../src/config/app-config';
import { startSandbox } from '../../src/sandbox/sandbox-server';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import {
  ACME_COFFEE_PAGE,
  ALEX_ID,
  SAM_ID,
  SAM_STUDIO_PAGE,
  TEST_REDIRECT_URI,
  control,
  dialogRedirect,
  graphClientFor,
} from '../helpers/sandbox';

interface VerifiedLogin {
  accessToken: string;
  profileId: string;
  displayName: string;
}

describe('Meta Graph sandbox fidelity', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, redirectUris: [TEST_REDIRECT_URI] });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.state.reset();
  });

  describe('passport-facebook login', () => {
    let app: Server;
    let appUrl: string;
    let verified: VerifiedLogin[];

    beforeAll(async () => {
      const passport = new Passport();
      const web = express();
      app = createServer(web);
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
      passport.use(
        new FacebookStrategy(
          {
            clientID: SANDBOX_APP_ID,
            clientSecret: SANDBOX_APP_SECRET,
            callbackURL: `${appUrl}/auth/facebook/callback`,
            authorizationURL: `${sandbox.url}/v25.0/dialog/oauth`,
            tokenURL: `${sandbox.url}/v25.0/oauth/access_token`,
            profileURL: `${sandbox.url}/v25.0/me`,
            enableProof: true,
          },
          (accessToken: string, _refresh: string, profile: Profile, done: (err: unknown, user?: VerifiedLogin) => void) => {
            const login = { accessToken, profileId: profile.id, displayName: profile.displayName };
            verified.push(login);
            done(null, login);
          },
        ),
      );
      web.use(passport.initialize());
      web.get(
        '/auth/facebook',
        passport.authenticate('facebook', { session: false, scope: ['pages_show_list', 'instagram_basic'] }),
      );
      web.get(
        '/auth/facebook/callback',
        passport.authenticate('facebook', { session: false, failureRedirect: '/failed' }),
        (req, res) => {
          res.json({ ok: true, user: req.user });
        },
      );
      web.get('/failed', (_req, res) => {
        res.status(401).json({ ok: false });
      });
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => app.close(() => resolve()));
    });
    beforeEach(async () => {
      verified = [];
      await control(sandbox, 'POST', '/apps/redirect-uris', { uris: [`${appUrl}/auth/facebook/callback`] });
    });

    /** Follows the app's redirect to the dialog and returns the dialog URL. */
    async function startLogin(): Promise<URL> {
      const res = await fetch(`${appUrl}/auth/facebook`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      return new URL(res.headers.get('location') ?? '');
    }

    it('should hand passport an access token and the profile id when the dialog is auto-approved', async () => {
      const dialog = await startLogin();
      expect(dialog.searchParams.get('client_id')).toBe(SANDBOX_APP_ID);
      dialog.searchParams.set('sandbox_auto', 'approve');
      dialog.searchParams.set('sandbox_user', SAM_ID);
      const consent = await fetch(dialog, { redirect: 'manual' });
      const callback = consent.headers.get('location') ?? '';
      expect(callback).toMatch(/#_=_$/);
      const res = await fetch(callback);
      expect(res.status).toBe(200);
      expect(verified).toHaveLength(1);
      expect(verified[0].profileId).toBe(SAM_ID);
      expect(verified[0].displayName).toBe('Sam Lee');
      expect(verified[0].accessToken).toMatch(/^EAA/);
      // passport called /me with a proof: the sandbox requires it, so the call log shows it succeeded.
      const calls = await control<{ data: Array<{ path: string; status: number; query: Record<string, string> }> }>(
        sandbox,
        'GET',
        '/calls?path=/me',
      );
      expect(calls.data).toContainEqual(
        expect.objectContaining({ path: '/me', status: 200, query: expect.objectContaining({ appsecret_proof: '***' }) }),
      );
    });

    it('should fail the login in passport when the user cancels', async () => {
      const dialog = await startLogin();
      dialog.searchParams.set('sandbox_auto', 'deny');
      const consent = await fetch(dialog, { redirect: 'manual' });
      const callback = new URL(consent.headers.get('location') ?? '');
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.get('error_reason')).toBe('user_denied');
      const res = await fetch(callback, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/failed');
      expect(verified).toHaveLength(0);
    });
  });

  describe('consent page (HTML, no JavaScript)', () => {
    const dialogUrl = (extra: Record<string, string> = {}): string =>
      `${sandbox.url}/v25.0/dialog/oauth?${new URLSearchParams({
        client_id: SANDBOX_APP_ID,
        redirect_uri: TEST_REDIRECT_URI,
        state: 'opaque/state=1',
        scope: 'pages_show_list,instagram_basic,pages_read_engagement',
        ...extra,
      }).toString()}`;

    /** Reads the consent form the way a browser would: action plus hidden inputs. */
    async function readForm(url: string): Promise<{ action: string; hidden: Array<[string, string]>; html: string }> {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
      const unescape = (s: string): string =>
        s
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&');
      const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [
        m[1],
        unescape(m[2]),
      ]);
      return { action, hidden, html };
    }

    it('should offer users, Pages and permissions with stable names and ids', async () => {
      const { html } = await readForm(dialogUrl());
      expect(html).toContain(`name="user" value="${ALEX_ID}"`);
      expect(html).toContain(`name="pages" value="${ACME_COFFEE_PAGE}"`);
      expect(html).toContain('name="permissions" value="instagram_basic"');
      expect(html).toContain('id="approve"');
      expect(html).toContain('id="cancel"');
    });

    it('should grant only the ticked Pages and unticked permissions as declined when the form is approved', async () => {
      const { action, hidden } = await readForm(dialogUrl());
      const form = new URLSearchParams(hidden);
      form.append('user', SAM_ID);
      form.append('pages', SAM_STUDIO_PAGE);
      form.append('pages', ACME_COFFEE_PAGE); // another user's Page: ignored
      form.append('permissions', 'pages_show_list');
      form.append('permissions', 'pages_read_engagement');
      form.append('action', 'approve');
      const res = await fetch(`${sandbox.url}${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('opaque/state=1');
      const client = graphClientFor(sandbox);
      const { accessToken } = await client.exchangeCode(location.searchParams.get('code') ?? '', TEST_REDIRECT_URI);
      expect((await client.listPages(accessToken)).map((p) => p.id)).toEqual([SAM_STUDIO_PAGE]);
      expect(await client.getPermissions(accessToken)).toContainEqual({ permission: 'instagram_basic', status: 'declined' });
    });

    it("should redirect with Meta's denial parameters when Cancel is pressed", async () => {
      const { action, hidden } = await readForm(dialogUrl());
      const form = new URLSearchParams(hidden);
      form.append('action', 'cancel');
      const res = await fetch(`${sandbox.url}${action}`, { method: 'POST', body: form, redirect: 'manual' });
      const location = res.headers.get('location') ?? '';
      expect(location).toBe(
        `${TEST_REDIRECT_URI}?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state=opaque%2Fstate%3D1#_=_`,
      );
    });

    it('should show an error page and not redirect when the redirect_uri is not registered', async () => {
      const res = await fetch(dialogUrl({ redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('URL blocked');
    });

    it('should show an error page when the client_id is unknown', async () => {
      const res = await fetch(dialogUrl({ client_id: '42' }), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Invalid App ID');
    });

    it('should reuse the previous Page selection unless auth_type=reauthorize', async () => {
      const client = graphClientFor(sandbox);
      const pagesAfter = async (redirect: URL): Promise<string[]> => {
        const { accessToken } = await client.exchangeCode(redirect.searchParams.get('code') ?? '', TEST_REDIRECT_URI);
        return (await client.listPages(accessToken)).map((p) => p.id);
      };
      expect(await pagesAfter(await dialogRedirect(sandbox, { pages: [ACME_COFFEE_PAGE] }))).toEqual([ACME_COFFEE_PAGE]);
      expect(await pagesAfter(await dialogRedirect(sandbox, {}))).toEqual([ACME_COFFEE_PAGE]);
      expect(await pagesAfter(await dialogRedirect(sandbox, { authType: 'reauthorize' }))).toHaveLength(3);
    });
  });

  describe('Graph surface', () => {
    it('should echo the requested version and fall back to the default for unversioned paths', async () => {
      const v = await fetch(`${sandbox.url}/v23.0/me`);
      expect(v.headers.get('facebook-api-version')).toBe('v23.0');
      expect(v.headers.get('x-fb-trace-id')).toBeTruthy();
      expect(v.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const u = await fetch(`${sandbox.url}/me`);
      expect(u.headers.get('facebook-api-version')).toBe('v25.0');
    });

    it('should answer 2500 on /me and 104 elsewhere when the token is missing', async () => {
      const me = (await (await fetch(`${sandbox.url}/v25.0/me`)).json()) as { error: { code: number } };
      const node = (await (await fetch(`${sandbox.url}/v25.0/${ACME_COFFEE_PAGE}`)).json()) as { error: { code: number } };
      expect([me.error.code, node.error.code]).toEqual([2500, 104]);
    });

    it('should answer an unparseable token with 190 and a WWW-Authenticate challenge', async () => {
      const res = await fetch(`${sandbox.url}/v25.0/me?access_token=garbage`);
      const body = (await res.json()) as { error: { code: number; message: string; type: string; fbtrace_id: string } };
      expect(res.status).toBe(400);
      expect(body.error).toMatchObject({
        code: 190,
        type: 'OAuthException',
        message: 'Invalid OAuth access token - Cannot parse access token',
      });
      expect(body.error.fbtrace_id).toBeTruthy();
      expect(res.headers.get('www-authenticate')).toBe(
        'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"',
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('should emit usage headers from settings and omit them when switched off', async () => {
      await control(sandbox, 'POST', '/settings', {
        usage: { call_count: 42, total_cputime: 7, total_time: 9, estimated_time_to_regain_access: 0 },
      });
      const on = await fetch(`${sandbox.url}/v25.0/me`);
      expect(JSON.parse(on.headers.get('x-app-usage') ?? '{}')).toEqual({ call_count: 42, total_cputime: 7, total_time: 9 });
      expect(on.headers.get('x-business-use-case-usage')).toContain('"call_count":42');
      await control(sandbox, 'POST', '/settings', { usage: null });
      const off = await fetch(`${sandbox.url}/v25.0/me`);
      expect(off.headers.get('x-app-usage')).toBeNull();
    });

    it('should page /me/accounts with cursors and give next only when more exists', async () => {
      await control(sandbox, 'POST', '/settings', { requireAppSecretProof: false });
      const client = graphClientFor(sandbox);
      const code = (await dialogRedirect(sandbox, {})).searchParams.get('code') ?? '';
      const { accessToken } = await client.exchangeCode(code, TEST_REDIRECT_URI);
      type Page = {
        data: Array<{ id: string }>;
        paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
      };
      const first = (await (
        await fetch(`${sandbox.url}/v25.0/me/accounts?limit=2&fields=id&access_token=${accessToken}`)
      ).json()) as Page;
      expect(first.data).toHaveLength(2);
      expect(first.paging?.next).toBeDefined();
      expect(first.paging?.previous).toBeUndefined();
      const second = (await (await fetch(first.paging?.next ?? '')).json()) as Page;
      expect(second.data).toHaveLength(1);
      expect(second.paging?.next).toBeUndefined();
      expect(second.paging?.previous).toBeDefined();
    });

    it('should report an unknown field on the IG user node the way Meta does', async () => {
      await control(sandbox, 'POST', '/settings', { requireAppSecretProof: false });
      const code = (await dialogRedirect(sandbox, {})).searchParams.get('code') ?? '';
      const { accessToken } = await graphClientFor(sandbox).exchangeCode(code, TEST_REDIRECT_URI);
      const res = await fetch(`${sandbox.url}/v25.0/17841400000000001?fields=id,shoe_size&access_token=${accessToken}`);
      const body = (await res.json()) as { error: { code: number; message: string } };
      expect(body.error).toMatchObject({
        code: 100,
        message: '(#100) Tried accessing nonexisting field (shoe_size) on node type (IGUser)',
      });
    });

    it('should release a hung request when the sandbox closes', async () => {
      const other = await startSandbox({ port: 0 });
      await control(other, 'POST', '/faults', { path: '/me', timeout: true });
      const pending = fetch(`${other.url}/v25.0/me`).then(
        () => 'answered',
        () => 'released',
      );
      await new Promise((r) => setTimeout(r, 50));
      await other.close();
      await expect(pending).resolves.toBe('released');
    });
  });
});
