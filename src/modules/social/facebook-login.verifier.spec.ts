import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { TokenInspection } from '../graph/graph-api.client';
import { FacebookLoginVerifier } from './facebook-login.verifier';

const DAY = 86_400_000;
const SCOPES = [
  'instagram_basic',
  'instagram_content_publish',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_metadata',
];

/** verify() with a Graph stub whose debug_token calls the Page token invalid (or not). */
function verify(pageInspection: Partial<TokenInspection>): Promise<unknown> {
  const inspect = (token: string): TokenInspection =>
    token === 'page-token'
      ? ({
          isValid: true,
          type: 'PAGE',
          expiresAt: null,
          scopes: [],
          granularScopes: [],
          ...pageInspection,
        } as unknown as TokenInspection)
      : ({
          isValid: true,
          type: 'USER',
          userId: '1',
          expiresAt: new Date(Date.now() + 60 * DAY),
          issuedAt: new Date(),
          dataAccessExpiresAt: new Date(Date.now() + 90 * DAY),
          scopes: SCOPES,
          granularScopes: [],
        } as unknown as TokenInspection);
  const graph = {
    exchangeCode: () => Promise.resolve({ accessToken: 'user-token', expiresInSeconds: 60 * 86_400 }),
    inspectToken: (t: string) => Promise.resolve(inspect(t)),
    getPermissions: () => Promise.resolve(SCOPES.map((permission) => ({ permission, status: 'granted' }))),
    listPages: () =>
      Promise.resolve([{ id: '11', name: 'Acme Coffee', accessToken: 'page-token', instagramAccountId: '1784', tasks: [] }]),
    getInstagramAccount: () => Promise.resolve({ id: '1784', username: 'acme.coffee' }),
  };
  const config = { facebook: { redirectUri: 'http://localhost/cb' } };
  const clock = { now: () => new Date() };
  return new FacebookLoginVerifier(config as never, clock, graph as never).verify('code');
}

describe('FacebookLoginVerifier: a Page token debug_token calls invalid at connect', () => {
  it('should fail the login with the subcode sentence, never keep the token as one that does not expire', async () => {
    const err = await verify({ isValid: false, expiresAt: null, error: { code: 190, subcode: 492, message: 'invalid' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: ErrorCode.META_REQUEST_FAILED });
    expect((err as Error).message).toMatch(/Page "Acme Coffee".*role on the Facebook Page/);
  });

  it('should keep a valid Page token with no expiry as "never expires"', async () => {
    const login = (await verify({})) as { candidates: Array<{ pageTokenExpiresAt: string | null }> };
    expect(login.candidates).toEqual([expect.objectContaining({ pageTokenExpiresAt: null })]);
  });
});
