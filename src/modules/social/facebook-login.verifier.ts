import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { invalidTokenAtConnect } from '../connections/domain/graph-failure-policy';
import { GraphApiClient, type GraphPage, type GraphPermission, type TokenInspection } from '../graph/graph-api.client';
import { GraphError } from '../graph/graph-error';
import { REQUIRED_SCOPES } from '../graph/scopes';

const LONG_LIVED_MIN_MS = 7 * 86_400_000;

/** One Instagram account found behind a granted Page, with its verified tokens. */
export interface VerifiedCandidate {
  igUserId: string;
  username: string;
  name: string | null;
  profilePictureUrl: string | null;
  pageId: string;
  pageName: string;
  pageToken: string;
  pageTokenExpiresAt: string | null;
}

/** Everything a successful Facebook login verified; kept encrypted while the user picks accounts. */
export interface VerifiedLogin {
  userToken: string;
  fbUserId: string | null;
  userTokenExpiresAt: string | null;
  issuedAt: string | null;
  dataAccessExpiresAt: string | null;
  granted: string[];
  candidates: VerifiedCandidate[];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * Facebook Login's side of a connect: from the dialog's code to verified tokens and the
 * Instagram accounts behind the granted Pages, or a DomainError that says what the person can do.
 * Nothing is stored here (ConnectService decides what to keep).
 */
@Injectable()
export class FacebookLoginVerifier {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly graph: GraphApiClient,
  ) {}

  /**
   * Exchange, make long-lived only when needed, inspect, read permissions and Pages, then the
   * Instagram accounts. Independent calls run in parallel: 3 sequential round trips when the code
   * gives a long-lived token, 4 for a short-lived one with expires_in, 5 when expires_in is missing
   * (README), plus one per extra result page of Pages.
   */
  async verify(code: string): Promise<VerifiedLogin> {
    const grant = await this.exchangeCode(code);
    let userToken = grant.accessToken;
    let inspection: TokenInspection;
    let permissions: GraphPermission[];
    let pages: PromiseSettledResult<GraphPage[]>;
    const now = this.clock.now().getTime();
    if (grant.expiresInSeconds !== undefined && grant.expiresInSeconds * 1000 < LONG_LIVED_MIN_MS) {
      const [long, perms] = await Promise.all([this.graph.exchangeForLongLived(userToken), this.graph.getPermissions(userToken)]);
      userToken = long.accessToken;
      permissions = perms;
      [inspection, pages] = await Promise.all([this.graph.inspectToken(userToken), settle(this.graph.listPages(userToken))]);
    } else {
      [inspection, permissions, pages] = await Promise.all([
        this.graph.inspectToken(userToken),
        this.graph.getPermissions(userToken),
        settle(this.graph.listPages(userToken)),
      ]);
      if (inspection.isValid && inspection.expiresAt && inspection.expiresAt.getTime() - now < LONG_LIVED_MIN_MS) {
        userToken = (await this.graph.exchangeForLongLived(userToken)).accessToken;
        [inspection, pages] = await Promise.all([this.graph.inspectToken(userToken), settle(this.graph.listPages(userToken))]);
      }
    }
    if (!inspection.isValid) {
      throw new DomainError(ErrorCode.OAUTH_CODE_INVALID, 'Facebook returned a token that is not valid; please try again.');
    }
    const granted = permissions.filter((p) => p.status === 'granted').map((p) => p.permission);
    const declined = REQUIRED_SCOPES.filter((s) => !granted.includes(s));
    if (declined.length) {
      throw new DomainError(
        ErrorCode.PERMISSIONS_DECLINED,
        `AutoReels needs every requested permission; these were declined: ${declined.join(', ')}. Connect again and allow them.`,
        { declined },
      );
    }
    if (pages.status === 'rejected') throw pages.reason;
    const withInstagram = pages.value.filter((p) => p.instagramAccountId);
    if (!withInstagram.length) {
      throw new DomainError(
        ErrorCode.NO_INSTAGRAM_ACCOUNT,
        'No Instagram business account found. Make sure your Instagram account is a professional (Business or Creator) account linked to a Facebook Page you manage, then connect again and tick that Page.',
      );
    }
    const candidates = await Promise.all(
      withInstagram.map(async (page): Promise<VerifiedCandidate> => {
        const [ig, pageInspection] = await Promise.all([
          this.graph.getInstagramAccount(page.instagramAccountId as string, page.accessToken),
          this.graph.inspectToken(page.accessToken),
        ]);
        if (!pageInspection.isValid) {
          const { callerCode, callerMessage } = invalidTokenAtConnect('page', pageInspection.error?.subcode, page.name);
          throw new DomainError(callerCode, callerMessage);
        }
        return {
          igUserId: ig.id,
          username: ig.username,
          name: ig.name ?? null,
          profilePictureUrl: ig.profilePictureUrl ?? null,
          pageId: page.id,
          pageName: page.name,
          pageToken: page.accessToken,
          pageTokenExpiresAt: iso(pageInspection.expiresAt),
        };
      }),
    );
    return {
      userToken,
      fbUserId: inspection.userId ?? null,
      userTokenExpiresAt: iso(inspection.expiresAt),
      issuedAt: iso(inspection.issuedAt ?? this.clock.now()),
      dataAccessExpiresAt: iso(inspection.dataAccessExpiresAt),
      granted,
      candidates,
    };
  }

  private async exchangeCode(code: string) {
    try {
      return await this.graph.exchangeCode(code, this.config.facebook.redirectUri);
    } catch (err) {
      if (err instanceof GraphError && err.kind === 'bad-request') {
        throw new DomainError(
          ErrorCode.OAUTH_CODE_INVALID,
          'Facebook did not accept this login (the code was already used or has expired); please connect again.',
        );
      }
      throw err;
    }
  }
}

function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
  return p.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );
}
