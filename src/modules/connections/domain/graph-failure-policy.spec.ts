import { ErrorCode } from '../../../common/errors/error-codes';
import { graphFailureVerdict, reasonForTokenError } from './graph-failure-policy';

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
    [{ kind: 'permission' as const, code: 200 }, 'needs_reconnect', ErrorCode.PERMISSIONS_DECLINED, 'GRAPH_200'],
    [{ kind: 'bad-request' as const, code: 100 }, 'fail', ErrorCode.META_REQUEST_FAILED, 'GRAPH_100'],
  ])('should answer %j with %s, %s and %s', (err, action, callerCode, errorCode) => {
    expect(graphFailureVerdict(err)).toMatchObject({ action, callerCode, errorCode });
  });

  it('should carry the usage-header delay when Meta rate-limits', () => {
    expect(graphFailureVerdict({ kind: 'rate-limited', retryAfterMs: 120_000 }).delayMs).toBe(120_000);
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
