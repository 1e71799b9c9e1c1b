import {
  connectionExpiry,
  daysUntil,
  dueExpiryAlert,
  nextCheckAt,
  reasonForTokenError,
  statusForValid,
  verdictForGraphError,
} from './token-policy';

const now = new Date('2026-11-27T12:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
const settings = { refreshWindowDays: 10, alertThresholdsDays: [14, 7, 2] };

describe('token policy', () => {
  describe('connectionExpiry', () => {
    it.each([
      ['the user token when it is earliest', inDays(60), null, inDays(90), inDays(60)],
      ['data access when it lapses first', inDays(60), null, inDays(20), inDays(20)],
      ['the page token when it is shorter', inDays(60), inDays(1), inDays(90), inDays(1)],
      ['null when nothing expires', null, null, null, null],
    ])('should pick %s', (_name, user, page, data, expected) => {
      expect(connectionExpiry({ userTokenExpiresAt: user, pageTokenExpiresAt: page, dataAccessExpiresAt: data })).toEqual(
        expected,
      );
    });
  });

  describe('daysUntil', () => {
    it.each([
      [inDays(13.5), 13],
      [inDays(0.2), 0],
      [inDays(-1.5), -2],
      [null, null],
    ])('should answer %s → %s', (expires, days) => {
      expect(daysUntil(expires, now)).toBe(days);
    });
  });

  describe('statusForValid', () => {
    it.each([
      [inDays(60), 'active'],
      [inDays(14), 'expiring'],
      [inDays(3), 'expiring'],
      [inDays(-0.01), 'needs_reconnect'],
      [null, 'active'],
    ] as const)('should call a connection expiring at %s "%s"', (expires, status) => {
      expect(statusForValid(expires, now, settings)).toBe(status);
    });
  });

  describe('nextCheckAt', () => {
    it.each([
      ['daily when far from expiry', inDays(60), inDays(1)],
      ['at the 14-day crossing when it comes sooner than a day', inDays(14.5), inDays(0.5)],
      ['every 6 hours inside the refresh window', inDays(9), new Date(now.getTime() + 6 * 3_600_000)],
      ['at the 2-day crossing when it is sooner than 6 hours', inDays(2.1), new Date(inDays(2.1).getTime() - 2 * 86_400_000)],
      ['at expiry when that is next', inDays(0.1), inDays(0.1)],
      ['daily when the token never expires', null, inDays(1)],
    ])('should schedule %s', (_name, expires, expected) => {
      expect(nextCheckAt('active', expires, now, settings)).toEqual(expected);
    });

    it('should never schedule a check less than a minute away', () => {
      expect(nextCheckAt('expiring', new Date(now.getTime() + 1000), now, settings)).toEqual(new Date(now.getTime() + 60_000));
    });

    it.each(['needs_reconnect', 'revoked', 'disconnected'] as const)('should stop checking when the state is %s', (state) => {
      expect(nextCheckAt(state, inDays(30), now, settings)).toBeNull();
    });
  });

  describe('dueExpiryAlert', () => {
    it.each([
      [inDays(20), null],
      [inDays(13), { kind: 'expiring', thresholdDays: 14 }],
      [inDays(5), { kind: 'expiring', thresholdDays: 7 }],
      [inDays(1), { kind: 'expiring', thresholdDays: 2 }],
      [inDays(-1), { kind: 'expired', thresholdDays: null }],
    ])('should raise the most urgent alert when the token expires at %s', (expires, expected) => {
      const alert = dueExpiryAlert(expires, now, settings);
      if (expected === null) expect(alert).toBeNull();
      else expect(alert).toMatchObject(expected);
    });

    it('should give the same dedupe key on every sweep for one threshold and expiry date', () => {
      const expires = inDays(13);
      const later = new Date(now.getTime() + 3_600_000);
      expect(dueExpiryAlert(expires, now, settings)?.dedupeKey).toBe(dueExpiryAlert(expires, later, settings)?.dedupeKey);
    });

    it('should give a new dedupe key when the expiry moves', () => {
      expect(dueExpiryAlert(inDays(13), now, settings)?.dedupeKey).not.toBe(dueExpiryAlert(inDays(12), now, settings)?.dedupeKey);
    });
  });

  describe('verdictForGraphError', () => {
    it.each([
      [{ kind: 'transient' as const, code: 2 }, 'retry'],
      [{ kind: 'rate-limited' as const, code: 4, retryAfterMs: 60_000 }, 'retry'],
      [{ kind: 'token-invalid' as const, code: 190, subcode: 460 }, 'needs_reconnect'],
      [{ kind: 'permission' as const, code: 200 }, 'needs_reconnect'],
      [{ kind: 'bad-request' as const, code: 100 }, 'fail'],
    ])('should answer %j with %s', (err, action) => {
      expect(verdictForGraphError(err).action).toBe(action);
    });

    it('should carry the usage-header delay when Meta rate-limits', () => {
      expect(verdictForGraphError({ kind: 'rate-limited', retryAfterMs: 120_000 })).toEqual({
        action: 'retry',
        delayMs: 120_000,
      });
    });

    it('should explain a password change differently from a removed app', () => {
      expect(reasonForTokenError(460)).toMatch(/password/);
      expect(reasonForTokenError(458)).toMatch(/removed/);
    });
  });
});
