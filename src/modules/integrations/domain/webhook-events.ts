/**
 * The outbound events (DESIGN.md section 10) and which of them a connection's change raises.
 * Pure: no Nest, no I/O.
 */

export const CONNECTION_EVENT_TYPES = [
  'connection.connected',
  'connection.expiring',
  'connection.needs_reconnect',
  'connection.revoked',
  'connection.recovered',
  'connection.disconnected',
] as const;
export const REEL_EVENT_TYPES = ['reel.published', 'reel.failed'] as const;
export const WEBHOOK_EVENT_TYPES = [...CONNECTION_EVENT_TYPES, ...REEL_EVENT_TYPES] as const;

export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number];
export type ReelEventType = (typeof REEL_EVENT_TYPES)[number];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** Sent only by POST /integrations/webhooks/:id/test, to any endpoint whatever its events. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** A connection's status as the connections module stores it. */
export type ConnectionStatus = 'active' | 'expiring' | 'needs_reconnect' | 'revoked' | 'disconnected';

/** Which hook of the connection observer hub fired. */
export type ConnectionHook = 'connected' | 'changed' | 'disconnected';

const BROKEN: ReadonlySet<string> = new Set(['needs_reconnect', 'revoked']);

/**
 * The events one change of a connection raises, from the hub's hook and the row's status before
 * (null: unknown or not connected before) and after. An event fires on entering a state, never
 * again while it stays there (the 6-hourly checks of an expiring account raise nothing).
 *
 * - a login stores it: `connected`, plus `recovered` when it was broken before (a reconnect);
 * - a change: entering expiring / needs_reconnect / revoked raises that event; back to active
 *   from expiring or broken raises `recovered`;
 * - the user disconnects it: `disconnected` (once).
 */
export function connectionEventsFor(hook: ConnectionHook, before: string | null, after: string): ConnectionEventType[] {
  switch (hook) {
    case 'connected': {
      const events: ConnectionEventType[] = ['connection.connected'];
      if (before && BROKEN.has(before)) events.push('connection.recovered');
      if (after === 'expiring') events.push('connection.expiring');
      return events;
    }
    case 'changed':
      if (before === after) return [];
      switch (after) {
        case 'expiring':
          return before === 'needs_reconnect' || before === 'revoked'
            ? ['connection.recovered', 'connection.expiring']
            : ['connection.expiring'];
        case 'needs_reconnect':
          return ['connection.needs_reconnect'];
        case 'revoked':
          return ['connection.revoked'];
        case 'active':
          return before === null ? [] : ['connection.recovered'];
        default:
          return [];
      }
    case 'disconnected':
      return before === 'disconnected' ? [] : ['connection.disconnected'];
  }
}

/** What a delivery says about a connection: ids, names, status, dates, the reason. Never a token. */
export interface ConnectionEventData {
  account_id: number;
  instagram_user_id: string;
  instagram_username: string | null;
  facebook_page_id: string | null;
  facebook_page_name: string | null;
  status: string;
  previous_status: string | null;
  token_expires_at: string | null;
  reason: string | null;
  error_code: string | null;
}

/** What a Reels publisher reports (the publishing branch calls WebhookPublisher.reelPublished / reelFailed). */
export interface ReelEventData {
  reel_id: string | number;
  account_id: number;
  instagram_user_id: string;
  instagram_media_id?: string | null;
  permalink?: string | null;
  caption?: string | null;
  error_code?: string | null;
  reason?: string | null;
}

/** The delivered body: `{ id, type, created_at, data }`. */
export interface WebhookEnvelope<T = unknown> {
  id: string;
  type: string;
  created_at: string;
  data: T;
}

export function envelope<T>(id: string, type: string, createdAt: Date, data: T): WebhookEnvelope<T> {
  return { id, type, created_at: createdAt.toISOString(), data };
}

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
