/**
 * When a delivery counts, when it is tried again, and when an endpoint is given up on
 * (DESIGN.md section 10). Pure: `random` is passed in.
 */

/** Attempts in all: with a 5 s start, doubling, the 15th attempt comes about 23 hours after the first. */
export const DEFAULT_MAX_ATTEMPTS = 15;
export const RETRY_JITTER = 0.1;

/** A 2xx answer (within the timeout) is a delivery; anything else (3xx included: redirects are not followed) is a failure. */
export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/** Delay before attempt `attempt + 1` after `attempt` failed (1-based): initial·2^(attempt−1), ±10 %. */
export function retryDelayMs(attempt: number, initialMs: number, random: () => number = Math.random): number {
  const exp = initialMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(exp * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}

/** From the first attempt to the last, without jitter: how long an endpoint is tried before it is disabled. */
export function retrySpanMs(maxAttempts: number, initialMs: number): number {
  return initialMs * (2 ** (maxAttempts - 1) - 1);
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number }
  /** Out of attempts: the delivery failed for good and its endpoint is disabled. */
  | { kind: 'give_up' };

export function afterAttempt(p: {
  statusCode: number | null;
  attempt: number;
  maxAttempts: number;
  initialMs: number;
  random?: () => number;
}): AttemptOutcome {
  if (isDelivered(p.statusCode)) return { kind: 'delivered' };
  if (p.attempt >= p.maxAttempts) return { kind: 'give_up' };
  return { kind: 'retry', delayMs: retryDelayMs(p.attempt, p.initialMs, p.random) };
}
