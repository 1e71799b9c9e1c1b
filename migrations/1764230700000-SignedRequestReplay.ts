import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * meta_signed_requests (each deauthorize / data-deletion signed_request acted on once, its first
 * answer replayed), and data_deletion_requests.issued_at (what a deletion covers: data obtained
 * before Meta issued the request).
 */
export class SignedRequestReplay1764230700000 implements MigrationInterface {
  name = 'SignedRequestReplay1764230700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meta_signed_requests (
        id BIGSERIAL PRIMARY KEY,
        request_hash CHAR(64) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL,
        answer JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT meta_signed_requests_kind_check CHECK (kind IN ('deauthorize', 'data_deletion'))
      )`);
    // The replay key: INSERT … ON CONFLICT (request_hash) DO NOTHING
    await q.query(`CREATE UNIQUE INDEX uq_meta_signed_requests_hash ON meta_signed_requests (request_hash)`);
    await q.query(`CREATE INDEX idx_meta_signed_requests_created ON meta_signed_requests (created_at)`);

    // Requests recorded before this migration covered everything held when they arrived; the
    // default says the same for a row written without one.
    await q.query(`ALTER TABLE data_deletion_requests ADD COLUMN issued_at TIMESTAMPTZ`);
    await q.query(`UPDATE data_deletion_requests SET issued_at = created_at`);
    await q.query(`ALTER TABLE data_deletion_requests ALTER COLUMN issued_at SET NOT NULL`);
    await q.query(`ALTER TABLE data_deletion_requests ALTER COLUMN issued_at SET DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE data_deletion_requests DROP COLUMN issued_at`);
    await q.query(`DROP TABLE meta_signed_requests`);
  }
}
