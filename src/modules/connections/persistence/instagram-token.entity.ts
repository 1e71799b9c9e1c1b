import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../../auth/user.entity';

/** How the account was connected (DESIGN.md section 9): Facebook Login (through a Page) or Instagram Login (no Page). */
export type LoginType = 'facebook' | 'instagram';

export type ConnectionStatus = 'active' | 'expiring' | 'needs_reconnect' | 'revoked' | 'disconnected';

/**
 * One connected Instagram professional account (the seed's `instagram_tokens` table, extended:
 * several accounts per user, encrypted token columns, lifecycle and scheduling columns).
 * Token columns hold ciphertext only (see TokenVault); never plain tokens.
 */
@Entity('instagram_tokens')
@Index('uq_instagram_tokens_user_ig', ['userId', 'igUserId'], { unique: true })
@Index('idx_instagram_tokens_user_id', ['userId'])
@Index('idx_instagram_tokens_fb_page_id', ['fbPageId'])
@Index('idx_instagram_tokens_ig_user_id', ['igUserId'])
// Instagram Login's deauthorize / data-deletion callbacks may name the account by this id
@Index('idx_instagram_tokens_ig_scoped_user_id', ['igScopedUserId'])
@Index('idx_instagram_tokens_fb_user_id', ['fbUserId'])
// The scheduler's keyset scan: connected rows by (next_check_at, id).
@Index('idx_instagram_tokens_due', ['nextCheckAt', 'id'], { where: '"is_connected"' })
// At most one default account per user.
@Index('uq_instagram_tokens_default', ['userId'], { unique: true, where: '"is_default" AND "is_connected"' })
@Check('instagram_tokens_status_check', `"status" IN ('active', 'expiring', 'needs_reconnect', 'revoked', 'disconnected')`)
@Check('instagram_tokens_login_type_check', `"login_type" IN ('facebook', 'instagram')`)
export class InstagramTokenEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'login_type', type: 'varchar', length: 16, default: 'facebook' })
  loginType: LoginType;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** FK only (never loaded by the services); `userId` is the column they use. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'instagram_tokens_user_id_fkey' })
  user?: UserEntity;

  // Facebook
  @Column({ name: 'fb_page_id', type: 'varchar', length: 100, nullable: true })
  fbPageId: string | null;

  @Column({ name: 'fb_page_name', type: 'varchar', length: 200, nullable: true })
  fbPageName: string | null;

  @Column({ name: 'fb_user_id', type: 'varchar', length: 100, nullable: true })
  fbUserId: string | null;

  // Instagram
  @Column({ name: 'ig_user_id', type: 'varchar', length: 100 })
  igUserId: string;

  /** Instagram Login: the app-scoped `id` of /me (igUserId holds its `user_id`, the professional account id). */
  @Column({ name: 'ig_scoped_user_id', type: 'varchar', length: 100, nullable: true })
  igScopedUserId: string | null;

  @Column({ name: 'instagram_username', type: 'varchar', length: 100, nullable: true })
  instagramUsername: string | null;

  @Column({ name: 'instagram_name', type: 'varchar', length: 200, nullable: true })
  instagramName: string | null;

  @Column({ name: 'ig_profile_picture', type: 'varchar', length: 2048, nullable: true })
  igProfilePicture: string | null;

  // Tokens (ciphertext: "<keyId>.<nonce>.<ciphertext>.<tag>", AAD binds row and column)
  /** The long-lived Facebook user token. */
  @Column({ name: 'long_lived_token', type: 'text', nullable: true })
  longLivedToken: string | null;

  /** The Page access token used for Instagram calls. Null once disconnected (secrets deleted). */
  @Column({ name: 'access_token', type: 'text', nullable: true })
  accessToken: string | null;

  @Column({ name: 'token_key_id', type: 'varchar', length: 32, nullable: true })
  tokenKeyId: string | null;

  @Column({ name: 'token_type', type: 'varchar', length: 50, nullable: true })
  tokenType: string | null;

  // Expiry
  /** token_expires_at: the earliest moment the connection stops working without the user. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'token_expires_in', type: 'int', nullable: true })
  tokenExpiresIn: number | null;

  @Column({ name: 'token_issued_at', type: 'timestamptz', nullable: true })
  tokenIssuedAt: Date | null;

  @Column({ name: 'user_token_expires_at', type: 'timestamptz', nullable: true })
  userTokenExpiresAt: Date | null;

  /** Null means the Page token never expires (derived from a long-lived user token). */
  @Column({ name: 'page_token_expires_at', type: 'timestamptz', nullable: true })
  pageTokenExpiresAt: Date | null;

  @Column({ name: 'data_access_expires_at', type: 'timestamptz', nullable: true })
  dataAccessExpiresAt: Date | null;

  @Column({ name: 'is_valid', type: 'boolean', default: true })
  isValid: boolean;

  // Tracking
  @Column({ name: 'last_refreshed_at', type: 'timestamptz', nullable: true })
  lastRefreshedAt: Date | null;

  @Column({ name: 'refresh_count', type: 'int', default: 0 })
  refreshCount: number;

  @Column({ name: 'permissions', type: 'jsonb', nullable: true })
  permissions: string[] | null;

  @Column({ name: 'is_connected', type: 'boolean', default: false })
  isConnected: boolean;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  // Lifecycle
  @Column({ type: 'varchar', length: 32, default: 'active' })
  status: ConnectionStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt: Date | null;

  @Column({ name: 'next_check_at', type: 'timestamptz', nullable: true })
  nextCheckAt: Date | null;

  @Column({ name: 'last_error_code', type: 'varchar', length: 64, nullable: true })
  lastErrorCode: string | null;

  /** Lease that keeps two workers from maintaining one account at once. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  /** Bumped by every conditional update (UPDATE … WHERE version = $n). */
  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt: Date | null;

  @Column({ name: 'disconnected_at', type: 'timestamptz', nullable: true })
  disconnectedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
