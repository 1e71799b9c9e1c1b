import fc from 'fast-check';
import { deliveryKey, hubSignature256, secretsEqual, verifyHubSignature } from './hub-signature';

const SECRET = 'app-secret-123';
const body = Buffer.from('{"object":"instagram","entry":[{"id":"0","time":1,"changes":[]}]}');

describe('verifyHubSignature', () => {
  it('should accept the HMAC-SHA256 of the exact bytes', () => {
    expect(verifyHubSignature(body, hubSignature256(body, SECRET), SECRET)).toBe(true);
  });

  it('should match the published HMAC-SHA256 known answer', () => {
    // Wikipedia "HMAC" example: key "key", message "The quick brown fox jumps over the lazy dog"
    const fox = Buffer.from('The quick brown fox jumps over the lazy dog');
    const expected = 'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';
    expect(hubSignature256(fox, 'key')).toBe(expected);
    expect(verifyHubSignature(fox, expected, 'key')).toBe(true);
    expect(verifyHubSignature(fox, expected.toUpperCase().replace('SHA256', 'sha256'), 'key')).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['sha1 only', 'sha1=0123456789abcdef0123456789abcdef01234567'],
    ['no prefix', hubSignature256(body, SECRET).slice(7)],
    ['truncated', hubSignature256(body, SECRET).slice(0, -2)],
    ['too long', `${hubSignature256(body, SECRET)}00`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['wrong secret', hubSignature256(body, 'other')],
    ['an array', [hubSignature256(body, SECRET)]],
  ])('should reject a header that is %s', (_name, header) => {
    expect(verifyHubSignature(body, header, SECRET)).toBe(false);
  });

  it('should reject a body re-serialised with raw UTF-8 when Meta signed the escaped bytes', () => {
    const escaped = Buffer.from('{"object":"instagram","entry":[{"id":"1","name":"Jos\\u00e9 \\/ Caf\\u00e9"}]}');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(escaped.toString())));
    expect(reserialised.toString()).toContain('José / Café');
    const header = hubSignature256(escaped, SECRET);
    expect(verifyHubSignature(escaped, header, SECRET)).toBe(true);
    expect(verifyHubSignature(reserialised, header, SECRET)).toBe(false);
  });

  it('should reject any changed body or signature (property)', () => {
    const header = hubSignature256(body, SECRET);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 80 }), (otherBody, otherHeader) => {
        const b = Buffer.from(otherBody);
        if (!b.equals(body)) expect(verifyHubSignature(b, header, SECRET)).toBe(false);
        if (otherHeader.toLowerCase() !== header) expect(verifyHubSignature(body, otherHeader, SECRET)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('should flip to false on any single-bit change of the body (property)', () => {
    const header = hubSignature256(body, SECRET);
    fc.assert(
      fc.property(fc.nat(body.length * 8 - 1), (bit) => {
        const b = Buffer.from(body);
        b[bit >> 3] ^= 1 << (bit & 7);
        expect(verifyHubSignature(b, header, SECRET)).toBe(false);
      }),
    );
  });
});

describe('secretsEqual and deliveryKey', () => {
  it('should compare secrets of any length without throwing', () => {
    expect(secretsEqual('verify-me-123', 'verify-me-123')).toBe(true);
    expect(secretsEqual('verify-me-123', 'verify-me-12')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });

  it('should give the same key to the same bytes and a different key to different bytes', () => {
    expect(deliveryKey(body)).toBe(deliveryKey(Buffer.from(body)));
    expect(deliveryKey(body)).toMatch(/^[0-9a-f]{64}$/);
    expect(deliveryKey(Buffer.concat([body, Buffer.from(' ')]))).not.toBe(deliveryKey(body));
  });
});
