/**
 * Every stable error code the API can answer with. Clients map these to sentences; the HTTP
 * status of each lives in ERROR_STATUS so one filter answers them all the same way.
 */
export enum ErrorCode {
  // generic
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  NOT_FOUND = 'NOT_FOUND',
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  // auth
  AUTH_REQUIRED = 'AUTH_REQUIRED',
  AUTH_TOKEN_INVALID = 'AUTH_TOKEN_INVALID',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  EMAIL_TAKEN = 'EMAIL_TAKEN',
  FORBIDDEN = 'FORBIDDEN',
  // connect flow
  OAUTH_STATE_INVALID = 'OAUTH_STATE_INVALID',
  OAUTH_STATE_EXPIRED = 'OAUTH_STATE_EXPIRED',
  OAUTH_DENIED = 'OAUTH_DENIED',
  OAUTH_CODE_INVALID = 'OAUTH_CODE_INVALID',
  PERMISSIONS_DECLINED = 'PERMISSIONS_DECLINED',
  NO_INSTAGRAM_ACCOUNT = 'NO_INSTAGRAM_ACCOUNT',
  SELECTION_INVALID = 'SELECTION_INVALID',
  // accounts and tokens
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
  NOT_CONNECTED = 'NOT_CONNECTED',
  NEEDS_RECONNECT = 'NEEDS_RECONNECT',
  REFRESH_IN_PROGRESS = 'REFRESH_IN_PROGRESS',
  ALERT_NOT_FOUND = 'ALERT_NOT_FOUND',
  RECONNECT_LINK_INVALID = 'RECONNECT_LINK_INVALID',
  // Meta
  META_UNAVAILABLE = 'META_UNAVAILABLE',
  META_RATE_LIMITED = 'META_RATE_LIMITED',
  META_REQUEST_FAILED = 'META_REQUEST_FAILED',
  // Meta callbacks
  SIGNED_REQUEST_INVALID = 'SIGNED_REQUEST_INVALID',
  WEBHOOK_SIGNATURE_INVALID = 'WEBHOOK_SIGNATURE_INVALID',
  WEBHOOK_VERIFY_TOKEN_MISMATCH = 'WEBHOOK_VERIFY_TOKEN_MISMATCH',
  DELETION_REQUEST_NOT_FOUND = 'DELETION_REQUEST_NOT_FOUND',
}

/** HTTP status per code; the switch is exhaustive so a new code cannot ship without a status. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.MALFORMED_JSON:
    case ErrorCode.OAUTH_STATE_INVALID:
    case ErrorCode.OAUTH_STATE_EXPIRED:
    case ErrorCode.OAUTH_DENIED:
    case ErrorCode.OAUTH_CODE_INVALID:
    case ErrorCode.PERMISSIONS_DECLINED:
    case ErrorCode.SELECTION_INVALID:
    case ErrorCode.SIGNED_REQUEST_INVALID:
    case ErrorCode.RECONNECT_LINK_INVALID:
      return 400;
    case ErrorCode.AUTH_REQUIRED:
    case ErrorCode.AUTH_TOKEN_INVALID:
    case ErrorCode.INVALID_CREDENTIALS:
    case ErrorCode.WEBHOOK_SIGNATURE_INVALID:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.WEBHOOK_VERIFY_TOKEN_MISMATCH:
      return 403;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.ACCOUNT_NOT_FOUND:
    case ErrorCode.NOT_CONNECTED:
    case ErrorCode.ALERT_NOT_FOUND:
    case ErrorCode.DELETION_REQUEST_NOT_FOUND:
      return 404;
    case ErrorCode.EMAIL_TAKEN:
    case ErrorCode.REFRESH_IN_PROGRESS:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.NO_INSTAGRAM_ACCOUNT:
    case ErrorCode.NEEDS_RECONNECT:
      return 422;
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.META_RATE_LIMITED:
      return 429;
    case ErrorCode.INTERNAL_ERROR:
      return 500;
    case ErrorCode.META_REQUEST_FAILED:
    case ErrorCode.META_UNAVAILABLE:
      return 502;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 503;
  }
}
