import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>` on Meta's webhook POSTs
 * (graph-api.md §12). Verified over the exact bytes received: re-serialised JSON differs from
 * Meta's escaped form as soon as a name is non-ASCII. Pure: no Nest, no I/O.
 */
const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

export function hubSignature256(raw: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export function verifyHubSignature(raw: Buffer | undefined, header: unknown, secret: string): boolean {
  if (!raw || typeof header !== 'string') return false;
  const m = HEADER.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1], 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time string comparison for secrets of any length (both sides hashed to 32 bytes first). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** The idempotency key of a delivery: replays and concurrent duplicates carry the same bytes. */
export function deliveryKey(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}
