import http from 'node:http';
import { Router } from 'express';
import { SandboxGraphError } from './errors';
import { requestParams } from './request-context';

/**
 * Meta's batch request: `POST /{v}/` (or `/`) with `batch=[{method, relative_url, body?}, …]`
 * (at most 50) and a top-level `access_token` (plus `appsecret_proof`) that parts without their
 * own token use. Meta answers 200 with one `{code, headers, body}` per part, `body` being the
 * part's JSON as a string, in order; each part is a Graph call of its own (rate limits, usage,
 * and here: faults and the calls log, where parts carry `batch: true`). Parts run in parallel
 * (no `depends_on`/JSONPath support). `include_headers=false` drops the headers.
 */
const MAX_PARTS = 50;
export const BATCH_PART_HEADER = 'x-sandbox-batch-part';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/**
 * Parts are answered by this same server over loopback, so each one passes the front door
 * (faults, calls log) like a call of its own. node:http with a keep-alive agent rather than
 * fetch: under the worker bench a batch arrives every few ms, and fetch's WHATWG layers made the
 * sandbox, which shares the cores with the worker it measures, the slowest part of a check.
 */
const LOOPBACK = new http.Agent({ keepAlive: true, timeout: 4_000 });

interface PartAnswer {
  code: number;
  headers: Array<{ name: string; value: string }>;
  body: string;
}

function callPart(url: URL, method: string, body: string | undefined): Promise<PartAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { [BATCH_PART_HEADER]: '1' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const req = http.request(url, { method, headers, agent: LOOPBACK }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          code: res.statusCode ?? 0,
          headers: Object.entries(res.headers)
            .filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name))
            .map(([name, value]) => ({ name, value: Array.isArray(value) ? value.join(', ') : String(value) })),
          body: text,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface BatchPart {
  method: string;
  relative_url: string;
  body?: string;
}

function parseBatch(raw: string | undefined): BatchPart[] {
  let parsed: unknown;
  try {
    parsed = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as BatchPart).method === 'string' &&
        typeof (p as BatchPart).relative_url === 'string' &&
        ((p as BatchPart).body === undefined || typeof (p as BatchPart).body === 'string'),
    );
  if (!valid)
    throw new SandboxGraphError(400, { message: '(#100) The parameter batch must be a JSON array of requests', code: 100 });
  if ((parsed as BatchPart[]).length > MAX_PARTS) {
    throw new SandboxGraphError(400, {
      message: `(#1) Too many requests in batch message. Maximum batch size is ${MAX_PARTS}`,
      code: 1,
    });
  }
  return parsed as BatchPart[];
}

export function batchRoutes(): Router {
  const router = Router();
  router.post('/', async (req, res, next) => {
    const p = requestParams(req);
    if (p.batch === undefined) return next();
    const parts = parseBatch(p.batch);
    const self = `http://127.0.0.1:${req.socket.localPort}/${res.locals.version as string}`;
    const answers = await Promise.all(
      parts.map(async (part) => {
        const url = new URL(`${self}/${part.relative_url.replace(/^\/+/, '')}`);
        if (!url.searchParams.has('access_token') && p.access_token) {
          url.searchParams.set('access_token', p.access_token);
          if (p.appsecret_proof && !url.searchParams.has('appsecret_proof'))
            url.searchParams.set('appsecret_proof', p.appsecret_proof);
        }
        const method = part.method.toUpperCase();
        const r = await callPart(url, method, method === 'GET' || method === 'DELETE' ? undefined : (part.body ?? ''));
        return { code: r.code, ...(p.include_headers === 'false' ? {} : { headers: r.headers }), body: r.body };
      }),
    );
    res.json(answers);
  });
  return router;
}
