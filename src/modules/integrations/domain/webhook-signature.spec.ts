import { createHmac } from 'node:crypto';
import { generateWebhookSecret, signatureHeader, verifySignature } from './webhook-signature';

describe('webhook-signature', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"connection.connected","created_at":"2026-01-01T00:00:00.000Z","data":{}}';

  it('should sign "<t>.<raw body>" with HMAC-SHA256 in hex, as t=…,v1=…', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader(secret, 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it.each([
    ['the same body, in time', body, 1700000100, true],
    ['a changed body', body.replace('e1', 'e2'), 1700000100, false],
    ['too old', body, 1700000301, false],
    ['from the future beyond tolerance', body, 1699999699, false],
  ])('should verify %s: %s', (_label, received, now, ok) => {
    expect(verifySignature(secret, signatureHeader(secret, 1700000000, body), received, now)).toBe(ok);
  });

  it('should refuse another secret and a malformed header', () => {
    expect(verifySignature('whsec_other', signatureHeader(secret, 1700000000, body), body, 1700000000)).toBe(false);
    expect(verifySignature(secret, 'v1=abc', body, 1700000000)).toBe(false);
    expect(verifySignature(secret, 't=1700000000,v1=zz', body, 1700000000)).toBe(false);
  });

  it('should make whsec_ secrets of 256 bits', () => {
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});
