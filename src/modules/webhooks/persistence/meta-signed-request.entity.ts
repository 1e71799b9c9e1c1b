import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Which callback acted: Facebook Login's two, or Instagram Login's (`ig_`), each signed with its own app's secret. */
export type SignedRequestKind = 'deauthorize' | 'data_deletion' | 'ig_deauthorize' | 'ig_data_deletion';

/**
 * A `signed_request` of Meta's we acted on, so a repeat cannot act again: `request_hash` (SHA-256
 * of the exact string) is unique, the first answer is replayed. Holds no Facebook id. Kept about
 * two days (housekeeping); a request that old is refused as expired anyway.
 */
@Entity('meta_signed_requests')
// A unique index (not a UNIQUE constraint): INSERT … ON CONFLICT (request_hash) DO NOTHING.
@Index('uq_meta_signed_requests_hash', ['requestHash'], { unique: true })
@Index('idx_meta_signed_requests_created', ['createdAt'])
@Check('meta_signed_requests_kind_check', `"kind" IN ('deauthorize', 'data_deletion', 'ig_deauthorize', 'ig_data_deletion')`)
export class MetaSignedRequestEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  kind: SignedRequestKind;

  /** Meta's `issued_at`. */
  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  /** What the first request was answered; null only inside the transaction that acts on it. */
  @Column({ type: 'jsonb', nullable: true })
  answer: Record<string, unknown> | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
