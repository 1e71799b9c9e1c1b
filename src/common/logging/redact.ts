import { unescape } from 'node:querystring';

/** Query parameters whose values must never reach a log line. */
const SECRET_PARAMS = [
  'code',
  'state',
  'access_token',
  'input_token',
  'fb_exchange_token',
  'client_secret',
  'appsecret_proof',
  'token',
  'signed_request',
  'hub.verify_token',
  // the signature of an upload URL Meta fetches (GET /media/uploads/:id?exp&sig): the URL is a credential
  'sig',
];

/**
 * Replaces the values of secret query parameters in a URL or path with `[REDACTED]`. Keys are
 * decoded the way Express's query parser decodes them (`querystring.unescape`, lenient: a
 * malformed `%` never throws), so `%73tate` is redacted like `state`.
 */
/** Path prefixes whose next segment is a bearer secret (the e-mailed reconnect link's token). */
const SECRET_PATH_PREFIXES = ['/social/reconnect/'];

export function redactUrl(url: string): string {
  for (const prefix of SECRET_PATH_PREFIXES) {
    // routes match case-insensitively, so the redaction does too
    if (url.toLowerCase().startsWith(prefix)) url = `${prefix}[REDACTED]${url.slice(prefix.length).replace(/^[^?#]*/, '')}`;
  }
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const [k] = pair.split('=');
      return SECRET_PARAMS.includes(unescape(k.replace(/\+/g, ' ')).toLowerCase()) ? `${k}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** pino redact paths: headers, bodies and errors that may carry credentials. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.client_secret',
  '*.state',
  '*.code',
];
