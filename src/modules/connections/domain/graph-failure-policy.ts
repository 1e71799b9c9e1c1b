/**
 * THE table of what a Graph failure means (DESIGN.md section 5), for a connection and for the
 * person who asked: one place for the action, the stable code and the sentence. Pure.
 */
import { ErrorCode } from '../../../common/errors/error-codes';
import type { GraphErrorKind } from '../../graph/graph-error';
import { REQUIRED_SCOPES } from '../../graph/scopes';

export type GraphFailureAction =
  /** Meta may pass (5xx, timeouts, rate limits): retry later; the connection stays as it is. */
  | 'retry'
  /** Only the user can fix it: the connection needs a reconnect (code 190, permission errors). */
  | 'needs_reconnect'
  /** The app was removed at Facebook (190/458). */
  | 'revoked'
  /** Meta refused the request itself: retrying would get the same answer. */
  | 'fail'
  /**
   * Code 10 / 200-299: our Facebook app lacks a permission or a feature (App Review, Business
   * verification, a product setting). Not the user's to fix: the connection stays as it is, ops
   * are alerted (error log line + counter), the user is told we are on it, not asked to reconnect.
   */
  | 'app_problem';

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
  /**
   * A single blip worth one quick retry inside a user's request (codes 1, 2, 4, 17, 341, 5xx,
   * network errors and timeouts) instead of answering an error at once.
   */
  quickRetry?: boolean;
}

export interface GraphFailureFacts {
  kind: GraphErrorKind;
  code?: number;
  subcode?: number;
  retryAfterMs?: number;
}

/** Rate limits a user's refresh may ride out with one quick retry (app/user-level, usually momentary). */
const QUICK_RETRY_LIMITS = new Set([4, 17, 341]);

/** Which of Meta's doors the failure came through: the sentences name it (the actions are the same). */
export type MetaPlatform = 'facebook' | 'instagram';

/** The card and the API caller, for code 10 / 200-299 (see the README, "What a Meta error means"). */
export const APP_PROBLEM =
  'AutoReels has a problem with its Facebook app (not with your account); we are on it. Your connection is unchanged and nothing is needed from you.';
const BLOCKED =
  'Facebook has temporarily blocked requests from AutoReels; nothing was changed. We will try again in a few hours.';
/** Code 368 (temporarily blocked for a policy reason): Meta says stop and retry much later. */
export const BLOCKED_RETRY_MS = 6 * 60 * 60_000;
/** An app-level problem needs a person at AutoReels: the account is looked at again this much later. */
export const APP_PROBLEM_RECHECK_MS = 60 * 60_000;

export function graphFailureVerdict(e: GraphFailureFacts, platform: MetaPlatform = 'facebook'): GraphFailureVerdict {
  const who = platform === 'instagram' ? 'Instagram' : 'Facebook';
  const UNAVAILABLE = `${who} is not answering right now; nothing was changed. Try again shortly.`;
  const LIMITED = `${who} is limiting requests right now; nothing was changed. Try again in a few minutes.`;
  const REJECTED = `${who} rejected the request; nothing was changed.`;
  const errorCode = `GRAPH_${e.code ?? e.kind.toUpperCase().replace('-', '_')}${e.subcode ? `_${e.subcode}` : ''}`;
  // 368: a long back-off, never a dead connection (whatever kind the client gave it)
  if (e.code === 368) {
    return {
      action: 'retry',
      errorCode,
      reason: BLOCKED,
      callerCode: ErrorCode.META_RATE_LIMITED,
      callerMessage: BLOCKED,
      delayMs: Math.max(e.retryAfterMs ?? 0, BLOCKED_RETRY_MS),
    };
  }
  switch (e.kind) {
    case 'transient':
      return {
        action: 'retry',
        errorCode,
        reason: UNAVAILABLE,
        callerCode: ErrorCode.META_UNAVAILABLE,
        callerMessage: UNAVAILABLE,
        quickRetry: true,
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
        quickRetry: e.kind === 'rate-limited' && e.code !== undefined && QUICK_RETRY_LIMITS.has(e.code),
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
      // 10 / 200-299 on a call made with a token the user granted: usually the app's own access
      // level (graph-api.md section 9). A permission the user removed shows in debug_token's
      // scopes and Meta's permission webhook instead, which do ask the user.
      return {
        action: 'app_problem',
        errorCode,
        reason: APP_PROBLEM,
        callerCode: ErrorCode.META_REQUEST_FAILED,
        callerMessage: APP_PROBLEM,
        delayMs: APP_PROBLEM_RECHECK_MS,
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

/**
 * The user's side of a permission problem: debug_token says the user's grant lacks a permission
 * the product cannot work without (removed in Facebook's settings). Checked on every probe, so a
 * code 10/200-299 that comes while the grant is complete is the app's (`app_problem`). Null when
 * nothing is missing.
 */
export function permissionsRemovedVerdict(grantedScopes: string[]): GraphFailureVerdict | null {
  const missing = REQUIRED_SCOPES.filter((s) => !grantedScopes.includes(s));
  if (!missing.length) return null;
  return {
    action: 'needs_reconnect',
    errorCode: 'PERMISSION_REMOVED',
    reason: `Facebook no longer grants AutoReels ${missing.join(', ')}. Reconnect and allow every requested permission.`,
    callerCode: ErrorCode.PERMISSIONS_DECLINED,
    callerMessage: 'Facebook refused access to your Pages; connect again and allow every permission.',
  };
}

/**
 * A token debug_token calls invalid during a login (e.g. a Page token whose Page role is gone,
 * 190/492): the login fails with the subcode's sentence; it is never stored (and never as a
 * token that does not expire).
 */
export function invalidTokenAtConnect(
  which: 'user' | 'page',
  subcode: number | undefined,
  pageName?: string,
): { callerCode: ErrorCode; callerMessage: string } {
  const whose = which === 'page' ? `the Facebook Page "${pageName ?? 'unknown'}"` : 'your Facebook login';
  return {
    callerCode: ErrorCode.META_REQUEST_FAILED,
    callerMessage: `Facebook gave AutoReels an access token for ${whose} that it does not accept itself; nothing was connected. ${reasonForTokenError(subcode)}`,
  };
}
