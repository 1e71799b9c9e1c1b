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
import { InstagramTokenEntity } from '../../connections/persistence/instagram-token.entity';
import type { ReelStatus } from '../domain/reel-policy';
import { ReelUploadEntity } from './reel-upload.entity';

/** A reel to publish through one connected account (DESIGN.md §8). Never holds a token. */
@Entity('reels')
@Index('uq_reels_idempotency', ['userId', 'idempotencyKey'], { unique: true, where: '"idempotency_key" IS NOT NULL' })
@Index('idx_reels_user', ['userId', 'id'])
@Index('idx_reels_account', ['accountId', 'id'])
@Index('idx_reels_due', ['nextAttemptAt', 'id'], {
  where: `"status" IN ('scheduled', 'queued', 'uploading', 'processing', 'publishing')`,
})
@Index('idx_reels_published', ['accountId', 'publishedAt'], { where: `"status" = 'published'` })
@Check(
  'reels_status_check',
  `"status" IN ('scheduled', 'queued', 'uploading', 'processing', 'publishing', 'published', 'failed', 'cancelled')`,
)
@Check('reels_source_check', `("video_url" IS NULL) <> ("upload_id" IS NULL)`)
export class ReelEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'reels_user_id_fkey' })
  user?: UserEntity;

  @Column({ name: 'account_id', type: 'int' })
  accountId: number;

  /** Meta's data deletion removes the account; its reels (captions may name the person) go with it. */
  @ManyToOne(() => InstagramTokenEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'reels_account_id_fkey' })
  account?: InstagramTokenEntity;

  @Column({ type: 'varchar', length: 16 })
  status: ReelStatus;

  @Column({ name: 'video_url', type: 'text', nullable: true })
  videoUrl: string | null;

  @Column({ name: 'upload_id', type: 'uuid', nullable: true })
  uploadId: string | null;

  @ManyToOne(() => ReelUploadEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'upload_id', foreignKeyConstraintName: 'reels_upload_id_fkey' })
  upload?: ReelUploadEntity | null;

  @Column({ type: 'text', nullable: true })
  caption: string | null;

  @Column({ name: 'share_to_feed', type: 'boolean', default: true })
  shareToFeed: boolean;

  @Column({ name: 'cover_url', type: 'text', nullable: true })
  coverUrl: string | null;

  @Column({ name: 'thumb_offset', type: 'int', nullable: true })
  thumbOffset: number | null;

  @Column({ name: 'audio_name', type: 'varchar', length: 255, nullable: true })
  audioName: string | null;

  @Column({ type: 'jsonb', nullable: true })
  collaborators: string[] | null;

  @Column({ name: 'location_id', type: 'varchar', length: 64, nullable: true })
  locationId: string | null;

  @Column({ name: 'publish_at', type: 'timestamptz' })
  publishAt: Date;

  /** When the pipeline looks at this reel next (null once it is done). The scheduler sweeps by it. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'container_id', type: 'varchar', length: 64, nullable: true })
  containerId: string | null;

  /** Containers asked of Meta (an EXPIRED one is replaced once). */
  @Column({ name: 'containers_made', type: 'int', default: 0 })
  containersMade: number;

  /** Resumable uploads: the bytes of the current container reached Meta. */
  @Column({ name: 'bytes_sent', type: 'boolean', default: false })
  bytesSent: boolean;

  @Column({ name: 'polls', type: 'int', default: 0 })
  polls: number;

  /** Transient failures in a row (reset by any step that succeeds). */
  @Column({ name: 'transient_failures', type: 'int', default: 0 })
  transientFailures: number;

  /** The ledger (DESIGN.md §8): set before media_publish is called; a retry asks the container first. */
  @Column({ name: 'publish_requested_at', type: 'timestamptz', nullable: true })
  publishRequestedAt: Date | null;

  @Column({ name: 'media_id', type: 'varchar', length: 64, nullable: true })
  mediaId: string | null;

  @Column({ type: 'text', nullable: true })
  permalink: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  /** Pipeline runs (jobs that worked on this reel). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  /** sha256 of the request body an Idempotency-Key was first used with. */
  @Column({ name: 'request_hash', type: 'char', length: 64, nullable: true })
  requestHash: string | null;

  /** One pipeline run at a time (a stalled job re-run waits for it). */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
