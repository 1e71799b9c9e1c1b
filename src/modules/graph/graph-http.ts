import http from 'node:http';
import https from 'node:https';
import type { HeaderSource } from './graph-usage';

/**
 * HTTP for Meta's JSON endpoints on node:http with keep-alive agents, instead of fetch: a
 * routine check is one small request, and fetch's WHATWG layer (Request/Response/Headers objects,
 * web streams, an AbortSignal per call) cost the worker more CPU than the rest of the check
 * together (profiled: ~30% of its CPU per check). Connections are reused like fetch reuses them;
 * an idle one closes after IDLE_SOCKET_MS, or earlier when the server announces a shorter
 * `Keep-Alive: timeout` (Node's agent then closes it a second before the server would).
 * Nothing here knows Graph: the clients interpret the answer.
 */

/** Like undici's (fetch's) default keep-alive timeout when the server announces none. */
const IDLE_SOCKET_MS = 4_000;

const AGENTS: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

export interface HttpAnswer {
  status: number;
  /** 2xx, like fetch's `Response.ok`. */
  ok: boolean;
  /** Case-insensitive, repeated headers joined with ", " (as fetch's `Headers.get`). */
  headers: HeaderSource;
  text: string;
}

/** No answer: the request timed out (`timedOut`) or the connection failed (`code`, e.g. ECONNREFUSED). */
export class HttpCallError extends Error {
  constructor(
    readonly timedOut: boolean,
    readonly code?: string,
  ) {
    super(timedOut ? 'request timed out' : `network error${code ? ` (${code})` : ''}`);
    this.name = 'HttpCallError';
  }
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  /** For the whole call: connecting, sending, and reading the answer to its end. */
  timeoutMs: number;
}

function headerSource(headers: http.IncomingHttpHeaders): HeaderSource {
  return {
    get(name: string): string | null {
      const v = headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

/** One request; resolves with the whole answer (any status), rejects with HttpCallError only. */
export function httpCall(url: string, call: HttpCall): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new HttpCallError(false, 'ERR_INVALID_URL'));
      return;
    }
    const agent = AGENTS[target.protocol];
    if (!agent) {
      reject(new HttpCallError(false, 'ERR_UNSUPPORTED_PROTOCOL'));
      return;
    }
    let settled = false;
    let timedOut = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
      reject(new HttpCallError(timedOut, typeof code === 'string' ? code : undefined));
    };
    const headers =
      call.body === undefined ? call.headers : { ...call.headers, 'Content-Length': String(Buffer.byteLength(call.body)) };
    const req = (target.protocol === 'https:' ? https : http).request(target, { method: call.method, headers, agent }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', fail);
      // the connection closed before the whole answer came (after 'end', this is a no-op)
      res.on('close', () => {
        if (!res.complete) fail(undefined);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, headers: headerSource(res.headers), text });
      });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
      fail(undefined);
    }, call.timeoutMs);
    req.on('error', fail);
    req.end(call.body);
  });
}
