import { HttpErrorResponse } from '@angular/common/http';

import { type ApiErrorCode, errorMessageFor } from './error-messages';

/** What every failed API call turns into: a stable code plus a sentence for the user. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | string,
    /** A sentence fit to show the user. */
    message: string,
    /** The server's own message (for logs; not localised). */
    readonly serverMessage: string | null = null,
    /** Extra fields of the error body, e.g. `declined` for PERMISSIONS_DECLINED. */
    readonly details: Readonly<Record<string, unknown>> = {},
    /** Seconds to wait (LOGIN_LOCKED): the body's `retry_after`, else the Retry-After header. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  get declined(): string[] {
    const d = this.details['declined'];
    return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
  }

  static fromHttp(err: HttpErrorResponse): ApiError {
    if (err.status === 0) {
      return new ApiError(0, 'NETWORK_ERROR', errorMessageFor('NETWORK_ERROR'));
    }
    const body: unknown = err.error;
    const obj = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const rawCode = obj['code'];
    const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : 'UNKNOWN_ERROR';
    const serverMessage = typeof obj['message'] === 'string' ? obj['message'] : null;
    const details: Record<string, unknown> = { ...obj };
    delete details['code'];
    delete details['message'];
    delete details['statusCode'];
    const declined = Array.isArray(details['declined'])
      ? (details['declined'] as unknown[]).filter((x): x is string => typeof x === 'string')
      : undefined;
    return new ApiError(
      err.status,
      code,
      errorMessageFor(code, declined),
      serverMessage,
      details,
      retryAfterOf(details['retry_after'], err.headers?.get('Retry-After') ?? null),
    );
  }
}

/**
 * The body is preferred: a cross-origin client can only read Retry-After when the API exposes it
 * (Access-Control-Expose-Headers). Only the delay-seconds form is used; an HTTP date is ignored.
 */
function retryAfterOf(body: unknown, header: string | null): number | null {
  if (typeof body === 'number' && Number.isFinite(body) && body >= 0) return body;
  if (header !== null && /^\d+$/.test(header.trim())) return Number(header.trim());
  return null;
}

/** Turns anything thrown into a sentence for the user. */
export function toUserMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof HttpErrorResponse) return ApiError.fromHttp(err).message;
  return errorMessageFor('UNKNOWN_ERROR');
}

export function errorCodeOf(err: unknown): string {
  if (err instanceof ApiError) return err.code;
  if (err instanceof HttpErrorResponse) return ApiError.fromHttp(err).code;
  return 'UNKNOWN_ERROR';
}
