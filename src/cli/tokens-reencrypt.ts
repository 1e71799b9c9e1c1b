import 'reflect-metadata';
import { Presets, SingleBar } from 'cli-progress';
import { config as loadDotEnv } from 'dotenv';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../config/database';
import { validateEnv } from '../config/env.schema';
import { SystemClock } from '../common/clock';
import {
  TypeormConnectionRepository,
  type ReencryptProgress,
} from '../modules/connections/persistence/typeorm-connection.repository';
import { TokenVault } from '../modules/connections/token-vault';

/**
 * Key rotation: moves every stored token to the first key of TOKEN_ENCRYPTION_KEYS. Put the new
 * key first, keep the old ones after it, run this, then drop the old keys. Safe to re-run and to
 * run while the service works (each row is updated only if its version did not change); each
 * account moved gets a `key_rotated` event in its history.
 */
export function reencryptAll(
  ds: DataSource,
  vault: TokenVault,
  batch = 500,
  onProgress?: ReencryptProgress,
): Promise<{ moved: number; skipped: number }> {
  return new TypeormConnectionRepository(ds, vault, new SystemClock()).reencryptAll(batch, onProgress);
}

if (require.main === module) {
  loadDotEnv({ quiet: true });
  let ds: DataSource | undefined;
  Promise.resolve()
    .then(async () => {
      const config = new AppConfig(validateEnv(process.env));
      ds = new DataSource(dataSourceOptions(config.databaseUrl));
      await ds.initialize();
      // the same progress bar as tokens:sweep (on stderr, so stdout keeps only the summary line)
      const bar = new SingleBar(
        { format: 'reencrypt [{bar}] {value}/{total} accounts | {duration}s', hideCursor: true, stream: process.stderr },
        Presets.shades_classic,
      );
      let started = false;
      const { moved, skipped } = await reencryptAll(ds, new TokenVault(config), 500, (done, total) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done);
      }).finally(() => started && bar.stop());
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
