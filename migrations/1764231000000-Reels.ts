import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Publishing Reels (DESIGN.md §8): reel_uploads (videos streamed to UPLOAD_DIR), reels (one row
 * per reel: its status, Meta's container and media ids, the publish ledger, the
 * Idempotency-Key), reel_events (every step).
 */
export class Reels1764231000000 implements MigrationInterface {
  name = 'Reels1764231000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reel_uploads (
        id UUID PRIMARY KEY,
        user_id INTEGER NOT NULL,
        file_name VARCHAR(128) NOT NULL,
        size BIGINT NOT NULL,
        content_type VARCHAR(64) NOT NULL,
        sha256 CHAR(64) NOT NULL,
        reel_id INTEGER,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        expires_at TIMESTAMPTZ NOT NULL,
        deleted_at TIMESTAMPTZ,
        CONSTRAINT reel_uploads_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_reel_uploads_user ON reel_uploads (user_id)`);
    await q.query(`CREATE INDEX idx_reel_uploads_expiry ON reel_uploads (expires_at) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE reels (
        id SERIAL PRIMARY KEY,
        user_id INTEGER NOT NULL,
        account_id INTEGER NOT NULL,
        status VARCHAR(16) NOT NULL,
        video_url TEXT,
        upload_id UUID,
        caption TEXT,
        share_to_feed BOOLEAN NOT NULL DEFAULT true,
        cover_url TEXT,
        thumb_offset INTEGER,
        audio_name VARCHAR(255),
        collaborators JSONB,
        location_id VARCHAR(64),
        publish_at TIMESTAMPTZ NOT NULL,
        next_attempt_at TIMESTAMPTZ,
        container_id VARCHAR(64),
        containers_made INTEGER NOT NULL DEFAULT 0,
        bytes_sent BOOLEAN NOT NULL DEFAULT false,
        polls INTEGER NOT NULL DEFAULT 0,
        transient_failures INTEGER NOT NULL DEFAULT 0,
        publish_requested_at TIMESTAMPTZ,
        media_id VARCHAR(64),
        permalink TEXT,
        error_code VARCHAR(64),
        error_message TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        idempotency_key VARCHAR(255),
        request_hash CHAR(64),
        lease_until TIMESTAMPTZ,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        published_at TIMESTAMPTZ,
        CONSTRAINT reels_status_check CHECK ("status" IN ('scheduled', 'queued', 'uploading', 'processing', 'publishing', 'published', 'failed', 'cancelled')),
        CONSTRAINT reels_source_check CHECK (("video_url" IS NULL) <> ("upload_id" IS NULL)),
        CONSTRAINT reels_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT reels_account_id_fkey FOREIGN KEY (account_id) REFERENCES instagram_tokens(id) ON DELETE CASCADE,
        CONSTRAINT reels_upload_id_fkey FOREIGN KEY (upload_id) REFERENCES reel_uploads(id) ON DELETE SET NULL
      )`);
    // Idempotency-Key: one reel per (user, key)
    await q.query(
      `CREATE UNIQUE INDEX uq_reels_idempotency ON reels (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(`CREATE INDEX idx_reels_user ON reels (user_id, id)`);
    await q.query(`CREATE INDEX idx_reels_account ON reels (account_id, id)`);
    // the scheduler's sweep: reels still in the pipeline, by when they are due
    await q.query(
      `CREATE INDEX idx_reels_due ON reels (next_attempt_at, id) WHERE status IN ('scheduled', 'queued', 'uploading', 'processing', 'publishing')`,
    );
    // our posts in the quota window (when it frees)
    await q.query(`CREATE INDEX idx_reels_published ON reels (account_id, published_at) WHERE status = 'published'`);

    await q.query(`
      CREATE TABLE reel_events (
        id BIGSERIAL PRIMARY KEY,
        reel_id INTEGER NOT NULL,
        type VARCHAR(32) NOT NULL,
        status VARCHAR(16) NOT NULL,
        message TEXT,
        error_code VARCHAR(64),
        graph_error_code INTEGER,
        graph_error_subcode INTEGER,
        details JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT reel_events_reel_id_fkey FOREIGN KEY (reel_id) REFERENCES reels(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_reel_events_reel ON reel_events (reel_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reel_events`);
    await q.query(`DROP TABLE reels`);
    await q.query(`DROP TABLE reel_uploads`);
  }
}
