import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type DeletionStatus = 'pending' | 'completed';

/**
 * A data-deletion request from Meta. The Facebook user id itself is only kept while the job is
 * pending (the job needs it to find the data); once completed only a keyed hash remains, enough
 * to answer a repeated request with the same confirmation code and nothing more.
 */
@Entity('data_deletion_requests')
export class DataDeletionRequestEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Random, unguessable; the status page URL carries it. */
  @Column({ name: 'confirmation_code', type: 'varchar', length: 32, unique: true })
  confirmationCode: string;

  /** HMAC-SHA256 of the app-scoped user id with a key derived from SECRET_KEY. */
  @Column({ name: 'fb_user_hash', type: 'char', length: 64 })
  fbUserHash: string;

  /** Cleared when the deletion completes. */
  @Column({ name: 'fb_user_id', type: 'varchar', length: 100, nullable: true })
  fbUserId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeletionStatus;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
