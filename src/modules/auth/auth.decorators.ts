import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from './user.entity';

export const IS_PUBLIC = 'isPublic';
export const OWN_AUTHORIZATION = 'ownAuthorization';
export const ROLES = 'roles';

/** Opt a route out of the global bearer guard (register, login, health, Meta callbacks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * A public route that checks its own `Authorization` header (e.g. /metrics with METRICS_TOKEN):
 * the global guard neither requires nor parses it as a user's token, and sets no user.
 */
export const OwnAuthorization = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(OWN_AUTHORIZATION, true));

/** Restricts a route to these roles; the role is read from PostgreSQL on every request, never from the token. */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);

export interface AuthUser {
  id: number;
  email: string;
  role: UserRole;
}

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<{ user: AuthUser }>();
  return req.user;
});
