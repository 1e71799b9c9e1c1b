/** Queue names, in one place. Jobs carry ids only, never a token. */
export const TOKEN_MAINTENANCE_QUEUE = 'token-maintenance';
export const NOTIFICATIONS_QUEUE = 'notifications';
export const REEL_PUBLISHING_QUEUE = 'reel-publishing';
/** Outbound webhook deliveries (integrations module); jobs carry a delivery id only. */
export const WEBHOOK_DELIVERIES_QUEUE = 'webhook-deliveries';

export interface TokenMaintenanceJob {
  accountId: number;
}
export interface NotificationJob {
  alertId: number;
}
export interface ReelPublishingJob {
  reelId: number;
}
