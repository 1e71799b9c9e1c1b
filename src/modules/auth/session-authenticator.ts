import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AuthUser } from './auth.decorators';
import { AuthTokenService } from './auth-token.service';
import { UserAuthCache } from './user-auth-cache';

/**
 * Bearer token → the user, as PostgreSQL knows them now: the signature, expiry, issuer and
 * audience are checked first, then the user must still exist and the token's version must be the
 * user's current token_version. The role returned is the row's, never the token's.
 */
@Injectable()
export class SessionAuthenticator {
  constructor(
    private readonly tokens: AuthTokenService,
    private readonly users: UserAuthCache,
  ) {}

  /** `fresh` reads the row past the cache (admin-only routes: a demotion counts at once). */
  async authenticate(token: string, opts: { fresh?: boolean } = {}): Promise<AuthUser> {
    const claims = this.tokens.verify(token);
    const user = await this.users.get(claims.id, opts);
    if (!user) throw new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'This account no longer exists.');
    if (user.tokenVersion !== claims.version) {
      throw new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'You were signed out; please sign in again.');
    }
    return { id: user.id, email: user.email, role: user.role };
  }
}
