import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import {
  CHANGES_STATE,
  IS_PUBLIC,
  OPTIONAL_USER,
  OWN_AUTHORIZATION,
  ROLES,
  SESSION_ONLY,
  type AuthUser,
} from '../auth.decorators';
import { ApiKeyAuthenticator } from '../api-key-authenticator';
import { changesState, looksLikeApiKey } from '../domain/api-key-rules';
import { SessionAuthenticator } from '../session-authenticator';
import type { UserRole } from '../user.entity';

export function bearerToken(req: { headers: IncomingHttpHeaders }): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(); @Roles() then
 * restricts by role. Default-deny, so a new route cannot ship unguarded by accident. The token
 * must match the user's row in PostgreSQL (the user exists, its token_version is current), and
 * the role comes from that row: briefly cached on ordinary routes, read fresh on @Roles() routes.
 *
 * An API key (`Bearer ark_…`, DESIGN.md section 10) is accepted wherever a JWT is, except on
 * @SessionOnly() routes (403 API_KEY_NOT_ALLOWED); a read-only key gets 403 INSUFFICIENT_SCOPE on
 * anything that changes state (every method but GET/HEAD/OPTIONS, and @ChangesState() GETs).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionAuthenticator,
    private readonly apiKeys: ApiKeyAuthenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    // the route checks its own Authorization header (not a user's token)
    if (this.reflector.getAllAndOverride<boolean>(OWN_AUTHORIZATION, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const token = bearerToken(req);
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // only @OptionalUser routes (the OAuth callback) learn who is calling; others ignore the header
      if (token && this.reflector.getAllAndOverride<boolean>(OPTIONAL_USER, targets))
        req.user = await this.authenticate(token, req.method, targets, false);
      return true;
    }
    if (!token) throw new DomainError(ErrorCode.AUTH_REQUIRED, 'Sign in first: this route needs a bearer token.');
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    req.user = await this.authenticate(token, req.method, targets, roles !== undefined);
    if (roles && !roles.includes(req.user.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'You do not have access to this resource.');
    }
    return true;
  }

  private async authenticate(
    token: string,
    method: string,
    targets: Parameters<Reflector['getAllAndOverride']>[1],
    fresh: boolean,
  ): Promise<AuthUser> {
    if (!looksLikeApiKey(token)) return this.sessions.authenticate(token, { fresh });
    if (this.reflector.getAllAndOverride<boolean>(SESSION_ONLY, targets)) {
      throw new DomainError(ErrorCode.API_KEY_NOT_ALLOWED, 'This route needs a signed-in session, not an API key.');
    }
    const user = await this.apiKeys.authenticate(token);
    const marked = this.reflector.getAllAndOverride<boolean>(CHANGES_STATE, targets) ?? false;
    if (changesState(method, marked) && !user.apiKey.scopes.includes('write')) {
      throw new DomainError(ErrorCode.INSUFFICIENT_SCOPE, 'This API key is read-only; this request needs the "write" scope.');
    }
    return user;
  }
}
