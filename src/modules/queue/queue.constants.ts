/** Queue names, in one place. Jobs carry ids only, never a token. */
export const TOKEN_MAINTENANCE_QUEUE = 'token-maintenance';
export const NOTIFICATIONS_QUEUE = 'notifications';
export const REEL_PUBLISHING_QUEUE = 'reel-publishing';

export interface TokenMaintenanceJob {
  accountId: number;
}
export interface NotificationJob {
  alertId: number;
}
export interface ReelPublishingJob {
  reelId: number;
}
