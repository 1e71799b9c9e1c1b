/**
 * When a verified `signed_request` may still be acted on. Meta stamps it with `issued_at` (epoch
 * seconds, its clock); we accept it for a day, judged on the app's clock, and refuse one without
 * a stamp: an old or unstamped request would let anyone who ever saw one replay it forever.
 * Pure: `now` is passed in.
 */
export const SIGNED_REQUEST_MAX_AGE_SECONDS = 24 * 3600;

/** Clocks drift: a request stamped this far in our future is still taken as issued now. */
export const SIGNED_REQUEST_MAX_SKEW_SECONDS = 5 * 60;

export type FreshnessFailure = 'missing' | 'stale' | 'future';

export type FreshnessResult = { ok: true; issuedAt: Date } | { ok: false; reason: FreshnessFailure };

export function signedRequestFreshness(
  issuedAt: unknown,
  now: Date,
  maxAgeSeconds = SIGNED_REQUEST_MAX_AGE_SECONDS,
  maxSkewSeconds = SIGNED_REQUEST_MAX_SKEW_SECONDS,
): FreshnessResult {
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt <= 0) return { ok: false, reason: 'missing' };
  const nowSeconds = now.getTime() / 1000;
  if (issuedAt > nowSeconds + maxSkewSeconds) return { ok: false, reason: 'future' };
  if (issuedAt < nowSeconds - maxAgeSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, issuedAt: new Date(issuedAt * 1000) };
}

/**
 * The moment that separates what a callback acts on from what it leaves alone: tokens obtained
 * before it. `issued_at` has whole seconds, so tokens obtained within that same second count as
 * obtained before (a connection made a fraction of a second before Meta stamped the request must
 * not escape it); only what was obtained from the next second on stays.
 */
export function obtainedBeforeCutoff(issuedAt: Date): Date {
  return new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + 1000);
}
