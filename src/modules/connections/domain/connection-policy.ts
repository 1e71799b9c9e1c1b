/**
 * Pure connection-lifecycle rules (DESIGN.md section 5): expiry, status, when to check next.
 * What a Graph failure means is in graph-failure-policy.ts; which alert is due in alerts/domain. No Nest, no TypeORM, no I/O: `now` is always
 * passed in, so every rule is tested table-driven.
 */

export type ConnectionState = 'active' | 'expiring' | 'needs_reconnect' | 'revoked' | 'disconnected';

/** How the account was connected (DESIGN.md section 9). */
export type LoginKind = 'facebook' | 'instagram';

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

/**
 * Instagram Login refreshes its own token once inside the refresh window; only a token the
 * scheduler failed to refresh for a whole day there is the user's concern (status, alerts).
 */
export function instagramWarnDays(s: LifecycleSettings): number {
  return Math.max(s.refreshWindowDays - 1, 0);
}

/** The status a healthy (valid) connection shows, from its expiry alone. */
export function statusForValid(
  expiresAt: Date | null,
  now: Date,
  s: LifecycleSettings,
  kind: LoginKind = 'facebook',
): ConnectionState {
  if (!expiresAt) return 'active';
  if (expiresAt.getTime() <= now.getTime()) return 'needs_reconnect';
  const warnDays = kind === 'instagram' ? instagramWarnDays(s) : Math.max(...s.alertThresholdsDays, s.refreshWindowDays);
  return expiresAt.getTime() - now.getTime() <= warnDays * DAY ? 'expiring' : 'active';
}

/**
 * When the account is next due for a check: daily; every 6 hours inside the refresh window; never
 * later than the next alert threshold crossing or the expiry itself (so an alert is never a day
 * late); null for connections only the user can revive.
 */
export function nextCheckAt(
  state: ConnectionState,
  expiresAt: Date | null,
  now: Date,
  s: LifecycleSettings,
  kind: LoginKind = 'facebook',
): Date | null {
  if (state === 'needs_reconnect' || state === 'revoked' || state === 'disconnected') return null;
  const t = now.getTime();
  let next = t + DAY;
  if (expiresAt) {
    const e = expiresAt.getTime();
    if (e - t <= s.refreshWindowDays * DAY) next = t + 6 * HOUR;
    // Instagram Login: also the moment the token enters the refresh window, and the moment it becomes refreshable
    const own =
      kind === 'instagram'
        ? [e - s.refreshWindowDays * DAY, instagramIssuedAt(expiresAt).getTime() + INSTAGRAM_REFRESH_MIN_AGE_MS]
        : [];
    const crossings = [...s.alertThresholdsDays.map((d) => e - d * DAY), e, ...own].filter((c) => c > t);
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
  kind: LoginKind = 'facebook',
): { expiresAt: Date | null; status: ConnectionState; nextCheckAt: Date | null } {
  const expiresAt = connectionExpiry(parts);
  const status = statusForValid(expiresAt, now, s, kind);
  return { expiresAt, status, nextCheckAt: nextCheckAt(status, expiresAt, now, s, kind) };
}

// ---- Instagram Login (DESIGN.md section 9, instagram-login.md §4) ---------------------------------

/** A long-lived Instagram-Login token lives 60 days from its issue (or its last refresh). */
export const INSTAGRAM_TOKEN_LIFETIME_MS = 60 * DAY;
/** Meta refreshes only tokens at least 24 h old. */
export const INSTAGRAM_REFRESH_MIN_AGE_MS = DAY;

/** When the token was issued, judged from Meta's expiry (not from when we stored it). */
export function instagramIssuedAt(expiresAt: Date): Date {
  return new Date(expiresAt.getTime() - INSTAGRAM_TOKEN_LIFETIME_MS);
}

export type InstagramCheckPlan =
  /** Ask Meta for 60 new days (refresh_access_token). */
  | 'refresh'
  /** Only verify the token (/me): not due, or too young for Meta to refresh. */
  | 'verify';

/**
 * What a check of an Instagram-Login account does: the scheduler refreshes once the token is
 * inside the refresh window and at least 24 h old; a manual refresh always asks Meta (a "too
 * early" answer then means verified, not extended). Pure.
 */
export function instagramCheckPlan(expiresAt: Date | null, now: Date, s: LifecycleSettings, manual: boolean): InstagramCheckPlan {
  if (manual || !expiresAt) return 'refresh';
  const t = now.getTime();
  const insideWindow = expiresAt.getTime() - t <= s.refreshWindowDays * DAY;
  const oldEnough = t - instagramIssuedAt(expiresAt).getTime() >= INSTAGRAM_REFRESH_MIN_AGE_MS;
  return insideWindow && oldEnough ? 'refresh' : 'verify';
}
