import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to `instagram_tokens`, whoever makes it (api, worker, CLI, data deletion, psql),
 * tells the api instances which user's connections changed: NOTIFY `instagram_tokens_changed`
 * with the user id ('*' after a TRUNCATE). The api's status cache (ConnectionStatusCache) listens
 * and forgets that user's status. Statement-level triggers with transition tables: a bulk UPDATE
 * costs one trigger call, and PostgreSQL folds identical payloads of one transaction into one.
 */
export class ConnectionChangeNotify1764231300000 implements MigrationInterface {
  name = 'ConnectionChangeNotify1764231300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION instagram_tokens_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          PERFORM pg_notify('instagram_tokens_changed', '*');
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('instagram_tokens_changed', u::text) FROM (SELECT DISTINCT user_id AS u FROM old_rows) d;
        ELSE
          PERFORM pg_notify('instagram_tokens_changed', u::text) FROM (SELECT DISTINCT user_id AS u FROM new_rows) d;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER instagram_tokens_notify_insert AFTER INSERT ON instagram_tokens
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION instagram_tokens_notify()`);
    await q.query(`CREATE TRIGGER instagram_tokens_notify_update AFTER UPDATE ON instagram_tokens
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION instagram_tokens_notify()`);
    await q.query(`CREATE TRIGGER instagram_tokens_notify_delete AFTER DELETE ON instagram_tokens
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION instagram_tokens_notify()`);
    await q.query(`CREATE TRIGGER instagram_tokens_notify_truncate AFTER TRUNCATE ON instagram_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION instagram_tokens_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['insert', 'update', 'delete', 'truncate']) {
      await q.query(`DROP TRIGGER instagram_tokens_notify_${t} ON instagram_tokens`);
    }
    await q.query(`DROP FUNCTION instagram_tokens_notify()`);
  }
}
