import { checkResolvedAddresses, checkTargetUrl, isPublicAddress } from './webhook-target';

describe('webhook-target', () => {
  it.each([
    ['93.184.216.34', true],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['127.9.9.9', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['169.254.169.254', false], // cloud metadata
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['::ffff:7f00:1', false],
    ['::ffff:808:808', true],
    ['[::1]', false],
    ['not-an-ip', false],
  ])('should say %s is public: %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it.each([
    // guard on (production)
    ['https://hooks.example.com/autoreels', true, true],
    ['http://hooks.example.com/autoreels', true, false],
    ['https://127.0.0.1/x', true, false],
    ['https://[::1]/x', true, false],
    ['https://[::ffff:127.0.0.1]/x', true, false],
    ['https://169.254.169.254/latest/meta-data', true, false],
    ['https://10.0.0.5:8443/x', true, false],
    ['https://localhost/x', true, false],
    ['https://api.localhost/x', true, false],
    ['https://printer.local/x', true, false],
    ['https://intranet/x', true, false],
    ['https://user:pass@hooks.example.com/x', true, false],
    ['https://93.184.216.34/x', true, true],
    ['ftp://hooks.example.com/x', true, false],
    ['not a url', true, false],
    // guard off (development, tests): http and loopback allowed, still no credentials or odd schemes
    ['http://127.0.0.1:4000/hook', false, true],
    ['http://localhost:4000/hook', false, true],
    ['https://user:pass@example.com/x', false, false],
    ['file:///etc/passwd', false, false],
  ])('should judge %s (guard %s): ok %s', (url, guard, ok) => {
    expect(checkTargetUrl(url, { guard }).ok).toBe(ok);
  });

  it.each([
    [['93.184.216.34'], true, true],
    [['93.184.216.34', '10.0.0.1'], true, false], // one bad answer is enough to refuse
    [['127.0.0.1'], true, false],
    [[], true, false],
    [['127.0.0.1'], false, true],
  ])('should judge resolved addresses %j (guard %s): ok %s', (addresses, guard, ok) => {
    expect(checkResolvedAddresses(addresses, { guard }).ok).toBe(ok);
  });
});
