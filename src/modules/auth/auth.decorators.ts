import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { markChangesState, markOptionalUser, markPublic, markSessionOnly } from '../../common/openapi/openapi-markers';
import type { UserRole } from './user.entity';

export const IS_PUBLIC = 'isPublic';
export const OWN_AUTHORIZATION = 'ownAuthorization';
export const OPTIONAL_USER = 'optionalUser';
export const ROLES = 'roles';
export const SESSION_ONLY = 'sessionOnly';
export const CHANGES_STATE = 'changesState';

/** Opt a route out of the global bearer guard (register, login, health, Meta callbacks); any Authorization header is ignored. */
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), markPublic());

/**
 * A route that answers without a bearer but must know who calls when one is sent (the OAuth
 * callback decides with it): a valid bearer sets the user, an invalid one is a 401.
 */
export const OptionalUser = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(OPTIONAL_USER, true), markPublic(), markOptionalUser());

/**
 * A public route that checks its own `Authorization` header (e.g. /metrics with METRICS_TOKEN):
 * the global guard neither requires nor parses it as a user's token, and sets no user.
 */
export const OwnAuthorization = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(OWN_AUTHORIZATION, true), markPublic());

/** Restricts a route to these roles; the role is read from PostgreSQL on every request, never from the token. */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);

/**
 * A route an API key may not call, only a signed-in user's JWT: managing API keys, signing out
 * everywhere (and password routes). A key gets 403 API_KEY_NOT_ALLOWED.
 */
export const SessionOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(SESSION_ONLY, true), markSessionOnly());

/**
 * A GET that changes state (the OAuth callback stores a connection): a read-only API key gets
 * 403 INSUFFICIENT_SCOPE on it like on any POST/PATCH/DELETE.
 */
export const ChangesState = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(CHANGES_STATE, true), markChangesState());

export interface AuthUser {
  id: number;
  email: string;
  role: UserRole;
  /** Set when the caller authenticated with an API key rather than a JWT. */
  apiKey?: { id: number; scopes: Array<'read' | 'write'> };
}

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<{ user: AuthUser }>();
  return req.user;
});
