import type { MigrationInterface, QueryRunner } from 'typeorm';

/** reconnect_links: the one-click reconnect links sent in alert e-mails (hash only, single use). */
export class ReconnectLinks1764230500000 implements MigrationInterface {
  name = 'ReconnectLinks1764230500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconnect_links (
        id SERIAL PRIMARY KEY,
        token_hash CHAR(64) NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES instagram_tokens(id) ON DELETE CASCADE,
        alert_id INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_reconnect_links_hash ON reconnect_links (token_hash)`);
    await q.query(`CREATE INDEX idx_reconnect_links_account ON reconnect_links (account_id)`);
    await q.query(`CREATE INDEX idx_reconnect_links_expires ON reconnect_links (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconnect_links`);
  }
}
