import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

/**
 * Vendor extensions that tell completeErrorResponses() what the global guards do on a route; it
 * reads and removes them. They live beside the decorators that change the behaviour, so the
 * document cannot drift from it.
 */
export const X_PUBLIC = 'x-autoreels-public';
export const X_OPTIONAL_USER = 'x-autoreels-optional-user';
export const X_SESSION_ONLY = 'x-autoreels-session-only';
export const X_CHANGES_STATE = 'x-autoreels-changes-state';
export const X_NO_RATE_LIMIT = 'x-autoreels-no-rate-limit';
export const X_NO_DATABASE = 'x-autoreels-no-database';

export const markPublic = (): MethodDecorator & ClassDecorator => ApiExtension(X_PUBLIC, true);
export const markOptionalUser = (): MethodDecorator & ClassDecorator => ApiExtension(X_OPTIONAL_USER, true);
export const markSessionOnly = (): MethodDecorator & ClassDecorator => ApiExtension(X_SESSION_ONLY, true);
export const markChangesState = (): MethodDecorator & ClassDecorator => ApiExtension(X_CHANGES_STATE, true);
/** The route touches neither PostgreSQL nor Redis (liveness): it never answers 503. */
export const markNoDatabase = (): MethodDecorator & ClassDecorator => ApiExtension(X_NO_DATABASE, true);

/** SkipThrottle, and the document says the route never answers 429. */
export const NoRateLimit = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SkipThrottle(), ApiExtension(X_NO_RATE_LIMIT, true));
