import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type TokenEventOutcome = 'success' | 'failure' | 'skipped';
export type TokenEventActor = 'user' | 'scheduler' | 'worker' | 'meta' | 'system';

/** Audit log of every token operation. Never holds a secret value. */
@Entity('token_events')
export class TokenEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'account_id', type: 'int', nullable: true })
  accountId: number | null;

  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

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
