/**
 * Pure connection-lifecycle rules (DESIGN.md section 5): expiry, status, when to check next.
 * What a Graph failure means is in graph-failure-policy.ts; which alert is due in alerts/domain. No Nest, no TypeORM, no I/O: `now` is always
 * passed in, so every rule is tested table-driven.
 */

export type ConnectionState = 'active' | 'expiring' | 'needs_reconnect' | 'revoked' | 'disconnected';

export interface LifecycleSettings {
  /** TOKEN_REFRESH_WINDOW_DAYS: inside it, accounts are checked more often. */
  refreshWindowDays: number;
  /** ALERT_THRESHOLDS_DAYS, largest first (e.g. [14, 7, 2]). */
  alertThresholdsDays: number[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The earliest moment the connection stops working without the user: null when nothing expires. */
export function connectionExpiry(parts: {
  userTokenExpiresAt: Date | null;
  pageTokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
}): Date | null {
  const times = [parts.userTokenExpiresAt, parts.pageTokenExpiresAt, parts.dataAccessExpiresAt]
    .filter((d): d is Date => d instanceof Date)
    .map((d) => d.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

/** Whole days left (rounded down); negative once expired; null when it never expires. */
export function daysUntil(expiresAt: Date | null, now: Date): number | null {
  if (!expiresAt) return null;
  return Math.floor((expiresAt.getTime() - now.getTime()) / DAY);
}

/** The status a healthy (valid) connection shows, from its expiry alone. */
export function statusForValid(expiresAt: Date | null, now: Date, s: LifecycleSettings): ConnectionState {
  if (!expiresAt) return 'active';
  if (expiresAt.getTime() <= now.getTime()) return 'needs_reconnect';
  const warnDays = Math.max(...s.alertThresholdsDays, s.refreshWindowDays);
  return expiresAt.getTime() - now.getTime() <= warnDays * DAY ? 'expiring' : 'active';
}

/**
 * When the account is next due for a check: daily; every 6 hours inside the refresh window; never
 * later than the next alert threshold crossing or the expiry itself (so an alert is never a day
 * late); null for connections only the user can revive.
 */
export function nextCheckAt(state: ConnectionState, expiresAt: Date | null, now: Date, s: LifecycleSettings): Date | null {
  if (state === 'needs_reconnect' || state === 'revoked' || state === 'disconnected') return null;
  const t = now.getTime();
  let next = t + DAY;
  if (expiresAt) {
    const e = expiresAt.getTime();
    if (e - t <= s.refreshWindowDays * DAY) next = t + 6 * HOUR;
    const crossings = [...s.alertThresholdsDays.map((d) => e - d * DAY), e].filter((c) => c > t);
    if (crossings.length) next = Math.min(next, ...crossings);
  }
  return new Date(Math.max(next, t + 60_000));
}

/**
 * Whether a scheduled check should try to renew (re-exchange the user token, re-derive the Page
 * token): only inside the refresh window. Outside it the debug_token probes are the whole check,
 * since Meta does not extend a long-lived token by re-exchange (graph-api.md section 3).
 */
export function renewalDue(expiresAt: Date | null, now: Date, s: LifecycleSettings): boolean {
  return expiresAt !== null && expiresAt.getTime() - now.getTime() <= s.refreshWindowDays * DAY;
}

/** Expiry, status and next check of a connection whose tokens Meta just verified: one formula for connect and check. */
export function verifiedTimes(
  parts: { userTokenExpiresAt: Date | null; pageTokenExpiresAt: Date | null; dataAccessExpiresAt: Date | null },
  now: Date,
  s: LifecycleSettings,
): { expiresAt: Date | null; status: ConnectionState; nextCheckAt: Date | null } {
  const expiresAt = connectionExpiry(parts);
  const status = statusForValid(expiresAt, now, s);
  return { expiresAt, status, nextCheckAt: nextCheckAt(status, expiresAt, now, s) };
}
