/**
 * Where a webhook may be sent (SSRF protection, DESIGN.md section 10). With the guard on (the
 * default in production): https only, no credentials in the URL, and no private, loopback,
 * link-local, CGNAT, multicast or otherwise reserved address — checked on the URL when the
 * endpoint is saved, and on every address DNS gives at send time (the connection then goes to
 * the address that was checked, so a rebinding DNS cannot swap it). Pure.
 */
import { BlockList, isIP } from 'node:net';

export interface TargetRules {
  /** WEBHOOK_SSRF_GUARD: https only and public addresses only. */
  guard: boolean;
}

export type TargetVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds IPv4)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds IPv4)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, as DNS or a URL gives it) is one the public internet routes. */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 4) return !blocked.check(ip, 'ipv4');
  if (family === 6) {
    // IPv4-mapped, dotted (::ffff:127.0.0.1) or as the URL parser writes it (::ffff:7f00:1)
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return isPublicAddress(mapped[1]);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
    if (hex) {
      const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
      return isPublicAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return !blocked.check(ip, 'ipv6');
  }
  return false;
}

/** The URL as given by the user: syntax, scheme, and (guard on) no literal non-public address or local name. */
export function checkTargetUrl(raw: string, rules: TargetRules): TargetVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'The URL is not valid.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'The URL must be http(s).' };
  if (url.username || url.password) return { ok: false, reason: 'The URL must not contain credentials.' };
  if (!rules.guard) return { ok: true, url };
  if (url.protocol !== 'https:') return { ok: false, reason: 'The URL must use https.' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host)) {
    return isPublicAddress(host) ? { ok: true, url } : { ok: false, reason: 'The URL points to a private or reserved address.' };
  }
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host.endsWith('.internal') ||
    !host.includes('.')
  ) {
    return { ok: false, reason: 'The URL points to a local host name.' };
  }
  return { ok: true, url };
}

/** Send time: every address the host resolved to must be public (guard on). */
export function checkResolvedAddresses(addresses: string[], rules: TargetRules): { ok: true } | { ok: false; reason: string } {
  if (!rules.guard) return { ok: true };
  if (addresses.length === 0) return { ok: false, reason: 'The host name did not resolve.' };
  const bad = addresses.find((a) => !isPublicAddress(a));
  return bad ? { ok: false, reason: 'The host name resolves to a private or reserved address.' } : { ok: true };
}
