import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { IS_PUBLIC, OPTIONAL_USER, OWN_AUTHORIZATION, ROLES, type AuthUser } from '../auth.decorators';
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
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionAuthenticator,
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
        req.user = await this.sessions.authenticate(token);
      return true;
    }
    if (!token) throw new DomainError(ErrorCode.AUTH_REQUIRED, 'Sign in first: this route needs a bearer token.');
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    req.user = await this.sessions.authenticate(token, { fresh: roles !== undefined });
    if (roles && !roles.includes(req.user.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'You do not have access to this resource.');
    }
    return true;
  }
}
