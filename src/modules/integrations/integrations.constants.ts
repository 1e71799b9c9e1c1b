/** The outbound webhook queue. Jobs carry the delivery's id only; the row holds the body. */
export const WEBHOOK_DELIVERIES_QUEUE = 'webhook-deliveries';
export const WEBHOOK_BACKOFF = 'webhook';

export interface WebhookDeliveryJob {
  deliveryId: string;
}

export function webhookJobId(deliveryId: string): string {
  return `whd-${deliveryId}`;
}
