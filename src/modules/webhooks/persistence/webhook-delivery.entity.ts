import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One webhook delivery from Meta, stored once: `delivery_key` (SHA-256 of the raw body) is unique,
 * so replays and concurrent duplicates collapse into this row. Objects we do not act on yet are
 * kept here for later use.
 */
@Entity('webhook_deliveries')
// A unique index (not a UNIQUE constraint): INSERT … ON CONFLICT (delivery_key) DO NOTHING.
@Index('uq_webhook_deliveries_key', ['deliveryKey'], { unique: true })
@Index('idx_webhook_deliveries_entry_ids', ['entryIds'], { type: 'gin' })
@Index('idx_webhook_deliveries_unprocessed', ['receivedAt'], { where: '"processed_at" IS NULL' })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'delivery_key', type: 'char', length: 64 })
  deliveryKey: string;

  /** Meta's `object` (instagram, page, permissions, user, …). */
  @Column({ type: 'varchar', length: 32 })
  object: string;

  /** Every `entry[].id` / `entry[].uid`: what a data-deletion request matches deliveries by. */
  @Column({ name: 'entry_ids', type: 'text', array: true, default: () => "'{}'" })
  entryIds: string[];

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  /** Lease of the request that is acting on the delivery; lets a retry take over a crashed attempt. */
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
