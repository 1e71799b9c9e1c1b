import { GraphError } from './graph-error';
import type { GraphCallObserver } from './graph-call-observer';
import { HttpCallError, httpCall, type HttpAnswer, type HttpCall } from './graph-http';
import type { TokenGrant } from './graph-api.client';

/**
 * What both Meta clients (Facebook's graph.facebook.com, Instagram Login's graph.instagram.com
 * and api.instagram.com) do the same way around one call: send it, turn "no answer" into a
 * network GraphError, parse the JSON, read loosely typed fields, scrub secrets from Meta's
 * messages, report the call to the observer. Each client keeps only what differs: how it
 * authenticates and how it reads Meta's error envelopes.
 */

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Meta sends ids as strings or numbers: both read as a string. */
export function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function optNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** An answer: the HTTP response, its body as JSON (undefined when empty), and whether it parsed. */
export interface JsonAnswer {
  response: HttpAnswer;
  body: unknown;
  parsed: boolean;
}

/**
 * One call; any HTTP status resolves. No answer at all (timeout, refused, reset) throws a
 * network GraphError `${label} ${operation} timed out after N ms` / `failed: network error (CODE)`.
 * `label` names the API in messages ("Graph", "Instagram"); nothing of the URL ever does.
 */
export async function callJson(label: string, operation: string, url: string, call: HttpCall): Promise<JsonAnswer> {
  let response: HttpAnswer;
  try {
    response = await httpCall(url, call);
  } catch (err) {
    const timedOut = err instanceof HttpCallError && err.timedOut;
    const cause = err instanceof HttpCallError ? err.code : undefined;
    throw new GraphError(
      timedOut
        ? `${label} ${operation} timed out after ${call.timeoutMs} ms`
        : `${label} ${operation} failed: network error${cause ? ` (${cause})` : ''}`,
      { network: true, operation },
    );
  }
  const { body, parsed } = parseJson(response.text);
  return { response, body, parsed };
}

export function parseJson(text: string): { body: unknown; parsed: boolean } {
  if (text === '') return { body: undefined, parsed: true };
  try {
    return { body: JSON.parse(text) as unknown, parsed: true };
  } catch {
    return { body: undefined, parsed: false };
  }
}

/**
 * Belt and braces: Meta's messages should never echo a token, but if one ever does it stops
 * here. The given secrets go, then anything shaped like a Meta user/app token or app token.
 */
export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out.replace(/(EAA|IGAA)[A-Za-z0-9_-]{10,}/g, '[redacted]').replace(/\b\d{6,}\|[A-Za-z0-9_-]{10,}/g, '[redacted]');
}

/** `{access_token, expires_in?}` from a token endpoint; `malformed` when it is not that shape. */
export function tokenGrant(body: unknown, malformed: () => GraphError): TokenGrant {
  const accessToken = isObject(body) ? optString(body.access_token) : undefined;
  if (!isObject(body) || !accessToken) throw malformed();
  const expiresIn = optNumber(body.expires_in);
  return expiresIn !== undefined ? { accessToken, expiresInSeconds: expiresIn } : { accessToken };
}

/** Reports a finished call to the observer, if any; metrics never break a Graph call. */
export function observeCall(
  observer: GraphCallObserver | undefined,
  operation: string,
  started: number,
  error?: GraphError,
): void {
  if (!observer) return;
  try {
    observer.onCall({ operation, durationMs: Date.now() - started, outcome: error ? error.kind : 'ok', code: error?.code });
  } catch {
    // metrics never break a call
  }
}
