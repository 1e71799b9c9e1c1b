import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type UserRole = 'user' | 'admin';

/*
 * The schema is owned by the hand-written migrations; these decorators describe it so that the
 * schema builder (`migration:generate`) finds no difference (test/e2e/schema-drift.e2e-spec.ts).
 */
@Entity('users')
// UNIQUE INDEX ON users (lower(email)): TypeORM cannot express a functional index, so it is
// declared here but left alone by the schema builder.
@Index('uq_users_email_lower', { synchronize: false })
@Check('users_role_check', `"role" IN ('user', 'admin')`)
export class UserEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Stored lower-cased; a unique index on lower(email) keeps it case-insensitive. */
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role: UserRole;

  /** Carried by every API token (claim `ver`); bumping it (POST /auth/logout-all) invalidates older tokens. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
