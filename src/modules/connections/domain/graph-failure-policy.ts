/**
 * THE table of what a Graph failure means (DESIGN.md section 5), for a connection and for the
 * person who asked: one place for the action, the stable code and the sentence. Pure.
 */
import { ErrorCode } from '../../../common/errors/error-codes';
import type { GraphErrorKind } from '../../graph/graph-error';

export type GraphFailureAction =
  /** Meta may pass (5xx, timeouts, rate limits): retry later; the connection stays as it is. */
  | 'retry'
  /** Only the user can fix it: the connection needs a reconnect (code 190, permission errors). */
  | 'needs_reconnect'
  /** The app was removed at Facebook (190/458). */
  | 'revoked'
  /** Meta refused the request itself: retrying would get the same answer. */
  | 'fail';

export interface GraphFailureVerdict {
  action: GraphFailureAction;
  /** Stored in `last_error_code` and the event (e.g. GRAPH_190_460). */
  errorCode: string;
  /** What the connection's card says (status_reason) when the action changes its status. */
  reason: string;
  /** What an API caller who asked (connect, refresh) gets when the failure ends the request. */
  callerCode: ErrorCode;
  callerMessage: string;
  /** At least this long before a retry (usage headers' regain time). */
  delayMs?: number;
}

export interface GraphFailureFacts {
  kind: GraphErrorKind;
  code?: number;
  subcode?: number;
  retryAfterMs?: number;
}

/** Which of Meta's doors the failure came through: the sentences name it (the actions are the same). */
export type MetaPlatform = 'facebook' | 'instagram';

export function graphFailureVerdict(e: GraphFailureFacts, platform: MetaPlatform = 'facebook'): GraphFailureVerdict {
  const who = platform === 'instagram' ? 'Instagram' : 'Facebook';
  const UNAVAILABLE = `${who} is not answering right now; nothing was changed. Try again shortly.`;
  const LIMITED = `${who} is limiting requests right now; nothing was changed. Try again in a few minutes.`;
  const REJECTED = `${who} rejected the request; nothing was changed.`;
  const errorCode = `GRAPH_${e.code ?? e.kind.toUpperCase().replace('-', '_')}${e.subcode ? `_${e.subcode}` : ''}`;
  switch (e.kind) {
    case 'transient':
      return {
        action: 'retry',
        errorCode,
        reason: UNAVAILABLE,
        callerCode: ErrorCode.META_UNAVAILABLE,
        callerMessage: UNAVAILABLE,
      };
    case 'rate-limited':
    case 'quota':
      return {
        action: 'retry',
        errorCode,
        reason: LIMITED,
        callerCode: ErrorCode.META_RATE_LIMITED,
        callerMessage: LIMITED,
        delayMs: e.retryAfterMs,
      };
    case 'token-invalid':
      return {
        action: e.subcode === 458 ? 'revoked' : 'needs_reconnect',
        errorCode: `GRAPH_${e.code ?? 190}${e.subcode ? `_${e.subcode}` : ''}`,
        reason: platform === 'instagram' ? INSTAGRAM_TOKEN_DEAD : reasonForTokenError(e.subcode),
        callerCode: ErrorCode.META_REQUEST_FAILED,
        callerMessage: `${who} did not accept the login; please connect again.`,
      };
    case 'permission':
      return {
        action: 'needs_reconnect',
        errorCode,
        reason: `${who} removed a permission AutoReels needs. Reconnect and allow every requested permission.`,
        callerCode: ErrorCode.PERMISSIONS_DECLINED,
        callerMessage:
          platform === 'instagram'
            ? 'Instagram refused access to your account; connect again and allow every permission.'
            : 'Facebook refused access to your Pages; connect again and allow every permission.',
      };
    case 'bad-request':
      return { action: 'fail', errorCode, reason: REJECTED, callerCode: ErrorCode.META_REQUEST_FAILED, callerMessage: REJECTED };
  }
}

/**
 * graph.instagram.com answers 190 with subcode 0 whatever the cause (instagram-login.md §6): one
 * sentence for an expired session, a password change or the app removed in Instagram.
 */
export const INSTAGRAM_TOKEN_DEAD =
  'Instagram no longer accepts this connection (the session expired, the password changed, or AutoReels was removed in Instagram). Connect with Instagram again to continue.';

/** A sentence for the user, per Meta's 190 subcodes (graph-api.md section 9). */
export function reasonForTokenError(subcode: number | undefined): string {
  switch (subcode) {
    case 458:
      return 'AutoReels was removed from your Facebook account. Reconnect to allow it again.';
    case 459:
      return 'Facebook has locked your account until you log in on facebook.com. Do that, then reconnect.';
    case 460:
      return 'Your Facebook password changed, which signs out connected apps. Reconnect to continue.';
    case 463:
      return 'The Facebook access expired. Reconnect to renew it for another 60 days.';
    case 464:
      return 'Your Facebook account needs to be confirmed on facebook.com. Do that, then reconnect.';
    case 492:
      return 'You no longer have a role on the Facebook Page linked to this Instagram account. Restore the role, then reconnect.';
    default:
      return 'Facebook no longer accepts this connection (logged out or revoked). Reconnect to continue.';
  }
}
