import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReelEntity } from './reel.entity';

/** History of every step of a reel (queued, container, polls, publish requested, published, failed). Never a token. */
@Entity('reel_events')
@Index('idx_reel_events_reel', ['reelId', 'id'])
export class ReelEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'reel_id', type: 'int' })
  reelId: number;

  @ManyToOne(() => ReelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reel_id', foreignKeyConstraintName: 'reel_events_reel_id_fkey' })
  reel?: ReelEntity;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'varchar', length: 16 })
  status: string;

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
