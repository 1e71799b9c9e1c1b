import { DEFAULT_RATE_LIMIT_RETRY_MS, GraphError, classifyGraphError } from './graph-error';
import type { GraphErrorFacts, GraphErrorKind } from './graph-error';

describe('classifyGraphError', () => {
  const cases: Array<[string, GraphErrorFacts, GraphErrorKind]> = [
    ['code 1 (API unknown)', { code: 1, httpStatus: 500 }, 'transient'],
    ['code 2 (API service)', { code: 2, httpStatus: 503, isTransient: true }, 'transient'],
    ['is_transient is true on an otherwise unknown code', { code: 100, isTransient: true }, 'transient'],
    ['HTTP 503 without a Meta code', { httpStatus: 503 }, 'transient'],
    ['HTTP 500 with an unknown code', { code: 12345, httpStatus: 500 }, 'transient'],
    ['the network failed or timed out', { network: true }, 'transient'],
    ['the media is not ready yet (9007/2207027)', { code: 9007, subcode: 2207027 }, 'transient'],
    ['code 4 (app rate limit)', { code: 4 }, 'rate-limited'],
    ['code 17 (user rate limit)', { code: 17 }, 'rate-limited'],
    ['code 32 (Page rate limit)', { code: 32 }, 'rate-limited'],
    ['code 341 (application limit)', { code: 341 }, 'rate-limited'],
    ['code 613 (api rate limit)', { code: 613 }, 'rate-limited'],
    ['code 80001 (BUC pages)', { code: 80001 }, 'rate-limited'],
    ['code 80002 (BUC instagram)', { code: 80002, subcode: 2446079 }, 'rate-limited'],
    ['HTTP 429 without a Meta code', { httpStatus: 429 }, 'rate-limited'],
    ['code 9 (publishing quota)', { code: 9, subcode: 2207042 }, 'quota'],
    ['subcode 2207042 on another code', { code: 100, subcode: 2207042 }, 'quota'],
    ['code 190 without subcode', { code: 190 }, 'token-invalid'],
    ['code 190/458 (app removed)', { code: 190, subcode: 458 }, 'token-invalid'],
    ['code 190/460 (password changed)', { code: 190, subcode: 460 }, 'token-invalid'],
    ['code 190/463 (expired)', { code: 190, subcode: 463 }, 'token-invalid'],
    ['code 190/467 (logged out)', { code: 190, subcode: 467 }, 'token-invalid'],
    ['code 190/492 (Page role lost)', { code: 190, subcode: 492 }, 'token-invalid'],
    ['code 190 even when marked transient', { code: 190, isTransient: true }, 'token-invalid'],
    ['code 102 (API session)', { code: 102 }, 'token-invalid'],
    ['code 10 (permission denied)', { code: 10, httpStatus: 403 }, 'permission'],
    ['code 200 (permissions error)', { code: 200, httpStatus: 403 }, 'permission'],
    ['code 299 (top of the permission range)', { code: 299 }, 'permission'],
    ['code 100 with 36009 (code reused)', { code: 100, subcode: 36009 }, 'bad-request'],
    ['code 100 with 36007 (code expired)', { code: 100, subcode: 36007 }, 'bad-request'],
    ['code 100 with 36008 (redirect mismatch)', { code: 100, subcode: 36008 }, 'bad-request'],
    ['code 100 with 33 (object missing)', { code: 100, subcode: 33 }, 'bad-request'],
    ['code 101 (bad client id)', { code: 101 }, 'bad-request'],
    ['code 104 (no token)', { code: 104 }, 'bad-request'],
    ['HTTP 404 without a Meta code', { httpStatus: 404 }, 'bad-request'],
    ['code 300 (just above the permission range)', { code: 300 }, 'bad-request'],
  ];

  it.each(cases)('should classify as the expected kind when %s', (_label, facts, kind) => {
    expect(classifyGraphError(facts)).toBe(kind);
  });
});

describe('GraphError', () => {
  it('should derive kind and a default retry delay when Meta reports a rate limit without usage hints', () => {
    const err = new GraphError('Graph getMe failed [4]', { code: 4, httpStatus: 400 });
    expect(err.kind).toBe('rate-limited');
    expect(err.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_RETRY_MS);
    expect(err.retryable).toBe(true);
  });

  it('should take the retry delay from estimated_time_to_regain_access when usage headers carry it', () => {
    const err = new GraphError('x', {
      code: 80002,
      usage: { businessUseCase: [], highestPercent: 100, regainAccessMinutes: 7 },
    });
    expect(err.retryAfterMs).toBe(7 * 60_000);
  });

  it('should not suggest a retry delay when the token is invalid', () => {
    const err = new GraphError('x', { code: 190, subcode: 460 });
    expect(err.kind).toBe('token-invalid');
    expect(err.retryAfterMs).toBeUndefined();
    expect(err.retryable).toBe(false);
  });
});
