import { obtainedBeforeCutoff, signedRequestFreshness } from './signed-request-freshness';

const NOW = new Date('2026-11-27T08:00:00.000Z');
const s = NOW.getTime() / 1000;

describe('signedRequestFreshness', () => {
  it.each([
    ['issued now', s, { ok: true, issuedAt: NOW }],
    ['issued an hour ago', s - 3600, { ok: true, issuedAt: new Date(NOW.getTime() - 3_600_000) }],
    ['issued exactly 24 h ago', s - 86_400, { ok: true, issuedAt: new Date(NOW.getTime() - 86_400_000) }],
    ['issued 24 h and 1 s ago', s - 86_401, { ok: false, reason: 'stale' }],
    ['issued a year ago', s - 365 * 86_400, { ok: false, reason: 'stale' }],
    ['issued 5 min ahead (clock skew)', s + 300, { ok: true, issuedAt: new Date(NOW.getTime() + 300_000) }],
    ['issued 5 min 1 s ahead', s + 301, { ok: false, reason: 'future' }],
    ['without issued_at', undefined, { ok: false, reason: 'missing' }],
    ['with issued_at null', null, { ok: false, reason: 'missing' }],
    ['with issued_at as a string', String(s), { ok: false, reason: 'missing' }],
    ['with issued_at 0', 0, { ok: false, reason: 'missing' }],
    ['with a negative issued_at', -1, { ok: false, reason: 'missing' }],
    ['with a fractional issued_at', s + 0.5, { ok: false, reason: 'missing' }],
    ['with issued_at NaN', Number.NaN, { ok: false, reason: 'missing' }],
    ['with issued_at Infinity', Number.POSITIVE_INFINITY, { ok: false, reason: 'missing' }],
  ])('should judge a request %s', (_name, issuedAt, expected) => {
    expect(signedRequestFreshness(issuedAt, NOW)).toEqual(expected);
  });

  it('should judge against the given now, not the wall clock', () => {
    const yearAgo = new Date(NOW.getTime() - 365 * 86_400_000);
    expect(signedRequestFreshness(yearAgo.getTime() / 1000, yearAgo).ok).toBe(true);
    expect(signedRequestFreshness(yearAgo.getTime() / 1000, NOW).ok).toBe(false);
  });
});

describe('obtainedBeforeCutoff', () => {
  it.each([
    ['a whole second', '2026-11-27T08:00:00.000Z', '2026-11-27T08:00:01.000Z'],
    ['a fraction of a second', '2026-11-27T08:00:00.999Z', '2026-11-27T08:00:01.000Z'],
  ])('should include the whole second of %s', (_name, issued, cutoff) => {
    expect(obtainedBeforeCutoff(new Date(issued)).toISOString()).toBe(cutoff);
  });
});
