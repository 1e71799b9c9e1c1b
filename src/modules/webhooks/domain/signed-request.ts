import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta's `signed_request` (deauthorize and data-deletion callbacks, graph-api.md §12):
 * `base64url(HMAC-SHA256(app_secret, payloadB64)) + "." + payloadB64`, no padding, where
 * payloadB64 is the base64url JSON payload exactly as sent. Pure: no Nest, no I/O.
 */
export interface SignedRequestPayload {
  /** App-scoped Facebook user id (the `user_id` debug_token and /me gave us). */
  user_id: string;
  algorithm: 'HMAC-SHA256';
  issued_at: number;
  /** Data-deletion requests only. */
  expires?: number;
  [extra: string]: unknown;
}

export type SignedRequestFailure = 'malformed' | 'bad_signature' | 'bad_algorithm' | 'bad_payload';

export type SignedRequestResult = { ok: true; payload: SignedRequestPayload } | { ok: false; reason: SignedRequestFailure };

/** Longer than any real signed_request; keeps hashing of hostile input bounded. */
export const MAX_SIGNED_REQUEST_LENGTH = 8192;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Strict unpadded base64url: alphabet only, no impossible length, and canonical (the unused low
 * bits of the last character are zero), so one byte string has exactly one accepted spelling.
 */
export function decodeBase64UrlStrict(s: string): Buffer | null {
  if (!s || !BASE64URL.test(s) || s.length % 4 === 1) return null;
  const buf = Buffer.from(s, 'base64url');
  return buf.toString('base64url') === s ? buf : null;
}

export function signPayloadSegment(payloadB64: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payloadB64, 'utf8').digest();
}

/** Builds a signed_request the way Meta does (used by the sandbox and the tests). */
export function buildSignedRequest(payload: Record<string, unknown>, secret: string): string {
  const payloadB64 = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${signPayloadSegment(payloadB64, secret).toString('base64url')}.${payloadB64}`;
}

/**
 * Verifies signature (constant time, over the payload segment as sent) before looking at the
 * payload at all, then checks `algorithm` and the shape of `user_id`.
 */
export function verifySignedRequest(input: unknown, secret: string): SignedRequestResult {
  if (typeof input !== 'string' || input.length > MAX_SIGNED_REQUEST_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = input.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [sigB64, payloadB64] = parts;
  const signature = decodeBase64UrlStrict(sigB64);
  const payloadBytes = decodeBase64UrlStrict(payloadB64);
  if (!signature || !payloadBytes) return { ok: false, reason: 'malformed' };
  const expected = signPayloadSegment(payloadB64, secret);
  // timingSafeEqual needs equal lengths; a wrong length is a wrong signature, not a crash
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected))
    return { ok: false, reason: 'bad_signature' };

  let payload: unknown;
  try {
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_payload' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'bad_payload' };
  const p = payload as Record<string, unknown>;
  if (p.algorithm !== 'HMAC-SHA256') return { ok: false, reason: 'bad_algorithm' };
  if (typeof p.user_id !== 'string' || !/^\d{1,64}$/.test(p.user_id)) return { ok: false, reason: 'bad_payload' };
  if (p.issued_at !== undefined && typeof p.issued_at !== 'number') return { ok: false, reason: 'bad_payload' };
  return { ok: true, payload: p as SignedRequestPayload };
}
