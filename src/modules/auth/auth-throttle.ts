import { type ExecutionContext, SetMetadata } from '@nestjs/common';

const AUTH_RATE_LIMITED = 'authRateLimited';

/** Marks register/login: the stricter `auth` throttler (AUTH_THROTTLE_LIMIT per minute per IP) applies. */
export const AuthRateLimited = (): MethodDecorator => SetMetadata(AUTH_RATE_LIMITED, true);

/** The `auth` throttler skips every route that is not marked. */
export function isNotAuthRateLimited(ctx: ExecutionContext): boolean {
  return Reflect.getMetadata(AUTH_RATE_LIMITED, ctx.getHandler()) !== true;
}
