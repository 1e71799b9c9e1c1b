import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/user.entity';

/** A video streamed to UPLOAD_DIR by `POST /social/uploads`; the file goes after publish, failure or expiry. */
@Entity('reel_uploads')
@Index('idx_reel_uploads_user', ['userId'])
@Index('idx_reel_uploads_expiry', ['expiresAt'], { where: '"deleted_at" IS NULL' })
export class ReelUploadEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'reel_uploads_user_id_fkey' })
  user?: UserEntity;

  /** File name inside UPLOAD_DIR (never a path from the client). */
  @Column({ name: 'file_name', type: 'varchar', length: 128 })
  fileName: string;

  @Column({ type: 'bigint' })
  size: string;

  @Column({ name: 'content_type', type: 'varchar', length: 64 })
  contentType: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  /** The reel that uses it (one upload, one reel). */
  @Column({ name: 'reel_id', type: 'int', nullable: true })
  reelId: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
