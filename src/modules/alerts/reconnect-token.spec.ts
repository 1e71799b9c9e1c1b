import { createReconnectToken, hashReconnectToken, reconnectLinkKey, verifyReconnectToken } from './reconnect-token';

describe('reconnect token', () => {
  const key = reconnectLinkKey('a-test-secret-key-0123456789');
  const now = new Date('2026-11-27T08:00:00Z');
  const inAWeek = new Date(now.getTime() + 7 * 86_400_000);

  it('should accept its own token before expiry and return the account', () => {
    const token = createReconnectToken(key, 42, inAWeek);
    expect(verifyReconnectToken(key, token, now)).toEqual({
      accountId: 42,
      expiresAt: new Date(Math.floor(inAWeek.getTime() / 1000) * 1000),
    });
  });

  it('should refuse the token when it has expired', () => {
    const token = createReconnectToken(key, 42, inAWeek);
    expect(verifyReconnectToken(key, token, new Date(inAWeek.getTime() + 1000))).toBeNull();
  });

  it('should refuse the token when signed with another secret', () => {
    const token = createReconnectToken(reconnectLinkKey('another-secret-key-0123456789'), 42, inAWeek);
    expect(verifyReconnectToken(key, token, now)).toBeNull();
  });

  it('should refuse the token when any part was edited', () => {
    const token = createReconnectToken(key, 42, inAWeek);
    const [acc, exp, nonce, sig] = token.split('.');
    const variants = [
      `43.${exp}.${nonce}.${sig}`,
      `${acc}.${Number(exp) + 86400}.${nonce}.${sig}`,
      `${acc}.${exp}.${nonce.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}.${sig}`,
      `${acc}.${exp}.${nonce}.${sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
      `${acc}.${exp}.${nonce}`,
      `${token}.x`,
      '',
      'garbage',
      'x'.repeat(1000),
    ];
    for (const v of variants) expect(verifyReconnectToken(key, v, now)).toBeNull();
  });

  it('should hash to a stable 64-hex digest that does not contain the token', () => {
    const token = createReconnectToken(key, 1, inAWeek);
    expect(hashReconnectToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashReconnectToken(token)).toBe(hashReconnectToken(token));
  });
});
