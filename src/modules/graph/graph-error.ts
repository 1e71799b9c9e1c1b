import type { GraphUsage } from './graph-usage';

/** What the caller should do about a failed Graph call (DESIGN.md §7, graph-api.md §9). */
export type GraphErrorKind = 'token-invalid' | 'permission' | 'rate-limited' | 'transient' | 'bad-request' | 'quota';

export interface GraphErrorFacts {
  code?: number;
  subcode?: number;
  httpStatus?: number;
  isTransient?: boolean;
  /** No HTTP answer at all: connection refused/reset, DNS, timeout. */
  network?: boolean;
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613, 80001, 80002]);
/** Without a regain hint, rate limits are waited out for this long (Meta's windows roll over an hour). */
export const DEFAULT_RATE_LIMIT_RETRY_MS = 5 * 60_000;

/** Pure mapping of Meta's codes to our error kinds; the order matters (most specific first). */
export function classifyGraphError(f: GraphErrorFacts): GraphErrorKind {
  const { code, subcode } = f;
  if (code === 190 || code === 102) return 'token-invalid';
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return 'permission';
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) return 'rate-limited';
  if (code === 9 || subcode === 2207042) return 'quota';
  if (f.network || f.isTransient === true || code === 1 || code === 2) return 'transient';
  // Media not ready yet (9007/2207027): polling then retrying is the documented fix.
  if (subcode === 2207027) return 'transient';
  if (f.httpStatus !== undefined && f.httpStatus >= 500) return 'transient';
  if (code === undefined && f.httpStatus === 429) return 'rate-limited';
  return 'bad-request';
}

export interface GraphErrorInit extends GraphErrorFacts {
  kind?: GraphErrorKind;
  fbtraceId?: string;
  usage?: GraphUsage;
  retryAfterMs?: number;
  operation?: string;
}

/**
 * A failed Graph call in our terms. The message is built from Meta's message and our operation
 * name only; callers must never pass a token into it (MetaGraphApiClient also redacts).
 */
export class GraphError extends Error {
  readonly kind: GraphErrorKind;
  readonly code?: number;
  readonly subcode?: number;
  readonly httpStatus?: number;
  readonly isTransient?: boolean;
  readonly retryAfterMs?: number;
  readonly fbtraceId?: string;
  readonly usage?: GraphUsage;
  readonly operation?: string;

  constructor(message: string, init: GraphErrorInit = {}) {
    super(message);
    this.name = 'GraphError';
    this.kind = init.kind ?? classifyGraphError(init);
    this.code = init.code;
    this.subcode = init.subcode;
    this.httpStatus = init.httpStatus;
    this.isTransient = init.isTransient;
    this.fbtraceId = init.fbtraceId;
    this.usage = init.usage;
    this.operation = init.operation;
    this.retryAfterMs = init.retryAfterMs ?? retryAfterFor(this.kind, init.usage);
  }

  /** Meta says retrying can succeed without the user doing anything. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate-limited' || this.kind === 'quota';
  }
}

function retryAfterFor(kind: GraphErrorKind, usage: GraphUsage | undefined): number | undefined {
  if (usage && usage.regainAccessMinutes > 0) return usage.regainAccessMinutes * 60_000;
  return kind === 'rate-limited' ? DEFAULT_RATE_LIMIT_RETRY_MS : undefined;
}
