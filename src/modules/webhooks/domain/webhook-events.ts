/**
 * Reading Meta's webhook bodies (graph-api.md §12): which entries they concern and which
 * permission revocations matter to a connection. Pure: no Nest, no I/O.
 */
export interface PermissionRevocation {
  /** App-scoped Facebook user id (`entry.uid`, else `entry.id`). */
  fbUserId: string;
  permission: string;
  /** Pages / IG accounts the revocation is limited to; empty = the whole grant. */
  targetIds: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | null =>
  typeof v === 'string' && v ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null;

function entries(body: unknown): Record<string, unknown>[] {
  return isObject(body) && Array.isArray(body.entry) ? body.entry.filter(isObject) : [];
}

export function objectOf(body: unknown): string {
  return isObject(body) && typeof body.object === 'string' ? body.object.slice(0, 32) : 'unknown';
}

/** Every id an entry names (`id`, `uid`): what a data-deletion request matches stored deliveries by. */
export function entryIds(body: unknown): string[] {
  const ids = new Set<string>();
  for (const e of entries(body)) {
    for (const k of ['id', 'uid']) {
      const id = idOf(e[k]);
      if (id) ids.add(id);
    }
  }
  return [...ids].slice(0, 100);
}

/** `object: "permissions"` changes with verb `revoked` for one of `scopes`. */
export function permissionRevocations(body: unknown, scopes: readonly string[]): PermissionRevocation[] {
  if (objectOf(body) !== 'permissions') return [];
  const out: PermissionRevocation[] = [];
  for (const e of entries(body)) {
    const fbUserId = idOf(e.uid) ?? idOf(e.id);
    if (!fbUserId || !Array.isArray(e.changes)) continue;
    for (const c of e.changes.filter(isObject)) {
      const field = typeof c.field === 'string' ? c.field : '';
      const value = isObject(c.value) ? c.value : {};
      if (value.verb !== 'revoked' || !scopes.includes(field)) continue;
      const targetIds = Array.isArray(value.target_ids) ? value.target_ids.map(idOf).filter((x): x is string => !!x) : [];
      out.push({ fbUserId, permission: field, targetIds });
    }
  }
  return out;
}

const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

/**
 * A copy that PostgreSQL can store: JSON may carry `\ud83d` alone or `\u0000`, which jsonb and
 * text refuse (a signed delivery would then fail on every one of Meta's retries and be lost).
 * Both become U+FFFD, in keys and values; the signature was already checked on the raw bytes.
 */
export function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE_OR_NUL, '\uFFFD');
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  }
  return value;
}
