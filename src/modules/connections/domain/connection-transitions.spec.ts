import { applyTransition, type Transition } from './connection-transitions';

const now = new Date('2026-11-30T10:00:00Z');

describe('connection transitions', () => {
  const cases: Array<[string, Transition, Record<string, unknown>, Record<string, unknown>]> = [
    [
      'needs_reconnect keeps the tokens, stops the checks and says why',
      { to: 'needs_reconnect', actor: 'worker', during: 'refresh', reason: 'Password changed.', errorCode: 'GRAPH_190_460' },
      {
        status: 'needs_reconnect',
        isValid: false,
        statusReason: 'Password changed.',
        lastErrorCode: 'GRAPH_190_460',
        nextCheckAt: null,
        lastCheckedAt: now,
      },
      { type: 'refresh', outcome: 'failure', actor: 'worker', errorCode: 'GRAPH_190_460' },
    ],
    [
      'revoked by Meta deletes the secrets and records a success of Meta',
      {
        to: 'revoked',
        actor: 'meta',
        during: 'deauthorize',
        reason: 'App removed.',
        errorCode: 'META_DEAUTHORIZED',
        eventMessage: 'Meta reported the app removed; tokens deleted.',
      },
      { status: 'revoked', isValid: false, longLivedToken: null, accessToken: null, tokenKeyId: null, nextCheckAt: null },
      { type: 'deauthorize', outcome: 'success', actor: 'meta', message: 'Meta reported the app removed; tokens deleted.' },
    ],
    [
      'revoked found by a check is a failure of that check',
      {
        to: 'revoked',
        actor: 'user',
        during: 'probe',
        reason: 'Removed.',
        errorCode: 'GRAPH_190_458',
        graph: { code: 190, subcode: 458 },
      },
      { status: 'revoked', accessToken: null },
      { type: 'probe', outcome: 'failure', graph: { code: 190, subcode: 458 } },
    ],
    [
      'disconnected deletes the secrets, leaves the list and the default',
      { to: 'disconnected', actor: 'user', note: 'revoked at Facebook', revokedAtFacebook: true },
      {
        status: 'disconnected',
        isConnected: false,
        isDefault: false,
        longLivedToken: null,
        accessToken: null,
        disconnectedAt: now,
        statusReason: null,
      },
      {
        type: 'disconnect',
        outcome: 'success',
        message: 'Disconnected; revoked at Facebook.',
        details: { revoked_at_facebook: true },
      },
    ],
  ];

  it.each(cases)('should make %s', (_name, t, patch, event) => {
    const out = applyTransition(t, now);
    expect(out.patch).toMatchObject(patch);
    expect(out.event).toMatchObject(event);
  });

  it('should never keep a secret when the grant is gone or the user left', () => {
    for (const t of cases.map((c) => c[1]).filter((t) => t.to !== 'needs_reconnect')) {
      const { patch } = applyTransition(t, now);
      expect([patch.longLivedToken, patch.accessToken, patch.tokenKeyId]).toEqual([null, null, null]);
    }
  });
});
