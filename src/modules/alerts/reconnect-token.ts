import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The one-click reconnect link's token: `<accountId>.<expiresEpochSeconds>.<nonce>.<hmac>`.
 * The HMAC (key derived from SECRET_KEY) rejects forged or edited links without a database
 * read; the database keeps the SHA-256 of the whole token to make it single use.
 */
export interface ReconnectClaims {
  accountId: number;
  expiresAt: Date;
}

export function reconnectLinkKey(secretKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'autoreels', 'reconnect-link', 32));
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

export function createReconnectToken(
  key: Buffer,
  accountId: number,
  expiresAt: Date,
  nonce = randomBytes(32).toString('base64url'),
): string {
  const payload = `${accountId}.${Math.floor(expiresAt.getTime() / 1000)}.${nonce}`;
  return `${payload}.${sign(key, payload)}`;
}

/** Claims of a well-formed, correctly signed, unexpired token; null otherwise (never throws). */
export function verifyReconnectToken(key: Buffer, token: string, now: Date): ReconnectClaims | null {
  if (typeof token !== 'string' || token.length > 300) return null;
  const m = /^(\d{1,10})\.(\d{1,12})\.([\w-]{43})\.([\w-]{43})$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(key, `${m[1]}.${m[2]}.${m[3]}`));
  const given = Buffer.from(m[4]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expiresAt = new Date(Number(m[2]) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return null;
  return { accountId: Number(m[1]), expiresAt };
}

export function hashReconnectToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
