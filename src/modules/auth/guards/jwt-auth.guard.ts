import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { IS_PUBLIC, ROLES, type AuthUser } from '../auth.decorators';
import { AuthTokenService } from '../auth-token.service';
import type { UserRole } from '../user.entity';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(); @Roles() then
 * restricts by role. Default-deny, so a new route cannot ship unguarded by accident.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AuthTokenService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const token = bearerToken(req);
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      // Public routes still learn who is calling when a valid token is sent (the OAuth callback uses it).
      if (token) req.user = this.tokens.verify(token);
      return true;
    }
    if (!token) throw new DomainError(ErrorCode.AUTH_REQUIRED, 'Sign in first: this route needs a bearer token.');
    req.user = this.tokens.verify(token);
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(req.user.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'You do not have access to this resource.');
    }
    return true;
  }
}
