import { redactUrl } from './redact';

describe('redactUrl', () => {
  it('should redact secret parameters and keep the others', () => {
    expect(redactUrl('/social/facebook/callback?code=abc&state=def&x=1')).toBe(
      '/social/facebook/callback?code=[REDACTED]&state=[REDACTED]&x=1',
    );
    expect(redactUrl('/webhooks/instagram?hub.verify_token=s&hub.challenge=1')).toBe(
      '/webhooks/instagram?hub.verify_token=[REDACTED]&hub.challenge=1',
    );
  });

  it('should redact the signature of an upload URL and keep its expiry', () => {
    expect(redactUrl('/media/uploads/3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90?exp=1796126400&sig=abcDEF_-123')).toBe(
      '/media/uploads/3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90?exp=1796126400&sig=[REDACTED]',
    );
  });

  it('should redact the token of an e-mailed reconnect link, whatever the case of the path', () => {
    expect(redactUrl('/social/reconnect/12.1799999999.nonce.sig')).toBe('/social/reconnect/[REDACTED]');
    expect(redactUrl('/Social/Reconnect/12.1799999999.nonce.sig?utm=mail')).toBe('/social/reconnect/[REDACTED]?utm=mail');
    expect(redactUrl('/social/accounts/12')).toBe('/social/accounts/12');
  });

  it('should redact a key however it is percent-encoded or cased', () => {
    expect(redactUrl('/x?%73tate=secret&CODE=secret')).toBe('/x?%73tate=[REDACTED]&CODE=[REDACTED]');
  });

  it.each(['/health?%=1', '/x?a=%E0%A4%A&state%=s', '/x?%FF=1&code=c', '/x?%ED%A0%80'])(
    'should never throw on a malformed percent-encoding (%s)',
    (url) => {
      expect(() => redactUrl(url)).not.toThrow();
    },
  );

  it('should still redact next to a malformed parameter', () => {
    expect(redactUrl('/x?%=1&state=secret')).toBe('/x?%=1&state=[REDACTED]');
  });

  it('should leave a URL without a query alone', () => {
    expect(redactUrl('/health')).toBe('/health');
  });
});
