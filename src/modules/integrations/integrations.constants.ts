/** The outbound webhook queue (named with the others). Jobs carry the delivery's id only; the row holds the body. */
export { WEBHOOK_DELIVERIES_QUEUE } from '../queue/queue.constants';
export const WEBHOOK_BACKOFF = 'webhook';

export interface WebhookDeliveryJob {
  deliveryId: string;
}

export function webhookJobId(deliveryId: string): string {
  return `whd-${deliveryId}`;
}
