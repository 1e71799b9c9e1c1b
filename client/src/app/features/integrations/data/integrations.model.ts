/** Shapes of /auth/api-keys and /integrations/webhooks (snake_case, as the API sends them). */
export type ApiKeyScope = 'read' | 'write';

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: string;
  last_used_at: string | null;
}

/** Only in the answer to a create: the key itself, shown once. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export const WEBHOOK_EVENTS = [
  'connection.connected',
  'connection.expiring',
  'connection.needs_reconnect',
  'connection.revoked',
  'connection.recovered',
  'connection.disconnected',
  'reel.published',
  'reel.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEndpoint {
  id: number;
  url: string;
  events: string[];
  enabled: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
}

export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface WebhookDelivery {
  id: string;
  event_id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_retry_at: string | null;
  delivered_at: string | null;
  created_at: string;
}
