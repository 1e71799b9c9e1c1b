import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { InstagramTokenEntity } from '../connections/persistence/instagram-token.entity';

import type { AlertKind } from './domain/alert-rules';

export type { AlertKind };

/** One row per (account, kind, dedupe key) so an alert is raised exactly once. */
@Entity('alerts')
@Index('uq_alerts_once', ['accountId', 'kind', 'dedupeKey'], { unique: true })
// (user_id, created_at DESC) in the migration; TypeORM has no per-column sort order and compares columns only.
@Index('idx_alerts_user_unread', ['userId', 'createdAt'], { where: '"read_at" IS NULL' })
export class AlertEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** FK only (never loaded by the services); `userId` is the column they use. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'alerts_user_id_fkey' })
  user?: UserEntity;

  @Column({ name: 'account_id', type: 'int', nullable: true })
  accountId: number | null;

  /** FK only (never loaded by the services); `accountId` is the column they use. */
  @ManyToOne(() => InstagramTokenEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'alerts_account_id_fkey' })
  account?: InstagramTokenEntity | null;

  @Column({ type: 'varchar', length: 32 })
  kind: AlertKind;

  /** e.g. "14d:2027-01-10" for the 14-day warning of a token expiring that day. */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 128 })
  dedupeKey: string;

  @Column({ name: 'threshold_days', type: 'int', nullable: true })
  thresholdDays: number | null;

  @Column({ name: 'token_expires_at', type: 'timestamptz', nullable: true })
  tokenExpiresAt: Date | null;

  @Column({ type: 'text' })
  message: string;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  @Column({ name: 'emailed_at', type: 'timestamptz', nullable: true })
  emailedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
