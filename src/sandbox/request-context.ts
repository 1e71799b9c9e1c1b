import type { Request, Response } from 'express';

/** Per-request facts set by the sandbox's front middleware. */
export interface SandboxLocals {
  version: string;
  /** True when the request path carried a version prefix. */
  versioned: boolean;
  traceId: string;
  faultId?: string;
}

export function locals(res: Response): SandboxLocals {
  return res.locals as SandboxLocals;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    // Repeated query keys: Meta takes the first; JSON arrays (e.g. subscribed_fields) are comma lists.
    return v.every((x) => typeof x === 'string' || typeof x === 'number') ? v.map(String).join(',') : undefined;
  }
  return undefined;
}

/** Query string and body (form or JSON) merged, body winning, as Meta accepts parameters in either. */
export function requestParams(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (src: unknown, firstOnly: boolean): void => {
    if (!src || typeof src !== 'object') return;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const s = firstOnly && Array.isArray(v) ? scalar(v[0]) : scalar(v);
      if (s !== undefined) out[k] = s;
    }
  };
  add(req.query, true);
  add(req.body, false);
  return out;
}

/** The token from `access_token` or an `Authorization: Bearer|OAuth <token>` header. */
export function tokenFrom(req: Request, params: Record<string, string>): string | undefined {
  if (params.access_token) return params.access_token;
  const header = req.get('authorization');
  const m = header ? /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}

export function originOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
