import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { LoginType } from '../../connections/connection.repository';

export type DeletionStatus = 'pending' | 'completed';

/**
 * A data-deletion request from Meta, through Facebook Login's callback or Instagram Login's
 * (`login_type`). The person's id itself is only kept while the job is pending (the job needs it
 * to find the data); once completed only a keyed hash remains, enough to answer a repeated
 * request with the same confirmation code and nothing more. The `fb_user_*` columns are named
 * after the first kind; for `login_type = 'instagram'` they hold the Instagram user id Meta sent.
 */
@Entity('data_deletion_requests')
@Index('uq_data_deletion_requests_code', ['confirmationCode'], { unique: true })
// At most one pending request per Facebook user: a repeated request gets the same code.
@Index('uq_data_deletion_requests_pending', ['fbUserHash'], { unique: true, where: `"status" = 'pending'` })
// (fb_user_hash, created_at DESC) in the migration; TypeORM has no per-column sort order and compares columns only.
@Index('idx_data_deletion_requests_hash', ['fbUserHash', 'createdAt'])
@Check('data_deletion_requests_status_check', `"status" IN ('pending', 'completed')`)
@Check('data_deletion_requests_login_type_check', `"login_type" IN ('facebook', 'instagram')`)
export class DataDeletionRequestEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Random, unguessable; the status page URL carries it. */
  @Column({ name: 'confirmation_code', type: 'varchar', length: 32 })
  confirmationCode: string;

  /** Which login's callback Meta called: whose id `fb_user_id` holds. */
  @Column({ name: 'login_type', type: 'varchar', length: 16, default: 'facebook' })
  loginType: LoginType;

  /**
   * HMAC-SHA256 of the app-scoped user id with a key derived from SECRET_KEY (Instagram Login:
   * of `instagram:<id>`, so a Facebook id and an Instagram id with the same digits never share a request).
   */
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
