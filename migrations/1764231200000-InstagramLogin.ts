import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instagram Login (DESIGN.md section 9): each connection says how it was made (`login_type`);
 * Instagram-Login connections have no Page (the Page columns were already nullable) and keep the
 * app-scoped id of /me next to the professional account id. Login attempts say which dialog
 * they started (`provider`), so a state of one kind is never completed by the other's callback.
 */
export class InstagramLogin1764231200000 implements MigrationInterface {
  name = 'InstagramLogin1764231200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE instagram_tokens ADD COLUMN login_type VARCHAR(16) NOT NULL DEFAULT 'facebook'`);
    await q.query(
      `ALTER TABLE instagram_tokens ADD CONSTRAINT instagram_tokens_login_type_check CHECK (login_type IN ('facebook', 'instagram'))`,
    );
    await q.query(`ALTER TABLE instagram_tokens ADD COLUMN ig_scoped_user_id VARCHAR(100)`);
    await q.query(`ALTER TABLE oauth_states ADD COLUMN provider VARCHAR(16) NOT NULL DEFAULT 'facebook'`);
    await q.query(
      `ALTER TABLE oauth_states ADD CONSTRAINT oauth_states_provider_check CHECK (provider IN ('facebook', 'instagram'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE oauth_states DROP CONSTRAINT oauth_states_provider_check`);
    await q.query(`ALTER TABLE oauth_states DROP COLUMN provider`);
    await q.query(`ALTER TABLE instagram_tokens DROP COLUMN ig_scoped_user_id`);
    await q.query(`ALTER TABLE instagram_tokens DROP CONSTRAINT instagram_tokens_login_type_check`);
    // Instagram-Login rows cannot be told apart any more; they would pass for Facebook ones
    await q.query(`ALTER TABLE instagram_tokens DROP COLUMN login_type`);
  }
}
