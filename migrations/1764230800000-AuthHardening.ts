import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users.token_version: every API token carries the version it was issued under; bumping it
 * (POST /auth/logout-all) makes every older token of that user invalid.
 */
export class AuthHardening1764230800000 implements MigrationInterface {
  name = 'AuthHardening1764230800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN token_version`);
  }
}
