import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event for one endpoint, and the log of its attempts. The row holds the exact body sent on
 * every attempt (jobs carry only its id); `id` is the X-AutoReels-Delivery header.
 */
@Entity('webhook_event_deliveries')
@Index('idx_webhook_event_deliveries_endpoint', ['endpointId', 'createdAt'])
@Index('idx_webhook_event_deliveries_pending', ['nextRetryAt'], { where: `"status" = 'pending'` })
@Check('webhook_event_deliveries_status_check', `"status" IN ('pending', 'delivered', 'failed')`)
export class WebhookEventDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'endpoint_id', type: 'int' })
  endpointId: number;

  /** FK only (never loaded). */
  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'webhook_event_deliveries_endpoint_id_fkey' })
  endpoint?: WebhookEndpointEntity;

  /** The event's id (the body's `id`): the same for every endpoint that receives it. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: string;

  /** The JSON body, byte for byte as signed and sent. */
  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 300, nullable: true })
  lastError: string | null;

  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
