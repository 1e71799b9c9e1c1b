import { ErrorCode } from '../../../common/errors/error-codes';
import {
  APP_PROBLEM,
  BLOCKED_RETRY_MS,
  graphFailureVerdict,
  invalidTokenAtConnect,
  permissionsRemovedVerdict,
  reasonForTokenError,
} from './graph-failure-policy';

describe('graph failure policy', () => {
  it.each([
    [{ kind: 'transient' as const, code: 2 }, 'retry', ErrorCode.META_UNAVAILABLE, 'GRAPH_2'],
    [{ kind: 'rate-limited' as const, code: 4, retryAfterMs: 60_000 }, 'retry', ErrorCode.META_RATE_LIMITED, 'GRAPH_4'],
    [{ kind: 'quota' as const, code: 9 }, 'retry', ErrorCode.META_RATE_LIMITED, 'GRAPH_9'],
    [
      { kind: 'token-invalid' as const, code: 190, subcode: 460 },
      'needs_reconnect',
      ErrorCode.META_REQUEST_FAILED,
      'GRAPH_190_460',
    ],
    [{ kind: 'token-invalid' as const, code: 190, subcode: 458 }, 'revoked', ErrorCode.META_REQUEST_FAILED, 'GRAPH_190_458'],
    [{ kind: 'token-invalid' as const }, 'needs_reconnect', ErrorCode.META_REQUEST_FAILED, 'GRAPH_190'],
    // 10 and 200-299: the app's own access, not the user's (graph-api.md section 9)
    [{ kind: 'permission' as const, code: 10 }, 'app_problem', ErrorCode.META_REQUEST_FAILED, 'GRAPH_10'],
    [{ kind: 'permission' as const, code: 200 }, 'app_problem', ErrorCode.META_REQUEST_FAILED, 'GRAPH_200'],
    [{ kind: 'permission' as const, code: 299 }, 'app_problem', ErrorCode.META_REQUEST_FAILED, 'GRAPH_299'],
    // 368 (temporarily blocked): a long back-off, never a dead connection
    [{ kind: 'bad-request' as const, code: 368 }, 'retry', ErrorCode.META_RATE_LIMITED, 'GRAPH_368'],
    [{ kind: 'bad-request' as const, code: 368, subcode: 1390008 }, 'retry', ErrorCode.META_RATE_LIMITED, 'GRAPH_368_1390008'],
    [{ kind: 'bad-request' as const, code: 100 }, 'fail', ErrorCode.META_REQUEST_FAILED, 'GRAPH_100'],
  ])('should answer %j with %s, %s and %s', (err, action, callerCode, errorCode) => {
    expect(graphFailureVerdict(err)).toMatchObject({ action, callerCode, errorCode });
  });

  it('should carry the usage-header delay when Meta rate-limits', () => {
    expect(graphFailureVerdict({ kind: 'rate-limited', retryAfterMs: 120_000 }).delayMs).toBe(120_000);
  });

  it('should tell the user an app-level problem is ours, without asking for a reconnect', () => {
    const v = graphFailureVerdict({ kind: 'permission', code: 200 });
    expect(v.reason).toBe(APP_PROBLEM);
    expect(v.callerMessage).toBe(APP_PROBLEM);
    expect(v.reason).toMatch(/we are on it/);
    expect(v.reason).not.toMatch(/reconnect/i);
  });

  it.each([
    [['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'], null],
    [['instagram_basic', 'pages_show_list', 'pages_read_engagement'], /instagram_content_publish\. Reconnect/],
    [[], /instagram_basic, instagram_content_publish, pages_show_list, pages_read_engagement/],
  ])("should make a grant of %j the user's to fix only when a required permission is missing", (scopes, reason) => {
    const v = permissionsRemovedVerdict(scopes);
    if (reason === null) return expect(v).toBeNull();
    expect(v).toMatchObject({
      action: 'needs_reconnect',
      errorCode: 'PERMISSION_REMOVED',
      callerCode: ErrorCode.PERMISSIONS_DECLINED,
    });
    expect(v?.reason).toMatch(reason);
  });

  it('should back off 368 for hours (longer than any usage hint below that), and say Facebook blocked us', () => {
    expect(graphFailureVerdict({ kind: 'bad-request', code: 368 }).delayMs).toBe(BLOCKED_RETRY_MS);
    expect(BLOCKED_RETRY_MS).toBeGreaterThanOrEqual(60 * 60_000);
    expect(graphFailureVerdict({ kind: 'bad-request', code: 368, retryAfterMs: 60_000 }).delayMs).toBe(BLOCKED_RETRY_MS);
    expect(graphFailureVerdict({ kind: 'bad-request', code: 368 }).reason).toMatch(/temporarily blocked/);
  });

  it.each([
    ['page' as const, 492, 'Acme Coffee', /Page "Acme Coffee".*role on the Facebook Page/],
    ['page' as const, undefined, 'Acme Coffee', /Page "Acme Coffee".*no longer accepts/],
    ['user' as const, 460, undefined, /your Facebook login.*password/],
  ])('should make an invalid %s token (subcode %s) at connect an error that names it', (which, subcode, page, pattern) => {
    const v = invalidTokenAtConnect(which, subcode, page);
    expect(v.callerCode).toBe(ErrorCode.META_REQUEST_FAILED);
    expect(v.callerMessage).toMatch(pattern);
    expect(v.callerMessage).toMatch(/nothing was connected/);
  });

  it.each([
    [458, /removed/],
    [459, /locked/],
    [460, /password/],
    [463, /expired/],
    [464, /confirmed/],
    [467, /no longer accepts/],
    [492, /role on the Facebook Page/],
  ])('should explain subcode %s in its own words', (subcode, pattern) => {
    expect(reasonForTokenError(subcode)).toMatch(pattern);
    expect(graphFailureVerdict({ kind: 'token-invalid', code: 190, subcode }).reason).toBe(reasonForTokenError(subcode));
  });
});
