import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';
import { InstagramTokenEntity } from './instagram-token.entity';

export type TokenEventOutcome = 'success' | 'failure' | 'skipped';
export type TokenEventActor = 'user' | 'scheduler' | 'worker' | 'meta' | 'system';

/** Audit log of every token operation. Never holds a secret value. */
@Entity('token_events')
// Both are (…, created_at DESC) in the migration; TypeORM has no per-column sort order and compares columns only.
@Index('idx_token_events_account', ['accountId', 'createdAt'])
@Index('idx_token_events_user', ['userId', 'createdAt'])
export class TokenEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'account_id', type: 'int', nullable: true })
  accountId: number | null;

  /** FK only (never loaded by the services); `accountId` is the column they use. */
  @ManyToOne(() => InstagramTokenEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'token_events_account_id_fkey' })
  account?: InstagramTokenEntity | null;

  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

  /** FK only (never loaded by the services); `userId` is the column they use. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'token_events_user_id_fkey' })
  user?: UserEntity | null;

  @Column({ type: 'varchar', length: 48 })
  type: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: TokenEventOutcome;

  @Column({ type: 'varchar', length: 16 })
  actor: TokenEventActor;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ name: 'graph_error_code', type: 'int', nullable: true })
  graphErrorCode: number | null;

  @Column({ name: 'graph_error_subcode', type: 'int', nullable: true })
  graphErrorSubcode: number | null;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
