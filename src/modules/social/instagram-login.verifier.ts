import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { INSTAGRAM_TOKEN_LIFETIME_MS } from '../connections/domain/connection-policy';
import { GraphError } from '../graph/graph-error';
import { InstagramLoginClient, type InstagramCodeGrant, type InstagramLoginProfile } from '../graph/instagram-login.client';
import { INSTAGRAM_REQUESTED_SCOPES, INSTAGRAM_REQUIRED_SCOPES } from '../graph/scopes';

/** What an Instagram login verified: one professional account and its long-lived token. */
export interface VerifiedInstagramLogin {
  profile: InstagramLoginProfile;
  token: string;
  expiresAt: Date;
  permissions: string[];
}

/**
 * Instagram Login's side of a connect (DESIGN.md section 9): code (without Meta's `#_`) →
 * short-lived → long-lived token, then the account from /me: its `user_id` is the professional
 * account id publishing and webhooks use (the exchange's `user_id` is not: instagram-login.md
 * §2, §5). One account per login: no picker. Nothing is stored here.
 */
@Injectable()
export class InstagramLoginVerifier {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly instagram: InstagramLoginClient,
  ) {}

  async verify(rawCode: unknown): Promise<VerifiedInstagramLogin> {
    const code = typeof rawCode === 'string' ? rawCode.replace(/#_?$/, '') : '';
    if (!code || code.length > 2048) {
      throw new DomainError(ErrorCode.OAUTH_CODE_INVALID, 'Instagram sent no usable authorization code; please try again.');
    }
    let grant: InstagramCodeGrant;
    try {
      grant = await this.instagram.exchangeCode(code, this.config.instagram.redirectUri);
    } catch (err) {
      if (err instanceof GraphError && err.kind === 'bad-request') {
        throw new DomainError(
          ErrorCode.OAUTH_CODE_INVALID,
          'Instagram did not accept this login (the code was already used or has expired); please connect again.',
        );
      }
      throw err;
    }
    const declined = INSTAGRAM_REQUIRED_SCOPES.filter((s) => !grant.permissions.includes(s));
    if (grant.permissions.length && declined.length) {
      throw new DomainError(
        ErrorCode.PERMISSIONS_DECLINED,
        `AutoReels needs every requested permission; these were declined: ${declined.join(', ')}. Connect again and allow them.`,
        { declined },
      );
    }
    const long = await this.instagram.exchangeForLongLived(grant.accessToken);
    const profile = await this.instagram.getProfile(long.accessToken);
    if (profile.accountType === 'PERSONAL') {
      throw new DomainError(
        ErrorCode.NO_INSTAGRAM_ACCOUNT,
        `@${profile.username} is a personal Instagram account. Switch it to a professional (Business or Creator) account in the Instagram app, then connect again.`,
        { account_type: 'PERSONAL' },
      );
    }
    // Meta's expiry is the truth (expires_in); without it, the documented 60 days
    const expiresAt = new Date(this.clock.now().getTime() + (long.expiresInSeconds ?? INSTAGRAM_TOKEN_LIFETIME_MS / 1000) * 1000);
    return {
      profile,
      token: long.accessToken,
      expiresAt,
      permissions: grant.permissions.length ? grant.permissions : INSTAGRAM_REQUESTED_SCOPES,
    };
  }
}
