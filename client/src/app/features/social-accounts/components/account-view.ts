import type { Account, AccountStatus } from '../data/social-accounts.model';

/** Pure view computations for an account card; `now` is always passed in. */

const DAY_MS = 86_400_000;
/** Meta's long-lived token lifetime, used when the server did not tell us the issue date. */
const ASSUMED_LIFETIME_MS = 60 * DAY_MS;

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'muted';

export interface StatusBadge {
  label: string;
  tone: BadgeTone;
}

function parse(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** Whole days left before `iso` (0 on the last day, negative once past), null without a date. */
export function daysUntil(iso: string | null | undefined, now: Date): number | null {
  const t = parse(iso);
  if (t === null) return null;
  return Math.floor((t - now.getTime()) / DAY_MS);
}

export function expiresInLabel(days: number): string {
  if (days <= 0) return 'Expires today';
  if (days === 1) return 'Expires in 1 day';
  return `Expires in ${days} days`;
}

export function statusBadge(
  account: Pick<Account, 'status' | 'days_until_expiry' | 'token_expires_at'>,
  now: Date,
): StatusBadge {
  const status: AccountStatus = account.status;
  switch (status) {
    case 'active':
      return { label: 'Connected', tone: 'ok' };
    case 'expiring': {
      const days =
        typeof account.days_until_expiry === 'number'
          ? account.days_until_expiry
          : daysUntil(account.token_expires_at, now);
      return { label: days === null ? 'Expiring soon' : expiresInLabel(days), tone: 'warn' };
    }
    case 'needs_reconnect':
      return { label: 'Needs reconnect', tone: 'danger' };
    case 'revoked':
      return { label: 'Revoked', tone: 'muted' };
    case 'disconnected':
      return { label: 'Disconnected', tone: 'muted' };
    default: {
      const unknown: never = status;
      return { label: String(unknown), tone: 'muted' };
    }
  }
}

/**
 * Percentage (0–100, whole number) of the token's life still left, from issue to expiry.
 * Null when there is no expiry (nothing to show). Without an issue date, assume 60 days.
 */
export function tokenLifeLeft(
  issuedIso: string | null | undefined,
  expiresIso: string | null | undefined,
  now: Date,
): number | null {
  const expires = parse(expiresIso);
  if (expires === null) return null;
  const issued = parse(issuedIso) ?? expires - ASSUMED_LIFETIME_MS;
  const total = expires - issued;
  if (total <= 0) return expires > now.getTime() ? 100 : 0;
  const left = (expires - now.getTime()) / total;
  return Math.round(Math.min(1, Math.max(0, left)) * 100);
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "12 Jan 2027" in the user's time zone. */
export function formatDate(iso: string | null | undefined): string {
  const t = parse(iso);
  return t === null ? '' : DATE_FORMAT.format(new Date(t));
}

export function expiryText(expiresIso: string | null | undefined, now: Date): string {
  const t = parse(expiresIso);
  if (t === null) return 'No expiry date';
  return t <= now.getTime()
    ? `Expired ${formatDate(expiresIso)}`
    : `Expires ${formatDate(expiresIso)}`;
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['day', DAY_MS],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 hours ago", "in 2 days", "just now"; "Never" without a date. */
export function relativeTime(iso: string | null | undefined, now: Date): string {
  const t = parse(iso);
  if (t === null) return 'Never';
  const diff = t - now.getTime();
  const abs = Math.abs(diff);
  if (abs < 60_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (abs >= ms) return RELATIVE.format(Math.trunc(diff / ms), unit);
  }
  return 'just now';
}

/** "token_refreshed" → "Token refreshed". */
export function humanize(value: string): string {
  const s = value
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
