/**
 * Stripe-style signatures (DESIGN.md section 10): `X-AutoReels-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<raw body>")>`. Pure.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-AutoReels-Signature';
export const EVENT_HEADER = 'X-AutoReels-Event';
export const DELIVERY_HEADER = 'X-AutoReels-Delivery';
/** How old a signature a receiver should accept (the README's snippet uses it). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `whsec_` + 256 random bits. */
export function generateWebhookSecret(random: (n: number) => Buffer = randomBytes): string {
  return `whsec_${random(32).toString('base64url')}`;
}

export function signatureHeader(secret: string, timestampSeconds: number, rawBody: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

/** The receiver's side, used by our tests: constant-time, with a freshness window. */
export function verifySignature(
  secret: string,
  header: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, t, rawBody).split('v1=')[1], 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
