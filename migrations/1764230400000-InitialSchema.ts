import type { MigrationInterface, QueryRunner } from 'typeorm';

/** users, instagram_tokens (the seed's table, extended), oauth_states, token_events, alerts. */
export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id SERIAL PRIMARY KEY,
        email VARCHAR(320) NOT NULL,
        password_hash VARCHAR(255) NOT NULL,
        role VARCHAR(16) NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))`);

    await q.query(`
      CREATE TABLE instagram_tokens (
        id SERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        fb_page_id VARCHAR(100),
        fb_page_name VARCHAR(200),
        fb_user_id VARCHAR(100),
        ig_user_id VARCHAR(100) NOT NULL,
        instagram_username VARCHAR(100),
        instagram_name VARCHAR(200),
        ig_profile_picture VARCHAR(2048),
        long_lived_token TEXT,
        access_token TEXT,
        token_key_id VARCHAR(32),
        token_type VARCHAR(50),
        expires_at TIMESTAMPTZ,
        token_expires_in INTEGER,
        token_issued_at TIMESTAMPTZ,
        user_token_expires_at TIMESTAMPTZ,
        page_token_expires_at TIMESTAMPTZ,
        data_access_expires_at TIMESTAMPTZ,
        is_valid BOOLEAN NOT NULL DEFAULT true,
        last_refreshed_at TIMESTAMPTZ,
        refresh_count INTEGER NOT NULL DEFAULT 0,
        permissions JSONB,
        is_connected BOOLEAN NOT NULL DEFAULT false,
        is_default BOOLEAN NOT NULL DEFAULT false,
        status VARCHAR(32) NOT NULL DEFAULT 'active'
          CHECK (status IN ('active', 'expiring', 'needs_reconnect', 'revoked', 'disconnected')),
        status_reason TEXT,
        last_checked_at TIMESTAMPTZ,
        next_check_at TIMESTAMPTZ,
        last_error_code VARCHAR(64),
        lease_until TIMESTAMPTZ,
        version INTEGER NOT NULL DEFAULT 1,
        connected_at TIMESTAMPTZ,
        disconnected_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_instagram_tokens_user_ig ON instagram_tokens (user_id, ig_user_id)`);
    await q.query(`CREATE INDEX idx_instagram_tokens_user_id ON instagram_tokens (user_id)`);
    await q.query(`CREATE INDEX idx_instagram_tokens_fb_page_id ON instagram_tokens (fb_page_id)`);
    await q.query(`CREATE INDEX idx_instagram_tokens_ig_user_id ON instagram_tokens (ig_user_id)`);
    await q.query(`CREATE INDEX idx_instagram_tokens_fb_user_id ON instagram_tokens (fb_user_id)`);
    // The scheduler's keyset scan: connected rows by (next_check_at, id).
    await q.query(`CREATE INDEX idx_instagram_tokens_due ON instagram_tokens (next_check_at, id) WHERE is_connected`);
    // At most one default account per user.
    await q.query(
      `CREATE UNIQUE INDEX uq_instagram_tokens_default ON instagram_tokens (user_id) WHERE is_default AND is_connected`,
    );

    await q.query(`
      CREATE TABLE oauth_states (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        state_hash CHAR(64) NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose VARCHAR(16) NOT NULL,
        account_id INTEGER REFERENCES instagram_tokens(id) ON DELETE SET NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        consumed_at TIMESTAMPTZ,
        result JSONB,
        pending_secret TEXT,
        completed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_oauth_states_hash ON oauth_states (state_hash)`);
    await q.query(`CREATE INDEX idx_oauth_states_expires ON oauth_states (expires_at)`);

    await q.query(`
      CREATE TABLE token_events (
        id BIGSERIAL PRIMARY KEY,
        account_id INTEGER REFERENCES instagram_tokens(id) ON DELETE SET NULL,
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        type VARCHAR(48) NOT NULL,
        outcome VARCHAR(16) NOT NULL,
        actor VARCHAR(16) NOT NULL,
        message TEXT,
        error_code VARCHAR(64),
        graph_error_code INTEGER,
        graph_error_subcode INTEGER,
        details JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_token_events_account ON token_events (account_id, created_at DESC)`);
    await q.query(`CREATE INDEX idx_token_events_user ON token_events (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE alerts (
        id SERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        account_id INTEGER REFERENCES instagram_tokens(id) ON DELETE CASCADE,
        kind VARCHAR(32) NOT NULL,
        dedupe_key VARCHAR(128) NOT NULL,
        threshold_days INTEGER,
        token_expires_at TIMESTAMPTZ,
        message TEXT NOT NULL,
        read_at TIMESTAMPTZ,
        emailed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_alerts_once ON alerts (account_id, kind, dedupe_key)`);
    await q.query(`CREATE INDEX idx_alerts_user_unread ON alerts (user_id, created_at DESC) WHERE read_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alerts`);
    await q.query(`DROP TABLE token_events`);
    await q.query(`DROP TABLE oauth_states`);
    await q.query(`DROP TABLE instagram_tokens`);
    await q.query(`DROP TABLE users`);
  }
}
