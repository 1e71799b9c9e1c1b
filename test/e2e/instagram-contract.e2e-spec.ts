import { SANDBOX_INSTAGRAM_APP_ID, SANDBOX_INSTAGRAM_APP_SECRET } from '../../src/config/app-config';
import { GraphError } from '../../src/modules/graph/graph-error';
import { MetaInstagramLoginClient } from '../../src/modules/graph/meta-instagram-login.client';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server';
import { control } from '../helpers/sandbox';

const REDIRECT = 'http://localhost:3002/settings/social-accounts/callback/instagram';
const LENA_IG = '17841400000000101';
const LENA_SCOPED = '25763909063200101';
const DAY = 86_400;

/**
 * Our Instagram Login client against the sandbox, with the response shapes recorded in
 * reference/instagram-login.md (§2 both code-exchange shapes and the non-Graph error, §3/§4
 * grants, §5 the two ids of /me, §6 190 with subcode 0). A misreading in either side shows here.
 */
describe('Instagram Login client against the sandbox (contract)', () => {
  let sandbox: RunningSandbox;
  let client: MetaInstagramLoginClient;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, redirectUris: ['http://localhost:3002/settings/social-accounts/callback'] });
    client = new MetaInstagramLoginClient({
      dialogUrl: `${sandbox.url}/instagram/www`,
      apiUrl: `${sandbox.url}/instagram/api`,
      graphUrl: `${sandbox.url}/instagram/graph`,
      version: 'v25.0',
      appId: SANDBOX_INSTAGRAM_APP_ID,
      appSecret: SANDBOX_INSTAGRAM_APP_SECRET,
      timeoutMs: 5000,
    });
  });
  afterAll(async () => sandbox?.close());
  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset', { seed: true });
  });

  async function code(user = LENA_IG): Promise<string> {
    const url = new URL(
      client.buildLoginUrl({
        redirectUri: REDIRECT,
        state: 's1',
        scopes: ['instagram_business_basic', 'instagram_business_content_publish'],
      }),
    );
    url.searchParams.set('sandbox_auto', 'approve');
    url.searchParams.set('sandbox_user', user);
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location') as string;
    expect(location.endsWith('#_')).toBe(true);
    return new URL(location).searchParams.get('code') as string;
  }
  const exchangeRaw = (c: string) =>
    fetch(`${sandbox.url}/instagram/api/oauth/access_token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: SANDBOX_INSTAGRAM_APP_ID,
        client_secret: SANDBOX_INSTAGRAM_APP_SECRET,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
        code: c,
      }),
    });

  it('should read the live flat code-exchange shape, whose user_id is a bare 17-digit number', async () => {
    const raw = await (await exchangeRaw(await code())).text();
    expect(raw).toMatch(
      new RegExp(
        `^\\{"access_token":"IGAA[^"]+","user_id":${LENA_SCOPED},"permissions":\\["instagram_business_basic","instagram_business_content_publish"\\]\\}$`,
      ),
    );
    const grant = await client.exchangeCode(await code(), REDIRECT);
    expect(grant.accessToken).toMatch(/^IGAA/);
    expect(grant.permissions).toEqual(['instagram_business_basic', 'instagram_business_content_publish']);
  });

  it("should read Meta's documented {data:[…]} shape with permissions as a comma string", async () => {
    await control(sandbox, 'POST', '/instagram/settings', { code_exchange_shape: 'data' });
    const raw = (await (await exchangeRaw(await code())).json()) as { data: Array<Record<string, unknown>> };
    expect(raw.data[0]).toEqual({
      access_token: expect.stringMatching(/^IGAA/),
      user_id: LENA_SCOPED,
      permissions: 'instagram_business_basic,instagram_business_content_publish',
    });
    const grant = await client.exchangeCode(await code(), REDIRECT);
    expect(grant.permissions).toEqual(['instagram_business_basic', 'instagram_business_content_publish']);
  });

  it("should turn api.instagram.com's own error shape into a bad-request GraphError, never echoing the code", async () => {
    const c = await code();
    await client.exchangeCode(c, REDIRECT);
    const raw = await exchangeRaw(c);
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({
      error_type: 'OAuthException',
      code: 400,
      error_message: 'This authorization code has been used',
    });
    const err = await client.exchangeCode(c, REDIRECT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ kind: 'bad-request', httpStatus: 400 });
    expect((err as Error).message).toContain('This authorization code has been used');
    expect((err as Error).message).not.toContain(c);
    const mismatch = await client.exchangeCode(await code(), 'http://localhost:3002/elsewhere').catch((e: unknown) => e);
    expect((mismatch as Error).message).toContain('redirect_uri is identical');
  });

  it('should exchange for a 60-day token, read both ids of /me, and refresh only a token at least a day old', async () => {
    const grant = await client.exchangeCode(await code(), REDIRECT);
    const long = await client.exchangeForLongLived(grant.accessToken);
    expect(long).toEqual({ accessToken: expect.stringMatching(/^IGAA/), expiresInSeconds: 5_184_000 });
    const me = await client.getProfile(long.accessToken);
    expect(me).toEqual({
      scopedId: LENA_SCOPED,
      userId: LENA_IG,
      username: 'lena.bakes',
      name: 'Lena Bakes',
      accountType: 'BUSINESS',
      profilePictureUrl: expect.stringContaining(LENA_IG),
    });
    const young = await client.refresh(long.accessToken).catch((e: unknown) => e);
    expect(young).toMatchObject({ kind: 'bad-request', code: 100 });
    await control(sandbox, 'POST', '/clock', { advance_seconds: 2 * DAY });
    const fresh = await client.refresh(long.accessToken);
    expect(fresh.accessToken).not.toBe(long.accessToken);
    expect(fresh.expiresInSeconds).toBe(5_184_000);
    expect((await client.getProfile(fresh.accessToken)).userId).toBe(LENA_IG);
  });

  it('should classify an expired token (190, subcode 0) and an unknown one as token-invalid', async () => {
    const long = await client.exchangeForLongLived((await client.exchangeCode(await code(), REDIRECT)).accessToken);
    await control(sandbox, 'POST', '/instagram/tokens/issued-at', {
      user_id: LENA_IG,
      issued_at: new Date(Date.now() - 61 * DAY * 1000).toISOString(),
    });
    const expired = await client.refresh(long.accessToken).catch((e: unknown) => e);
    expect(expired).toMatchObject({ kind: 'token-invalid', code: 190 });
    expect((expired as Error).message).toContain('Session has expired');
    expect((expired as Error).message).not.toContain(long.accessToken);
    const unknown = await client.getProfile('IGAAnot-a-real-token-at-all-0000000').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ kind: 'token-invalid', code: 190 });
  });

  it('should fail the documented versioned token path, so the client must call the unversioned one', async () => {
    const res = await fetch(`${sandbox.url}/instagram/graph/v25.0/access_token?grant_type=ig_exchange_token`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 100, type: 'IGApiException', message: 'Unsupported request - method type: get' },
    });
  });
});
