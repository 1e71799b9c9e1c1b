import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeletionStatus = 'pending' | 'completed';

/**
 * A data-deletion request from Meta. The Facebook user id itself is only kept while the job is
 * pending (the job needs it to find the data); once completed only a keyed hash remains, enough
 * to answer a repeated request with the same confirmation code and nothing more.
 */
@Entity('data_deletion_requests')
@Index('uq_data_deletion_requests_code', ['confirmationCode'], { unique: true })
// At most one pending request per Facebook user: a repeated request gets the same code.
@Index('uq_data_deletion_requests_pending', ['fbUserHash'], { unique: true, where: `"status" = 'pending'` })
// (fb_user_hash, created_at DESC) in the migration; TypeORM has no per-column sort order and compares columns only.
@Index('idx_data_deletion_requests_hash', ['fbUserHash', 'createdAt'])
@Check('data_deletion_requests_status_check', `"status" IN ('pending', 'completed')`)
export class DataDeletionRequestEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Random, unguessable; the status page URL carries it. */
  @Column({ name: 'confirmation_code', type: 'varchar', length: 32 })
  confirmationCode: string;

  /** HMAC-SHA256 of the app-scoped user id with a key derived from SECRET_KEY. */
  @Column({ name: 'fb_user_hash', type: 'char', length: 64 })
  fbUserHash: string;

  /** Cleared when the deletion completes. */
  @Column({ name: 'fb_user_id', type: 'varchar', length: 100, nullable: true })
  fbUserId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeletionStatus;

  /**
   * Meta's `issued_at` of the latest signed_request folded into this request: the deletion covers
   * connections whose tokens were obtained before it (a connection made afterwards is a new consent).
   */
  @Column({ name: 'issued_at', type: 'timestamptz', default: () => 'now()' })
  issuedAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
