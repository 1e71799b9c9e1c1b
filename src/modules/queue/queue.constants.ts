/** Queue names, in one place. Jobs carry ids only, never a token. */
export const TOKEN_MAINTENANCE_QUEUE = 'token-maintenance';
export const NOTIFICATIONS_QUEUE = 'notifications';

export interface TokenMaintenanceJob {
  accountId: number;
}
export interface NotificationJob {
  alertId: number;
}
