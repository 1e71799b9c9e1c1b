import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AlertKind = 'expiring' | 'expired' | 'token_invalid' | 'revoked';

/** One row per (account, kind, dedupe key) so an alert is raised exactly once. */
@Entity('alerts')
export class AlertEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'account_id', type: 'int', nullable: true })
  accountId: number | null;

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
