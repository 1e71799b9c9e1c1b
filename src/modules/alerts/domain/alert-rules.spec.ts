import { dueAlert, dueExpiryAlert, alertSubject, type AlertFacts } from './alert-rules';

const now = new Date('2026-11-27T12:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
const settings = { refreshWindowDays: 10, alertThresholdsDays: [14, 7, 2] };

describe('alert rules', () => {
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

  describe('dueAlert', () => {
    const healthy: AlertFacts = {
      status: 'active',
      isValid: true,
      igUserId: '1784',
      instagramUsername: 'sam.studio',
      expiresAt: inDays(50),
      statusReason: null,
      lastErrorCode: null,
      changedAt: now,
    };

    it.each([
      ['nothing for a healthy connection far from expiry', {}, null],
      ['nothing for a disconnected one, whatever else it says', { status: 'disconnected', isValid: false }, null],
      ['revoked, once per revocation', { status: 'revoked', isValid: false }, 'revoked'],
      [
        'token_invalid with the reason when Meta refused it',
        { status: 'needs_reconnect', isValid: false, statusReason: 'Your Facebook password changed.' },
        'token_invalid',
      ],
      ['expiring inside a threshold', { expiresAt: inDays(6) }, 'expiring'],
      ['expired past its expiry', { expiresAt: inDays(-1) }, 'expired'],
    ] as Array<[string, Partial<AlertFacts>, string | null]>)('should raise %s', (_name, facts, kind) => {
      expect(dueAlert({ ...healthy, ...facts }, now, settings)?.kind ?? null).toBe(kind);
    });

    it('should name the account and say why in the sentence when the token died', () => {
      const alert = dueAlert(
        { ...healthy, status: 'needs_reconnect', isValid: false, statusReason: 'Your Facebook password changed.' },
        now,
        settings,
      );
      expect(alert?.message).toBe('@sam.studio stopped working: Your Facebook password changed.');
    });

    it('should give a new key to a second revocation at another time', () => {
      const first = dueAlert({ ...healthy, status: 'revoked', isValid: false }, now, settings);
      const second = dueAlert({ ...healthy, status: 'revoked', isValid: false, changedAt: inDays(3) }, now, settings);
      expect(first?.dedupeKey).not.toBe(second?.dedupeKey);
    });
  });

  it('should write a subject per kind that names the account', () => {
    expect(alertSubject('expiring', 7, '@a')).toBe('@a: reconnect within 7 days to keep publishing');
    expect(alertSubject('revoked', null, '@a')).toBe('@a was disconnected at Facebook');
  });

  it('should say Instagram in the revoked sentence and subject when an Instagram-Login app was removed', () => {
    const revoked = dueAlert(
      {
        status: 'revoked',
        isValid: false,
        igUserId: '1784',
        instagramUsername: 'lena.bakes',
        expiresAt: null,
        statusReason: null,
        lastErrorCode: null,
        changedAt: now,
        loginType: 'instagram',
      },
      now,
      settings,
    );
    expect(revoked?.message).toContain('was disconnected at Instagram');
    expect(alertSubject('revoked', null, '@a', 'instagram')).toBe('@a was disconnected at Instagram');
    expect(alertSubject('expired', null, '@a', 'instagram')).toBe(
      '@a: Instagram access expired — reconnect to resume publishing',
    );
  });

  describe('Instagram Login (its token refreshes itself)', () => {
    it.each([
      [inDays(13), null],
      [inDays(9), null],
      [inDays(5), { kind: 'expiring', thresholdDays: 7 }],
      [inDays(1), { kind: 'expiring', thresholdDays: 2 }],
      [inDays(-1), { kind: 'expired', thresholdDays: null }],
    ])('should alert only once refreshing failed for a day inside the window, token expiring at %s', (expires, expected) => {
      const alert = dueExpiryAlert(expires, now, settings, 'instagram');
      if (expected === null) expect(alert).toBeNull();
      else expect(alert).toMatchObject(expected);
    });

    it('should name Instagram, not Facebook, in the sentence', () => {
      const due = dueAlert(
        {
          status: 'expiring',
          isValid: true,
          igUserId: '1784',
          instagramUsername: 'lena.bakes',
          expiresAt: inDays(5),
          statusReason: null,
          lastErrorCode: null,
          changedAt: now,
          loginType: 'instagram',
        },
        now,
        settings,
      );
      expect(due?.message).toContain("@lena.bakes's Instagram access ends");
      expect(due?.message).toContain('could not refresh it');
    });
  });
});
