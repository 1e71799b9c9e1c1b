/**
 * The signed, expiring URL under which Meta fetches an upload for an Instagram-Login account
 * (DESIGN.md §8): graph.instagram.com documents no resumable upload (instagram-login.md §7), so
 * the container is made with a `video_url` that serves the file. `GET /media/uploads/<id>?exp=<unix
 * seconds>&sig=<base64url HMAC-SHA256(key, "upload:<id>:<exp>")>`: unauthenticated, but only an
 * unexpired URL we signed opens the file. Pure: the key and `now` are passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How long a signed URL opens the file. Meta fetches the video while the container is
 * IN_PROGRESS, right after we create it; its guide polls for at most five minutes. A new
 * container (after EXPIRED) gets a new URL.
 */
export const UPLOAD_URL_TTL_SECONDS = 3600;

const SIG = /^[A-Za-z0-9_-]{43}$/;
const EXP = /^\d{1,12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function uploadUrlSignature(key: Buffer, uploadId: string, expiresAtSeconds: number): string {
  return createHmac('sha256', key).update(`upload:${uploadId}:${expiresAtSeconds}`, 'utf8').digest('base64url');
}

/** The query of a URL that opens `uploadId` until `now + ttl` (whole seconds). */
export function signUploadUrl(
  key: Buffer,
  uploadId: string,
  now: Date,
  ttlSeconds = UPLOAD_URL_TTL_SECONDS,
): { exp: number; sig: string } {
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return { exp, sig: uploadUrlSignature(key, uploadId, exp) };
}

export type UploadUrlVerdict = 'ok' | 'invalid' | 'expired';

/**
 * `invalid`: malformed, or not our signature for this id and expiry (compared in constant time);
 * `expired`: ours, but `exp` has passed. The signature is checked first, so the answer says
 * nothing about an id or expiry someone made up.
 */
export function checkUploadUrl(key: Buffer, uploadId: string, exp: unknown, sig: unknown, now: Date): UploadUrlVerdict {
  if (typeof exp !== 'string' || typeof sig !== 'string' || !EXP.test(exp) || !SIG.test(sig) || !UUID.test(uploadId))
    return 'invalid';
  // the strings, not decoded bytes: one signature has exactly one accepted spelling (both are 43 ASCII characters)
  const expected = Buffer.from(uploadUrlSignature(key, uploadId, Number(exp)), 'ascii');
  if (!timingSafeEqual(Buffer.from(sig, 'ascii'), expected)) return 'invalid';
  return Number(exp) * 1000 <= now.getTime() ? 'expired' : 'ok';
}
