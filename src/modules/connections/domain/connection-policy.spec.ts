import {
  connectionExpiry,
  daysUntil,
  instagramCheckPlan,
  instagramIssuedAt,
  nextCheckAt,
  renewalDue,
  statusForValid,
} from './connection-policy';

const now = new Date('2026-11-27T12:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
const settings = { refreshWindowDays: 10, alertThresholdsDays: [14, 7, 2] };

describe('connection policy', () => {
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

  describe('Instagram Login', () => {
    it('should date a token 60 days before its expiry, whenever we stored it', () => {
      expect(instagramIssuedAt(inDays(59))).toEqual(inDays(-1));
    });

    it.each([
      ['verify a fresh token outside the window', inDays(59.5), false, 'verify'],
      ['verify a token with 11 days left (outside the 10-day window)', inDays(11), false, 'verify'],
      ['refresh a token with 9 days left', inDays(9), false, 'refresh'],
      ['refresh with 10 days left exactly (the window is inclusive)', inDays(10), false, 'refresh'],

      ['always ask Meta on a manual refresh, even of a young token', inDays(59.9), true, 'refresh'],
      ['ask Meta when the expiry is unknown', null, false, 'refresh'],
    ] as const)('should %s', (_name, expires, manual, plan) => {
      expect(instagramCheckPlan(expires, now, settings, manual)).toBe(plan);
    });

    it('should not refresh inside the window a token issued less than a day ago (window wider than 59 days)', () => {
      const wide = { refreshWindowDays: 59, alertThresholdsDays: [14, 7, 2] };
      expect(instagramCheckPlan(inDays(59.5), now, wide, false)).toBe('verify');
      expect(instagramCheckPlan(inDays(58.9), now, wide, false)).toBe('refresh');
    });

    it.each([
      [inDays(14), 'active'],
      [inDays(9.5), 'active'],
      [inDays(8.9), 'expiring'],
      [inDays(-0.01), 'needs_reconnect'],
    ] as const)(
      'should call an Instagram-Login connection expiring at %s "%s" (it refreshes itself first)',
      (expires, status) => {
        expect(statusForValid(expires, now, settings, 'instagram')).toBe(status);
      },
    );

    it('should schedule the check at the moment the token enters the refresh window', () => {
      expect(nextCheckAt('active', inDays(10.5), now, settings, 'instagram')).toEqual(inDays(0.5));
      expect(nextCheckAt('active', inDays(10.5), now, settings)).toEqual(inDays(1));
    });
  });

  describe('renewalDue', () => {
    it.each([
      ['60 days left', inDays(60), false],
      ['11 days left', inDays(11), false],
      ['exactly the 10-day window', inDays(10), true],
      ['2 days left', inDays(2), true],
      ['already expired', inDays(-1), true],
      ['no expiry at all', null, false],
    ])('should answer for %s', (_name, expiresAt, due) => {
      expect(renewalDue(expiresAt, now, settings)).toBe(due);
    });
  });
});
