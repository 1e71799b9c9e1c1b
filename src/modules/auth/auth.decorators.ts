import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from './user.entity';

export const IS_PUBLIC = 'isPublic';
export const OWN_AUTHORIZATION = 'ownAuthorization';
export const OPTIONAL_USER = 'optionalUser';
export const ROLES = 'roles';

/** Opt a route out of the global bearer guard (register, login, health, Meta callbacks); any Authorization header is ignored. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * A route that answers without a bearer but must know who calls when one is sent (the OAuth
 * callback decides with it): a valid bearer sets the user, an invalid one is a 401.
 */
export const OptionalUser = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(OPTIONAL_USER, true));

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
