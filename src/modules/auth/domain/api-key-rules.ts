/**
 * Pure rules of API keys (DESIGN.md section 10): their format, their hash, what a scope allows.
 * No Nest, no I/O.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'ark_';
/** `ark_` + 43 base64url characters (256 random bits). */
const API_KEY_PATTERN = /^ark_[A-Za-z0-9_-]{43}$/;
/** Characters shown in lists so a user can tell keys apart: `ark_` + the first 8 of the random part (48 bits, never enough to guess the rest). */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export type ApiKeyScope = 'read' | 'write';

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export function isWellFormedApiKey(token: string): boolean {
  return API_KEY_PATTERN.test(token);
}

/**
 * SHA-256, not argon2: the key is 256 random bits, so no dictionary or brute force can reach it
 * and a slow hash would buy nothing but ~20 ms of CPU and 19 MiB per request on the hot path; a
 * plain hash also lets the guard find the row by an indexed equality lookup.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(random: (n: number) => Buffer = randomBytes): NewApiKey {
  const key = `${API_KEY_PREFIX}${random(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** `["read"]` (the default) or `["read","write"]`; write implies read. */
export function normalizeScopes(scopes: ApiKeyScope[] | undefined): ApiKeyScope[] {
  return scopes?.includes('write') ? ['read', 'write'] : ['read'];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request changes state, so a read-only key may not make it: every method but
 * GET/HEAD/OPTIONS, plus routes marked as changing state although they are GETs (the OAuth
 * callback exchanges a code and stores a connection).
 */
export function changesState(method: string, markedAsChangingState: boolean): boolean {
  return markedAsChangingState || !SAFE_METHODS.has(method.toUpperCase());
}

/** last_used_at is written at most once per key per this interval (no write per request). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export function lastUsedIsStale(lastUsedAt: Date | null, now: Date): boolean {
  return !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_WRITE_INTERVAL_MS;
}
