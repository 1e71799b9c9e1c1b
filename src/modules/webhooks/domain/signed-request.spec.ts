import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { buildSignedRequest, decodeBase64UrlStrict, verifySignedRequest } from './signed-request';

// Known answer from graph-api.md §12 (bk-rs/facebook-rs), secret "key".
const VECTOR =
  'Mf_s6nTb38UYqioBmPqu0Ewm9souPZB9I2fIGwV729U.eyJ1c2VyX2lkIjoiMCIsImFsZ29yaXRobSI6IkhNQUMtU0hBMjU2IiwiaXNzdWVkX2F0IjoxNjI0MjQ0MTU2fQ';
const VECTOR_PAYLOAD = { user_id: '0', algorithm: 'HMAC-SHA256', issued_at: 1624244156 };

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const sign = (payloadB64: string, secret = 'key'): string => createHmac('sha256', secret).update(payloadB64).digest('base64url');

describe('verifySignedRequest', () => {
  it('should accept the reference vector and return its payload', () => {
    expect(verifySignedRequest(VECTOR, 'key')).toEqual({ ok: true, payload: VECTOR_PAYLOAD });
  });

  it('should build exactly the reference vector from its payload', () => {
    expect(buildSignedRequest(VECTOR_PAYLOAD, 'key')).toBe(VECTOR);
  });

  it('should accept a data-deletion payload with expires', () => {
    const sr = buildSignedRequest(
      { user_id: '218471', algorithm: 'HMAC-SHA256', issued_at: 1291836800, expires: 1291840400 },
      's3cret',
    );
    const r = verifySignedRequest(sr, 's3cret');
    expect(r.ok && r.payload.expires).toBe(1291840400);
  });

  it.each([
    ['a wrong secret', VECTOR, 'other', 'bad_signature'],
    ['padding on the signature', VECTOR.replace('.', '=.'), 'key', 'malformed'],
    ['padding on the payload', `${VECTOR}=`, 'key', 'malformed'],
    ['standard base64 characters', VECTOR.replace(/_/g, '/'), 'key', 'malformed'],
    ['no dot', VECTOR.replace('.', ''), 'key', 'malformed'],
    ['three parts', `${VECTOR}.x`, 'key', 'malformed'],
    ['an empty string', '', 'key', 'malformed'],
    ['a truncated signature', VECTOR.slice(0, 20) + VECTOR.slice(VECTOR.indexOf('.')), 'key', 'bad_signature'],
    ['a non-string', 42, 'key', 'malformed'],
  ])('should reject %s', (_name, input, secret, reason) => {
    expect(verifySignedRequest(input, secret)).toEqual({ ok: false, reason });
  });

  it('should reject a correctly signed payload whose algorithm is not HMAC-SHA256', () => {
    for (const algorithm of ['hmac-sha256', 'HMAC-SHA1', 'none', undefined]) {
      expect(verifySignedRequest(buildSignedRequest({ user_id: '1', algorithm, issued_at: 1 }, 'key'), 'key')).toEqual({
        ok: false,
        reason: 'bad_algorithm',
      });
    }
  });

  it('should reject a correctly signed payload without a string user_id', () => {
    for (const user_id of [1, '', 'abc', null, '1; DROP TABLE']) {
      expect(verifySignedRequest(buildSignedRequest({ user_id, algorithm: 'HMAC-SHA256', issued_at: 1 }, 'key'), 'key').ok).toBe(
        false,
      );
    }
    const notJson = b64('not json');
    expect(verifySignedRequest(`${sign(notJson)}.${notJson}`, 'key')).toEqual({ ok: false, reason: 'bad_payload' });
    const array = b64('[1]');
    expect(verifySignedRequest(`${sign(array)}.${array}`, 'key')).toEqual({ ok: false, reason: 'bad_payload' });
  });

  it('should reject a non-canonical base64url spelling of the same bytes', () => {
    // "QQ" decodes to "A"; "QR" decodes to "A" too but has non-zero unused bits
    expect(decodeBase64UrlStrict('QQ')?.toString()).toBe('A');
    expect(decodeBase64UrlStrict('QR')).toBeNull();
    expect(decodeBase64UrlStrict('Q')).toBeNull();
  });

  it('should reject every single-character mutation of the vector (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    fc.assert(
      fc.property(fc.nat(VECTOR.length - 1), fc.constantFrom(...alphabet), (i, ch) => {
        fc.pre(VECTOR[i] !== ch);
        const mutated = VECTOR.slice(0, i) + ch + VECTOR.slice(i + 1);
        expect(verifySignedRequest(mutated, 'key').ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('should never throw and only accept what the secret signed (property)', () => {
    const mutation = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(fc.nat(VECTOR.length), fc.nat(VECTOR.length)).map(([a, b]) => VECTOR.slice(Math.min(a, b), Math.max(a, b))),
      fc
        .tuple(fc.nat(VECTOR.length), fc.string({ minLength: 1, maxLength: 8 }))
        .map(([i, s]) => VECTOR.slice(0, i) + s + VECTOR.slice(i)),
      fc
        .uint8Array({ minLength: 0, maxLength: 64 })
        .map((sig) => `${Buffer.from(sig).toString('base64url')}.${VECTOR.split('.')[1]}`),
      fc
        .record({ user_id: fc.string(), algorithm: fc.constantFrom('HMAC-SHA256', 'HS256', 'none'), issued_at: fc.integer() })
        .map((p) => buildSignedRequest(p, 'not-key')),
    );
    fc.assert(
      fc.property(mutation, (input) => {
        fc.pre(input !== VECTOR);
        expect(verifySignedRequest(input, 'key').ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('should accept any payload signed with the secret and give it back unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.string({ minLength: 8 }),
        (id, issued, secret) => {
          const payload = { user_id: id.toString(), algorithm: 'HMAC-SHA256', issued_at: issued };
          expect(verifySignedRequest(buildSignedRequest(payload, secret), secret)).toEqual({ ok: true, payload });
        },
      ),
    );
  });
});
