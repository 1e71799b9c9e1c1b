import { checkUploadUrl, signUploadUrl, uploadUrlSignature, UPLOAD_URL_TTL_SECONDS } from './upload-url';

describe('upload-url', () => {
  const key = Buffer.alloc(32, 7);
  const id = '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90';
  const now = new Date('2026-12-01T12:00:00.000Z');
  const { exp, sig } = signUploadUrl(key, id, now);

  it('should sign for the TTL from now, in whole seconds, with a 43-character base64url HMAC', () => {
    expect(exp).toBe(Math.floor(now.getTime() / 1000) + UPLOAD_URL_TTL_SECONDS);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sig).toBe(uploadUrlSignature(key, id, exp));
  });

  it.each([
    ['the URL as signed, before it expires', id, String(exp), sig, now, 'ok'],
    ['one second before expiry', id, String(exp), sig, new Date((exp - 1) * 1000), 'ok'],
    ['at its expiry', id, String(exp), sig, new Date(exp * 1000), 'expired'],
    ['another upload id', '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c91', String(exp), sig, now, 'invalid'],
    ['a later exp (extended by hand)', id, String(exp + 3600), sig, now, 'invalid'],
    ['another key', id, String(exp), uploadUrlSignature(Buffer.alloc(32, 8), id, exp), now, 'invalid'],
    ['a signature one character off', id, String(exp), `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, now, 'invalid'],
    ['a truncated signature', id, String(exp), sig.slice(0, 42), now, 'invalid'],
    ['no signature', id, String(exp), undefined, now, 'invalid'],
    ['a repeated query key (an array)', id, String(exp), [sig, sig], now, 'invalid'],
    ['a non-numeric exp', id, 'soon', sig, now, 'invalid'],
    ['a path that is not an upload id', '../etc/passwd', String(exp), sig, now, 'invalid'],
  ])('should judge %s', (_what, uploadId, e, s, at, expected) => {
    expect(checkUploadUrl(key, uploadId, e, s, at)).toBe(expected);
  });

  it('should not call an expired URL with a forged signature "expired"', () => {
    expect(checkUploadUrl(key, id, '1', uploadUrlSignature(Buffer.alloc(32, 9), id, 1), now)).toBe('invalid');
    expect(checkUploadUrl(key, id, '1', uploadUrlSignature(key, id, 1), now)).toBe('expired');
  });
});
