/**
 * Every alert decision in one pure file (DESIGN.md section 5): which alert a connection's state
 * calls for, its once-only key, its sentence, and the e-mail's subject. No Nest, no I/O; `now`
 * is passed in.
 */
import { formatDay } from '../../../common/format-day';
import { instagramWarnDays, type LifecycleSettings, type LoginKind } from '../../connections/domain/connection-policy';

const DAY = 86_400_000;

/** `webhook_disabled` is raised by the integrations module (no account), in-app only. */
export type AlertKind = 'expiring' | 'expired' | 'token_invalid' | 'revoked' | 'webhook_disabled';

/** What the rules need to know about a connection. */
export interface AlertFacts {
  status: string;
  isValid: boolean;
  igUserId: string;
  instagramUsername: string | null;
  expiresAt: Date | null;
  statusReason: string | null;
  lastErrorCode: string | null;
  /** When it was revoked (or last changed), so a later revoke is a new alert. */
  changedAt: Date;
  /** Default 'facebook'. Instagram-Login tokens refresh themselves (DESIGN.md section 9). */
  loginType?: LoginKind;
}

export interface DueAlert {
  kind: AlertKind;
  thresholdDays: number | null;
  /** Unique per account and kind: an alert is raised once per (account, kind, key). */
  dedupeKey: string;
  message: string;
}

/**
 * The alert due now for a connection's expiry: the most urgent threshold already crossed (an
 * account connected with 5 days left gets the 7-day alert once, not three alerts), or "expired".
 */
export function dueExpiryAlert(
  expiresAt: Date | null,
  now: Date,
  s: LifecycleSettings,
  loginType: LoginKind = 'facebook',
): { kind: 'expiring' | 'expired'; thresholdDays: number | null; dedupeKey: string } | null {
  if (!expiresAt) return null;
  const day = expiresAt.toISOString().slice(0, 10);
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return { kind: 'expired', thresholdDays: null, dedupeKey: `expired:${day}` };
  // An Instagram-Login token is refreshed by the scheduler once inside the refresh window: its
  // user hears of the expiry only when that failed for a whole day (thresholds past that point).
  const ceiling = loginType === 'instagram' ? instagramWarnDays(s) : Infinity;
  const crossed = s.alertThresholdsDays.filter((d) => d <= ceiling && left <= d * DAY);
  if (!crossed.length) return null;
  const threshold = Math.min(...crossed);
  return { kind: 'expiring', thresholdDays: threshold, dedupeKey: `${threshold}d:${day}` };
}

/** The alert a connection's current state calls for, if any: a dead token first, then its expiry. */
export function dueAlert(a: AlertFacts, now: Date, s: LifecycleSettings): DueAlert | null {
  if (a.status === 'disconnected') return null;
  const who = `@${a.instagramUsername ?? a.igUserId}`;
  const platform = a.loginType === 'instagram' ? 'Instagram' : 'Facebook';
  if (a.status === 'revoked') {
    return {
      kind: 'revoked',
      thresholdDays: null,
      dedupeKey: `revoked:${a.changedAt.toISOString()}`,
      message: `${who} was disconnected at ${platform} (the app was removed or access revoked). Reconnect to keep publishing.`,
    };
  }
  if (!a.isValid) {
    return {
      kind: 'token_invalid',
      thresholdDays: null,
      dedupeKey: `invalid:${a.expiresAt?.toISOString().slice(0, 10) ?? 'none'}:${a.lastErrorCode ?? ''}`,
      message: `${who} stopped working: ${a.statusReason ?? `${platform} no longer accepts the connection.`}`,
    };
  }
  const due = dueExpiryAlert(a.expiresAt, now, s, a.loginType);
  if (!due || !a.expiresAt) return null;
  const message =
    due.kind === 'expired'
      ? `${who}'s ${platform} access expired on ${formatDay(a.expiresAt)}. Reconnect to resume publishing.`
      : a.loginType === 'instagram'
        ? `${who}'s Instagram access ends on ${formatDay(a.expiresAt)} (in ${due.thresholdDays} days or less) and AutoReels could not refresh it. Reconnect with Instagram: one click.`
        : `${who}'s Facebook access ends on ${formatDay(a.expiresAt)} (in ${due.thresholdDays} days or less). Facebook only extends it when you pass its dialog again: one click.`;
  return { ...due, message };
}

/** The alert e-mail's subject line. */
export function alertSubject(
  kind: AlertKind,
  thresholdDays: number | null,
  who: string,
  loginType: LoginKind = 'facebook',
): string {
  const platform = loginType === 'instagram' ? 'Instagram' : 'Facebook';
  switch (kind) {
    case 'expiring':
      return `${who}: reconnect within ${thresholdDays ?? 'a few'} days to keep publishing`;
    case 'expired':
      return `${who}: ${platform} access expired — reconnect to resume publishing`;
    case 'token_invalid':
      return `${who} stopped working — reconnect to resume publishing`;
    case 'revoked':
      return `${who} was disconnected at ${platform}`;
    case 'webhook_disabled':
      return `Your webhook endpoint ${who} was disabled`;
  }
}
