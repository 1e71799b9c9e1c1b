import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from './domain-error';
import { ErrorCode, statusOf } from './error-codes';

/**
 * Bad input refused where it enters, before it can become a 500 deeper down: a query string
 * that does not decode or names a parameter twice, a JSON body nested deep enough to overflow
 * the recursive code that walks it (ValidationPipe, class-transformer, JSON.stringify), and JSON
 * strings PostgreSQL cannot store (lone UTF-16 surrogates, NUL) or validator.js chokes on
 * (`isEmail` throws URIError on a lone surrogate).
 */

/** Far deeper than any body this API or Meta sends, far shallower than a stack overflow. */
export const MAX_JSON_DEPTH = 64;

/**
 * A DomainError that body-parser's `verify` hook can throw: body-parser wraps it with
 * http-errors, which keeps a 4xx `status` of its own (otherwise it would make it a 403) and
 * the `type`; the filter answers it like any DomainError.
 */
function inputError(code: ErrorCode, message: string, type: string): DomainError {
  return Object.assign(new DomainError(code, message), { status: statusOf(code), expose: true, type });
}

/** Strict: `+` is a space, every `%` starts a valid UTF-8 escape. Null when it does not decode. */
function decodeComponent(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * What is wrong with a raw query string (without the `?`), or null. Every parameter of this
 * API is a single value: one given twice is ambiguous (HTTP parameter pollution; Express would
 * hand the route an array), so it is refused rather than resolved by picking one.
 */
export function queryProblem(search: string): string | null {
  const seen = new Set<string>();
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    if (key === null || value === null) return 'The query string has a malformed percent-encoding.';
    if (seen.has(key)) return `The query parameter '${key.slice(0, 40)}' is given more than once.`;
    seen.add(key);
  }
  return null;
}

type Next = (err?: unknown) => void;

/** Express middleware: 400 MALFORMED_QUERY for a query string `queryProblem` refuses. */
export function rejectMalformedQuery(req: IncomingMessage, _res: ServerResponse, next: Next): void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const problem = q < 0 ? null : queryProblem(url.slice(q + 1));
  next(problem ? new DomainError(ErrorCode.MALFORMED_QUERY, problem) : undefined);
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** The code unit of the four hex digits at `at`, or -1 when they are not four hex digits. */
function hex4(buf: Buffer, at: number): number {
  const digits = buf.toString('latin1', at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : -1;
}

const LONE_SURROGATE = {
  code: ErrorCode.INVALID_CHARACTERS,
  message: 'Text in the request body is not valid Unicode (a lone UTF-16 surrogate).',
};

/**
 * One pass over a UTF-8 JSON text before it is parsed: its nesting depth, and (`checkText`)
 * the `\u` escapes that decode to a lone surrogate or to NUL. Raw bytes cannot produce either
 * (invalid UTF-8 decodes to U+FFFD, a raw control character is a syntax error). Invalid JSON
 * is left to JSON.parse; the scan only has to be right for valid JSON and never throw.
 */
export function jsonBodyProblem(
  buf: Buffer,
  opts: { maxDepth: number; checkText: boolean },
): { code: ErrorCode; message: string } | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) {
        if (buf[i + 1] === 0x75 /* u */ && opts.checkText) {
          const unit = hex4(buf, i + 2);
          if (unit === 0) {
            return { code: ErrorCode.INVALID_CHARACTERS, message: 'Text in the request body contains a NUL character.' };
          }
          if (unit >= 0xd800 && unit <= 0xdbff) {
            const low = buf[i + 6] === BACKSLASH && buf[i + 7] === 0x75 ? hex4(buf, i + 8) : -1;
            if (low < 0xdc00 || low > 0xdfff) return LONE_SURROGATE;
            i += 11; // both escapes
            continue;
          }
          if (unit >= 0xdc00 && unit <= 0xdfff) return LONE_SURROGATE;
        }
        i++; // the escaped character (the rest of a \uXXXX is plain hex)
      }
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > opts.maxDepth) {
        return {
          code: ErrorCode.BODY_TOO_DEEP,
          message: `The request body is nested more than ${opts.maxDepth} levels deep.`,
        };
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}

type RawBodyRequest = IncomingMessage & { rawBody?: Buffer };

/**
 * body-parser `verify` hook for JSON: keeps the raw bytes as `req.rawBody` (what Nest's
 * `rawBody: true` does, which this hook replaces: X-Hub-Signature is computed over them) and
 * refuses, before parsing, a body that is not UTF-8 (RFC 8259 §8.1), too deep, or (with
 * `checkText`) carries text PostgreSQL cannot store.
 */
export function verifyJson(opts: { maxDepth: number; checkText: boolean }) {
  return (req: RawBodyRequest, _res: ServerResponse, buf: Buffer, encoding: string | null): void => {
    req.rawBody = buf;
    if (encoding && encoding.toLowerCase() !== 'utf-8') {
      throw inputError(
        ErrorCode.UNSUPPORTED_ENCODING,
        `JSON must be sent as UTF-8, not ${encoding.slice(0, 20)}.`,
        'charset.unsupported',
      );
    }
    const problem = jsonBodyProblem(buf, opts);
    if (problem) throw inputError(problem.code, problem.message, 'entity.verify.failed');
  };
}

/** body-parser `verify` hook for the other parsers: only keeps the raw bytes. */
export function keepRawBody(req: RawBodyRequest, _res: ServerResponse, buf: Buffer): void {
  req.rawBody = buf;
}
