/** Every error code the API documents, plus the two the client makes up itself. */
export const API_ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'AUTH_REQUIRED',
  'AUTH_TOKEN_INVALID',
  'INVALID_CREDENTIALS',
  'EMAIL_TAKEN',
  'FORBIDDEN',
  'OAUTH_DENIED',
  'OAUTH_STATE_INVALID',
  'OAUTH_STATE_EXPIRED',
  'OAUTH_CODE_INVALID',
  'PERMISSIONS_DECLINED',
  'NO_INSTAGRAM_ACCOUNT',
  'META_UNAVAILABLE',
  'META_RATE_LIMITED',
  'META_REQUEST_FAILED',
  'SELECTION_INVALID',
  'WRONG_INSTAGRAM_ACCOUNT',
  'LOGIN_LOCKED',
  'ACCOUNT_NOT_FOUND',
  'NOT_CONNECTED',
  'NEEDS_RECONNECT',
  'REFRESH_IN_PROGRESS',
  'ALERT_NOT_FOUND',
  'RECONNECT_LINK_INVALID',
  'PERMISSION_MISSING',
  'IDEMPOTENCY_KEY_REUSED',
  'REEL_NOT_FOUND',
  'REEL_NOT_CANCELLABLE',
  'UPLOAD_NOT_FOUND',
  'UNSUPPORTED_MEDIA_TYPE',
  'CAPTION_TOO_LONG',
  'TOO_MANY_HASHTAGS',
  'TOO_MANY_MENTIONS',
  // Client-side codes:
  'NETWORK_ERROR',
  'UNKNOWN_ERROR',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const GENERIC_ERROR_MESSAGE = 'Something went wrong on our side. Please try again.';

/** One place for what the user reads when something fails. */
export const ERROR_MESSAGES: Record<ApiErrorCode, string> = {
  VALIDATION_FAILED: 'Some of the information you entered is not valid. Check it and try again.',
  MALFORMED_JSON: 'The request could not be read. Reload the page and try again.',
  PAYLOAD_TOO_LARGE: 'That request was too large to send.',
  NOT_FOUND: 'We could not find what you were looking for.',
  RATE_LIMITED: 'Too many attempts in a short time. Wait a minute and try again.',
  INTERNAL_ERROR: GENERIC_ERROR_MESSAGE,
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Please try again in a few minutes.',
  AUTH_REQUIRED: 'Please sign in to continue.',
  AUTH_TOKEN_INVALID: 'Your session has ended. Please sign in again.',
  INVALID_CREDENTIALS: 'That email and password do not match. Check them and try again.',
  EMAIL_TAKEN: 'An account with this email already exists. Sign in instead.',
  FORBIDDEN: 'You do not have permission to do that.',
  OAUTH_DENIED: 'You cancelled the Facebook dialog; nothing was changed.',
  OAUTH_STATE_INVALID:
    'This Facebook sign-in is not valid for the AutoReels account you are signed in to (it may have been used already, or started by someone else). Please start the connection again from Settings.',
  WRONG_INSTAGRAM_ACCOUNT:
    'Facebook gave access to a different Instagram account than the one you were renewing, so nothing was changed. Sign in to Facebook as the person who manages that account and tick its Page.',
  LOGIN_LOCKED: 'Too many failed sign-ins for this account. Wait a few minutes, then try again.',
  OAUTH_STATE_EXPIRED:
    'The Facebook sign-in took too long and expired. Please start the connection again.',
  OAUTH_CODE_INVALID:
    'Facebook did not accept the sign-in (the code was already used or expired). Please try again.',
  PERMISSIONS_DECLINED:
    'Some permissions AutoReels needs were not granted. Try again and keep every permission ticked.',
  NO_INSTAGRAM_ACCOUNT:
    'We found no Instagram account to connect. The Instagram account must be a professional (Business or Creator) account linked to a Facebook Page you manage. Fix that, then reconnect and tick that Page in the Facebook dialog.',
  META_UNAVAILABLE: 'Facebook is not responding right now. Please try again in a few minutes.',
  META_RATE_LIMITED: 'Facebook is limiting requests right now. Please try again in a few minutes.',
  META_REQUEST_FAILED: 'Facebook rejected the request. Please try again, or reconnect the account.',
  SELECTION_INVALID:
    'That selection is no longer valid. Please start the connection again and choose the accounts.',
  ACCOUNT_NOT_FOUND: 'This Instagram account is no longer connected. Reload the page.',
  NOT_CONNECTED: 'No Instagram account is connected yet.',
  NEEDS_RECONNECT:
    'Facebook no longer accepts this connection. Use "Renew access" to reconnect the account.',
  REFRESH_IN_PROGRESS: 'A refresh for this account is already running. Try again in a moment.',
  ALERT_NOT_FOUND: 'This alert no longer exists.',
  RECONNECT_LINK_INVALID:
    'This reconnect link is not valid any more. Use "Renew access" on the account instead.',
  PERMISSION_MISSING:
    'AutoReels may not publish to this account. Reconnect it and keep "Publish to Instagram" ticked.',
  IDEMPOTENCY_KEY_REUSED:
    'This request was already sent with different content. Reload the page and try again.',
  REEL_NOT_FOUND: 'This reel no longer exists. Reload the page.',
  REEL_NOT_CANCELLABLE: 'This reel is already being published, so it can no longer be cancelled.',
  UPLOAD_NOT_FOUND: 'The uploaded video is no longer available. Upload it again.',
  UNSUPPORTED_MEDIA_TYPE: 'Only MP4 and MOV videos can be uploaded.',
  CAPTION_TOO_LONG: 'The caption is too long: Instagram allows 2,200 characters.',
  TOO_MANY_HASHTAGS: 'The caption has too many hashtags: Instagram allows 30.',
  TOO_MANY_MENTIONS: 'The caption mentions too many accounts: Instagram allows 20.',
  NETWORK_ERROR: "Can't reach the server. Check your connection and try again.",
  UNKNOWN_ERROR: GENERIC_ERROR_MESSAGE,
};

export function isKnownErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && (API_ERROR_CODES as readonly string[]).includes(code);
}

/** Friendly names for the Facebook permissions we ask for. */
const PERMISSION_LABELS: Record<string, string> = {
  instagram_basic: 'Instagram profile (instagram_basic)',
  instagram_content_publish: 'Publish to Instagram (instagram_content_publish)',
  pages_show_list: 'List your Pages (pages_show_list)',
  pages_read_engagement: 'Read Page content (pages_read_engagement)',
  business_management: 'Business management (business_management)',
  instagram_manage_insights: 'Instagram insights (instagram_manage_insights)',
};

export function permissionLabel(name: string): string {
  return PERMISSION_LABELS[name] ?? name;
}

/** The sentence for a code; extra fields refine it (e.g. which permissions were declined). */
export function errorMessageFor(
  code: string | null | undefined,
  declined?: readonly string[],
): string {
  if (!isKnownErrorCode(code)) return GENERIC_ERROR_MESSAGE;
  if (code === 'PERMISSIONS_DECLINED' && declined && declined.length > 0) {
    return `You declined: ${declined.map(permissionLabel).join(', ')}. AutoReels needs ${
      declined.length === 1 ? 'it' : 'them'
    } to publish Reels. Try again and keep every permission ticked.`;
  }
  return ERROR_MESSAGES[code];
}
