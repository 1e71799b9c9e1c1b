import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrators (DESIGN.md section 10): api_keys (only the SHA-256 of each key), webhook_endpoints
 * (signing secret encrypted with the token key ring) and webhook_event_deliveries (each event for
 * each endpoint, with the exact body and the attempt log).
 */
export class Integrations1764231100000 implements MigrationInterface {
  name = 'Integrations1764231100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id SERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL,
        name VARCHAR(100) NOT NULL,
        prefix VARCHAR(16) NOT NULL,
        key_hash CHAR(64) NOT NULL,
        can_write BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_used_at TIMESTAMPTZ,
        CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_api_keys_hash ON api_keys (key_hash)`);
    await q.query(`CREATE INDEX idx_api_keys_user ON api_keys (user_id)`);

    await q.query(`
      CREATE TABLE webhook_endpoints (
        id SERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL,
        url VARCHAR(2048) NOT NULL,
        events TEXT[] NOT NULL,
        secret_encrypted TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT true,
        disabled_at TIMESTAMPTZ,
        disabled_reason VARCHAR(300),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT webhook_endpoints_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_webhook_endpoints_user ON webhook_endpoints (user_id)`);

    await q.query(`
      CREATE TABLE webhook_event_deliveries (
        id UUID PRIMARY KEY,
        endpoint_id INTEGER NOT NULL,
        event_id UUID NOT NULL,
        event_type VARCHAR(64) NOT NULL,
        body TEXT NOT NULL,
        status VARCHAR(16) NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status_code INTEGER,
        last_error VARCHAR(300),
        next_retry_at TIMESTAMPTZ,
        delivered_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT webhook_event_deliveries_status_check CHECK ("status" IN ('pending', 'delivered', 'failed')),
        CONSTRAINT webhook_event_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_webhook_event_deliveries_endpoint ON webhook_event_deliveries (endpoint_id, created_at)`);
    await q.query(
      `CREATE INDEX idx_webhook_event_deliveries_pending ON webhook_event_deliveries (next_retry_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_event_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP TABLE api_keys`);
  }
}
