import {
  changesState,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  lastUsedIsStale,
  looksLikeApiKey,
  normalizeScopes,
} from './api-key-rules';

describe('api-key-rules', () => {
  it('should make a 256-bit ark_ key whose prefix and hash come from it', () => {
    const k = generateApiKey();
    expect(k.key).toMatch(/^ark_[A-Za-z0-9_-]{43}$/);
    expect(isWellFormedApiKey(k.key)).toBe(true);
    expect(k.prefix).toBe(k.key.slice(0, 12));
    expect(k.hash).toBe(hashApiKey(k.key));
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.hash).not.toContain(k.key.slice(4));
    expect(generateApiKey().key).not.toBe(k.key);
  });

  it.each([
    ['ark_' + 'a'.repeat(43), true, true],
    ['ark_short', true, false],
    ['ark_' + 'a'.repeat(42) + '!', true, false],
    ['eyJhbGciOiJIUzI1NiJ9.e30.x', false, false],
  ])('should tell an API key (%s) from a JWT', (token, looks, wellFormed) => {
    expect(looksLikeApiKey(token)).toBe(looks);
    expect(isWellFormedApiKey(token)).toBe(wellFormed);
  });

  it.each([
    [undefined, ['read']],
    [[], ['read']],
    [['read'], ['read']],
    [
      ['read', 'write'],
      ['read', 'write'],
    ],
    [['write'], ['read', 'write']],
  ] as const)('should normalise scopes %j to %j', (given, expected) => {
    expect(normalizeScopes(given as never)).toEqual(expected);
  });

  it.each([
    ['GET', false, false],
    ['HEAD', false, false],
    ['OPTIONS', false, false],
    ['get', false, false],
    ['POST', false, true],
    ['PATCH', false, true],
    ['PUT', false, true],
    ['DELETE', false, true],
    ['GET', true, true], // the OAuth callback: a GET that stores a connection
  ])('should say %s (marked: %s) changes state: %s', (method, marked, expected) => {
    expect(changesState(method, marked)).toBe(expected);
  });

  it.each([
    [null, true],
    [new Date('2026-01-01T00:00:00Z'), true],
    [new Date('2026-01-01T00:09:00.000Z'), true],
    [new Date('2026-01-01T00:09:00.001Z'), false],
    [new Date('2026-01-01T00:09:30Z'), false],
  ])('should write last_used_at again only after a minute (last %s)', (last, stale) => {
    expect(lastUsedIsStale(last, new Date('2026-01-01T00:10:00Z'))).toBe(stale);
  });
});
