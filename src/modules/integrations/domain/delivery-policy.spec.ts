import { afterAttempt, DEFAULT_MAX_ATTEMPTS, isDelivered, retryDelayMs, retrySpanMs } from './delivery-policy';

describe('delivery-policy', () => {
  it.each([
    [200, true],
    [204, true],
    [299, true],
    [301, false],
    [400, false],
    [410, false],
    [500, false],
    [null, false], // timeout, refused connection, SSRF refusal
  ])('should count status %s as delivered: %s', (status, ok) => {
    expect(isDelivered(status)).toBe(ok);
  });

  it.each([
    [1, 0.5, 5000],
    [2, 0.5, 10000],
    [3, 0.5, 20000],
    [3, 0, 18000],
    [3, 1, 22000],
    [14, 0.5, 5000 * 2 ** 13],
  ])('should wait after attempt %i (draw %d) %i ms', (attempt, r, ms) => {
    expect(retryDelayMs(attempt, 5000, () => r)).toBe(ms);
  });

  it('should span about a day with the defaults (5 s start, 15 attempts)', () => {
    const hours = retrySpanMs(DEFAULT_MAX_ATTEMPTS, 5000) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(30);
  });

  it.each([
    [{ statusCode: 200, attempt: 1 }, 'delivered'],
    [{ statusCode: 200, attempt: 15 }, 'delivered'],
    [{ statusCode: 500, attempt: 1 }, 'retry'],
    [{ statusCode: null, attempt: 14 }, 'retry'],
    [{ statusCode: 500, attempt: 15 }, 'give_up'],
    [{ statusCode: null, attempt: 16 }, 'give_up'],
  ])('should decide after %j: %s', (p, kind) => {
    expect(afterAttempt({ ...p, maxAttempts: 15, initialMs: 5000, random: () => 0.5 }).kind).toBe(kind);
  });
});
