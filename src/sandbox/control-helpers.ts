import type { Request } from 'express';

/** A control-API failure: rendered as `{ "error": "<message>" }` with its HTTP status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function body(req: Request): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
}

export function str(v: unknown, name: string, required: true): string;
export function str(v: unknown, name: string, required?: false): string | undefined;
export function str(v: unknown, name: string, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new ControlError(400, `${name} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new ControlError(400, `${name} must be a string`);
  return String(v);
}

export function num(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new ControlError(400, `${name} must be a number`);
  return n;
}

export function bool(v: unknown, name: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ControlError(400, `${name} must be a boolean`);
  return v;
}
