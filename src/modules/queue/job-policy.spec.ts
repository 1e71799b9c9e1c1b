import { alertJobId, dueAtOfJobId, maintenanceJobId, retryDelayMs } from './job-policy';

describe('job-policy', () => {
  it('should give the same id for the same account and due time and a new one for a later due time', () => {
    expect(maintenanceJobId(12, 1_700_000_000_000)).toBe(maintenanceJobId(12, 1_700_000_000_000));
    expect(maintenanceJobId(12, 1_700_000_000_001)).not.toBe(maintenanceJobId(12, 1_700_000_000_000));
    expect(maintenanceJobId(12, 1)).not.toContain(':');
    expect(alertJobId(7)).toBe('alert-7');
  });

  it.each([
    ['check-12-1700000000000', 1_700_000_000_000],
    ['check-12-x', null],
    ['alert-3', null],
    [undefined, null],
  ])('should read the due time back from %s', (id, due) => {
    expect(dueAtOfJobId(id)).toBe(due);
  });

  it.each([
    // attemptsMade, random, expected (base 1000, jitter 0.25)
    [1, 0.5, 1000],
    [2, 0.5, 2000],
    [3, 0.5, 4000],
    [3, 0, 3000],
    [3, 1, 5000],
  ])('should back off exponentially with jitter when retry %i draws %d', (attemptsMade, r, expected) => {
    expect(retryDelayMs({ attemptsMade, baseMs: 1000, random: () => r })).toBe(expected);
  });

  it('should never retry sooner than Meta asked when usage headers give a regain time', () => {
    expect(retryDelayMs({ attemptsMade: 1, baseMs: 100, minDelayMs: 60_000, random: () => 1 })).toBe(60_000);
    expect(retryDelayMs({ attemptsMade: 10, baseMs: 100, minDelayMs: 1000, random: () => 0.5 })).toBe(51_200);
  });

  it('should stay inside [d·2^(n−1)·(1−j), d·2^(n−1)·(1+j)] for any draw', () => {
    for (let n = 1; n <= 6; n++) {
      for (let i = 0; i < 50; i++) {
        const d = retryDelayMs({ attemptsMade: n, baseMs: 500, jitter: 0.3 });
        expect(d).toBeGreaterThanOrEqual(Math.floor(500 * 2 ** (n - 1) * 0.7));
        expect(d).toBeLessThanOrEqual(Math.ceil(500 * 2 ** (n - 1) * 1.3));
      }
    }
  });
});
