/**
 * Pure token-lifecycle rules (DESIGN.md section 5). No Nest, no TypeORM, no I/O: `now` is always
 * passed in, so every rule is tested table-driven.
 */
import type { GraphErrorKind } from '../../graph/graph-error';

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

export interface DueAlert {
  kind: 'expiring' | 'expired';
  thresholdDays: number | null;
  /** Unique per account and kind: one alert per threshold per expiry date. */
  dedupeKey: string;
}

/**
 * The alert due now for a connection's expiry: the most urgent threshold already crossed (an
 * account connected with 5 days left gets the 7-day alert once, not three alerts), or "expired".
 */
export function dueExpiryAlert(expiresAt: Date | null, now: Date, s: LifecycleSettings): DueAlert | null {
  if (!expiresAt) return null;
  const day = expiresAt.toISOString().slice(0, 10);
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return { kind: 'expired', thresholdDays: null, dedupeKey: `expired:${day}` };
  const crossed = s.alertThresholdsDays.filter((d) => left <= d * DAY);
  if (!crossed.length) return null;
  const threshold = Math.min(...crossed);
  return { kind: 'expiring', thresholdDays: threshold, dedupeKey: `${threshold}d:${day}` };
}

/** What a Graph failure means for the connection. */
export type FailureVerdict =
  { action: 'retry'; delayMs?: number } | { action: 'needs_reconnect'; reason: string } | { action: 'fail'; reason: string };

export function verdictForGraphError(e: {
  kind: GraphErrorKind;
  code?: number;
  subcode?: number;
  retryAfterMs?: number;
}): FailureVerdict {
  switch (e.kind) {
    case 'transient':
      return { action: 'retry' };
    case 'rate-limited':
    case 'quota':
      return { action: 'retry', delayMs: e.retryAfterMs };
    case 'token-invalid':
      return { action: 'needs_reconnect', reason: reasonForTokenError(e.subcode) };
    case 'permission':
      return {
        action: 'needs_reconnect',
        reason: 'Facebook removed a permission AutoReels needs. Reconnect and allow every requested permission.',
      };
    case 'bad-request':
      return { action: 'fail', reason: 'Facebook rejected the request.' };
  }
}

/** A sentence for the user, per Meta's 190 subcodes (graph-api.md section 9). */
export function reasonForTokenError(subcode: number | undefined): string {
  switch (subcode) {
    case 458:
      return 'AutoReels was removed from your Facebook account. Reconnect to allow it again.';
    case 459:
      return 'Facebook has locked your account until you log in on facebook.com. Do that, then reconnect.';
    case 460:
      return 'Your Facebook password changed, which signs out connected apps. Reconnect to continue.';
    case 463:
      return 'The Facebook access expired. Reconnect to renew it for another 60 days.';
    case 464:
      return 'Your Facebook account needs to be confirmed on facebook.com. Do that, then reconnect.';
    case 492:
      return 'You no longer have a role on the Facebook Page linked to this Instagram account. Restore the role, then reconnect.';
    default:
      return 'Facebook no longer accepts this connection (logged out or revoked). Reconnect to continue.';
  }
}
