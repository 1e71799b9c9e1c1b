import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * An integrator's key (DESIGN.md section 10). Only the SHA-256 of the key is stored; the key
 * itself is shown once, at creation. Revoking deletes the row.
 */
@Entity('api_keys')
@Index('uq_api_keys_hash', ['keyHash'], { unique: true })
@Index('idx_api_keys_user', ['userId'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** FK only (never loaded). */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'api_keys_user_id_fkey' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** `ark_` and the first 8 characters of the key, to tell keys apart in lists. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  /** Scope "write" (scope "read" is implied for every key). */
  @Column({ name: 'can_write', type: 'boolean', default: false })
  canWrite: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Written at most once a minute per key (LAST_USED_WRITE_INTERVAL_MS), never per request. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
