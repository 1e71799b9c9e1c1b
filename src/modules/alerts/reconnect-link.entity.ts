import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { InstagramTokenEntity } from '../connections/persistence/instagram-token.entity';
import { AlertEntity } from './alert.entity';

/** A one-click reconnect link from an alert e-mail: only the SHA-256 of the link is stored. */
@Entity('reconnect_links')
@Index('uq_reconnect_links_hash', ['tokenHash'], { unique: true })
@Index('idx_reconnect_links_account', ['accountId'])
@Index('idx_reconnect_links_expires', ['expiresAt'])
export class ReconnectLinkEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** FK only (never loaded by the services); `userId` is the column they use. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'reconnect_links_user_id_fkey' })
  user?: UserEntity;

  @Column({ name: 'account_id', type: 'int' })
  accountId: number;

  /** FK only (never loaded by the services); `accountId` is the column they use. */
  @ManyToOne(() => InstagramTokenEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'reconnect_links_account_id_fkey' })
  account?: InstagramTokenEntity;

  @Column({ name: 'alert_id', type: 'int', nullable: true })
  alertId: number | null;

  /** FK only (never loaded by the services); `alertId` is the column they use. */
  @ManyToOne(() => AlertEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'alert_id', foreignKeyConstraintName: 'reconnect_links_alert_id_fkey' })
  alert?: AlertEntity | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
