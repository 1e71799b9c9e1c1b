import type { MigrationInterface, QueryRunner } from 'typeorm';

/** webhook_deliveries (each Meta delivery stored once) and data_deletion_requests (Meta's data-deletion callback). */
export class Webhooks1764230600000 implements MigrationInterface {
  name = 'Webhooks1764230600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id BIGSERIAL PRIMARY KEY,
        delivery_key CHAR(64) NOT NULL,
        object VARCHAR(32) NOT NULL,
        entry_ids TEXT[] NOT NULL DEFAULT '{}',
        payload JSONB NOT NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        claimed_until TIMESTAMPTZ,
        processed_at TIMESTAMPTZ
      )`);
    // The idempotency key: INSERT … ON CONFLICT (delivery_key) DO NOTHING
    await q.query(`CREATE UNIQUE INDEX uq_webhook_deliveries_key ON webhook_deliveries (delivery_key)`);
    await q.query(`CREATE INDEX idx_webhook_deliveries_entry_ids ON webhook_deliveries USING GIN (entry_ids)`);
    await q.query(
      `CREATE INDEX idx_webhook_deliveries_unprocessed ON webhook_deliveries (received_at) WHERE processed_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE data_deletion_requests (
        id SERIAL PRIMARY KEY,
        confirmation_code VARCHAR(32) NOT NULL,
        fb_user_hash CHAR(64) NOT NULL,
        fb_user_id VARCHAR(100),
        status VARCHAR(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed')),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        completed_at TIMESTAMPTZ
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_data_deletion_requests_code ON data_deletion_requests (confirmation_code)`);
    // At most one pending request per Facebook user: a repeated request gets the same code
    await q.query(
      `CREATE UNIQUE INDEX uq_data_deletion_requests_pending ON data_deletion_requests (fb_user_hash) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX idx_data_deletion_requests_hash ON data_deletion_requests (fb_user_hash, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE data_deletion_requests`);
    await q.query(`DROP TABLE webhook_deliveries`);
  }
}
