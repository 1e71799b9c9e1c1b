import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { InstagramTokenEntity } from '../connections/persistence/instagram-token.entity';

export type OAuthPurpose = 'connect' | 'reconnect';
/** Which dialog the attempt started: Facebook Login or Instagram Login (DESIGN.md section 9). */
export type OAuthProvider = 'facebook' | 'instagram';

/**
 * A login attempt. Only the SHA-256 of `state` is stored. `pendingSecret` (ciphertext) carries
 * the verified tokens between the callback and the account picker; it is wiped once used.
 */
@Entity('oauth_states')
@Index('uq_oauth_states_hash', ['stateHash'], { unique: true })
@Index('idx_oauth_states_expires', ['expiresAt'])
@Check('oauth_states_provider_check', `"provider" IN ('facebook', 'instagram')`)
export class OAuthStateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'state_hash', type: 'char', length: 64 })
  stateHash: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** FK only (never loaded by the services); `userId` is the column they use. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'oauth_states_user_id_fkey' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 16 })
  purpose: OAuthPurpose;

  @Column({ type: 'varchar', length: 16, default: 'facebook' })
  provider: OAuthProvider;

  @Column({ name: 'account_id', type: 'int', nullable: true })
  accountId: number | null;

  /** FK only (never loaded by the services); `accountId` is the column they use. */
  @ManyToOne(() => InstagramTokenEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'oauth_states_account_id_fkey' })
  account?: InstagramTokenEntity | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  /** What the callback answered (ids and public fields only), replayed when a browser double-submits. */
  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ name: 'pending_secret', type: 'text', nullable: true })
  pendingSecret: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
