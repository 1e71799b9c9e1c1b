import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instagram Login's deauthorize and data-deletion callbacks: a data-deletion request says whose
 * id it holds (`login_type`), the replay ledger knows the two Instagram callbacks apart from
 * Facebook's, and an Instagram-Login connection can be found by the app-scoped id of /me (Meta's
 * signed_request may carry either of the account's two ids).
 */
export class InstagramLoginCallbacks1764231400000 implements MigrationInterface {
  name = 'InstagramLoginCallbacks1764231400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_deletion_requests ADD COLUMN login_type VARCHAR(16) NOT NULL DEFAULT 'facebook'`);
    await q.query(
      `ALTER TABLE data_deletion_requests ADD CONSTRAINT data_deletion_requests_login_type_check CHECK (login_type IN ('facebook', 'instagram'))`,
    );
    await q.query(`ALTER TABLE meta_signed_requests DROP CONSTRAINT meta_signed_requests_kind_check`);
    await q.query(
      `ALTER TABLE meta_signed_requests ADD CONSTRAINT meta_signed_requests_kind_check
         CHECK (kind IN ('deauthorize', 'data_deletion', 'ig_deauthorize', 'ig_data_deletion'))`,
    );
    await q.query(`CREATE INDEX idx_instagram_tokens_ig_scoped_user_id ON instagram_tokens (ig_scoped_user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_instagram_tokens_ig_scoped_user_id`);
    // the ledger's Instagram rows cannot be kept under the old constraint; they only guard against replays (48 h)
    await q.query(`DELETE FROM meta_signed_requests WHERE kind IN ('ig_deauthorize', 'ig_data_deletion')`);
    await q.query(`ALTER TABLE meta_signed_requests DROP CONSTRAINT meta_signed_requests_kind_check`);
    await q.query(
      `ALTER TABLE meta_signed_requests ADD CONSTRAINT meta_signed_requests_kind_check CHECK (kind IN ('deauthorize', 'data_deletion'))`,
    );
    await q.query(`ALTER TABLE data_deletion_requests DROP CONSTRAINT data_deletion_requests_login_type_check`);
    // pending Instagram requests would pass for Facebook ones; they are left to finish before a downgrade
    await q.query(`ALTER TABLE data_deletion_requests DROP COLUMN login_type`);
  }
}
