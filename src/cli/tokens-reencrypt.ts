import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../config/database';
import { validateEnv } from '../config/env.schema';
import { TokenVault, tokenAad } from '../modules/tokens/token-vault';

interface Row {
  id: number;
  user_id: number;
  version: number;
  token_key_id: string | null;
  long_lived_token: string | null;
  access_token: string | null;
}

/**
 * Key rotation: moves every stored token to the first key of TOKEN_ENCRYPTION_KEYS. Put the new
 * key first, keep the old ones after it, run this, then drop the old keys. Safe to re-run and to
 * run while the service works (each row is updated only if its version did not change). Each moved
 * account gets a `key_rotated` event in its history (key ids only, never a token).
 */
export async function reencryptAll(ds: DataSource, vault: TokenVault, batch = 500): Promise<{ moved: number; skipped: number }> {
  let moved = 0;
  let skipped = 0;
  let lastId = 0;
  for (;;) {
    const rows = await ds.query<Row[]>(
      `SELECT id, user_id, version, token_key_id, long_lived_token, access_token FROM instagram_tokens
        WHERE id > $1 AND token_key_id IS DISTINCT FROM $2 AND (long_lived_token IS NOT NULL OR access_token IS NOT NULL)
        ORDER BY id LIMIT $3`,
      [lastId, vault.currentKeyId, batch],
    );
    if (!rows.length) break;
    for (const row of rows) {
      lastId = row.id;
      const move = (col: 'long_lived_token' | 'access_token') => {
        const blob = row[col];
        if (!blob) return null;
        const aad = tokenAad('instagram_tokens', row.id, col);
        return vault.encrypt(vault.decrypt(blob, aad), aad);
      };
      // the move and its line in the account's history in one statement: the event exists only if the row moved
      const res = await ds.query<Array<{ id: number }>>(
        `WITH u AS (
           UPDATE instagram_tokens SET long_lived_token = $1, access_token = $2, token_key_id = $3, version = version + 1
            WHERE id = $4 AND version = $5
            RETURNING id, user_id),
         e AS (
           INSERT INTO token_events (account_id, user_id, type, outcome, actor, message, details, created_at)
           SELECT u.id, u.user_id, 'key_rotated', 'success', 'system', $6, $7::jsonb, now() FROM u)
         SELECT id FROM u`,
        [
          move('long_lived_token'),
          move('access_token'),
          vault.currentKeyId,
          row.id,
          row.version,
          `Stored tokens re-encrypted with key "${vault.currentKeyId}" (were under "${row.token_key_id ?? 'none'}").`,
          JSON.stringify({ from_key: row.token_key_id, to_key: vault.currentKeyId }),
        ],
      );
      if (res.length === 1) moved++;
      else skipped++; // changed meanwhile: it was re-encrypted with the current key by that write
    }
  }
  return { moved, skipped };
}

if (require.main === module) {
  loadDotEnv({ quiet: true });
  let ds: DataSource | undefined;
  Promise.resolve()
    .then(async () => {
      const config = new AppConfig(validateEnv(process.env));
      ds = new DataSource(dataSourceOptions(config.databaseUrl));
      await ds.initialize();
      const { moved, skipped } = await reencryptAll(ds, new TokenVault(config));
      process.stdout.write(
        `re-encrypted ${moved} account(s) with key "${config.encryptionKeys[0].id}"; ${skipped} changed meanwhile\n`,
      );
      await ds.destroy();
    })
    .catch(async (err: unknown) => {
      process.stderr.write(`re-encryption failed: ${err instanceof Error ? err.message : String(err)}\n`);
      await ds?.destroy().catch(() => undefined);
      process.exit(1);
    });
}
