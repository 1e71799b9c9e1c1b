import {
  GraphApiClient,
  type GraphPage,
  type GraphPermission,
  type GraphUser,
  type InstagramAccount,
  type LoginUrlRequest,
  type TokenGrant,
  type TokenInspection,
} from '../../src/modules/graph/graph-api.client';
import { type GraphError } from '../../src/modules/graph/graph-error';

const DAY = 86_400_000;

/**
 * The Graph port scripted per test (the use-case tier: real PostgreSQL, no HTTP). Tokens are
 * plain strings the test names; `dead` tokens inspect as invalid with the given subcode;
 * `failures` make the next call of an operation throw; every call is recorded.
 */
export class ScriptedGraph extends GraphApiClient {
  readonly calls: string[] = [];
  /** token → debug_token's answer (valid, 60 days, unless changed). */
  readonly expiry = new Map<string, Date | null>();
  readonly dead = new Map<string, number>();
  readonly failures = new Map<string, GraphError[]>();
  pages: GraphPage[] = [];
  dataAccessExpiresAt: Date = new Date(Date.now() + 90 * DAY);
  /** What debug_token says the user granted. */
  scopes = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'];

  private fail(op: string): void {
    const next = this.failures.get(op)?.shift();
    if (next) throw next;
  }

  buildLoginUrl(req: LoginUrlRequest): string {
    return `https://facebook.test/dialog?state=${req.state}`;
  }

  exchangeCode(): Promise<TokenGrant> {
    throw new Error('not scripted');
  }

  exchangeForLongLived(userToken: string): Promise<TokenGrant> {
    this.calls.push(`exchange:${userToken}`);
    this.fail('exchange');
    // Meta hands back the same long-lived token and keeps its expiry (graph-api.md section 3)
    return Promise.resolve({ accessToken: userToken });
  }

  inspectToken(token: string): Promise<TokenInspection> {
    this.calls.push(`inspect:${token}`);
    this.fail('inspect');
    const subcode = this.dead.get(token);
    const isPage = token.startsWith('page');
    return Promise.resolve({
      isValid: subcode === undefined,
      type: isPage ? 'PAGE' : 'USER',
      appId: '1',
      userId: '10000000000000001',
      issuedAt: new Date(Date.now() - DAY),
      expiresAt: this.expiry.has(token) ? (this.expiry.get(token) ?? null) : isPage ? null : new Date(Date.now() + 60 * DAY),
      dataAccessExpiresAt: this.dataAccessExpiresAt,
      scopes: [...this.scopes],
      granularScopes: [],
      error: subcode === undefined ? undefined : { code: 190, subcode, message: 'Error validating access token' },
    });
  }

  getMe(): Promise<GraphUser> {
    return Promise.resolve({ id: '10000000000000001', name: 'Alex' });
  }

  listPages(userToken: string): Promise<GraphPage[]> {
    this.calls.push(`pages:${userToken}`);
    this.fail('pages');
    return Promise.resolve(this.pages);
  }

  getInstagramAccount(igUserId: string): Promise<InstagramAccount> {
    return Promise.resolve({ id: igUserId, username: 'acme.coffee' });
  }

  getPermissions(): Promise<GraphPermission[]> {
    return Promise.resolve([]);
  }

  revokeAll(userToken: string): Promise<void> {
    this.calls.push(`revoke:${userToken}`);
    this.fail('revoke');
    return Promise.resolve();
  }

  subscribePageToApp(): Promise<void> {
    return Promise.resolve();
  }

  // Reels publishing is not scripted in this tier (the e2e suite runs it against the sandbox)
  createReelContainer(): Promise<never> {
    throw new Error('not scripted');
  }
  uploadReelVideo(): Promise<never> {
    throw new Error('not scripted');
  }
  getContainerStatus(): Promise<never> {
    throw new Error('not scripted');
  }
  publishContainer(): Promise<never> {
    throw new Error('not scripted');
  }
  getPublishingLimit(): Promise<never> {
    throw new Error('not scripted');
  }
  getMediaPermalink(): Promise<never> {
    throw new Error('not scripted');
  }
  listRecentMedia(): Promise<never> {
    throw new Error('not scripted');
  }
}
