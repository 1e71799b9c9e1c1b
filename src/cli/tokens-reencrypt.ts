import 'reflect-metadata';
import { Presets, SingleBar } from 'cli-progress';
import { config as loadDotEnv } from 'dotenv';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../config/database';
import { validateEnv } from '../config/env.schema';
import { SystemClock } from '../common/clock';
import type { ReencryptResult } from '../modules/connections/connection.repository';
import {
  TypeormConnectionRepository,
  type ReencryptProgress,
} from '../modules/connections/persistence/typeorm-connection.repository';
import { TokenVault } from '../modules/connections/token-vault';
import { WebhookRepository } from '../modules/integrations/persistence/webhook.repository';
import { ReencryptWebhookSecrets } from '../modules/integrations/use-cases/reencrypt-webhook-secrets.use-case';
import { WebhookSecrets } from '../modules/integrations/webhook-secrets';
import { OAuthStateEntity } from '../modules/social/oauth-state.entity';
import { OAuthStateService } from '../modules/social/oauth-state.service';

/**
 * Key rotation: moves every stored token, every webhook signing secret and every account picker's
 * pending login to the first key of TOKEN_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, deploy, run this, then
 * drop the old keys. Safe to re-run and to run while the service works (each row is a
 * compare-and-swap of its ciphertext; a check in flight still stores its result); each account
 * moved gets a `key_rotated` event in its history.
 */
export function reencryptAll(
  ds: DataSource,
  vault: TokenVault,
  batch = 500,
  onProgress?: ReencryptProgress,
): Promise<ReencryptResult> {
  return new TypeormConnectionRepository(ds, vault, new SystemClock()).reencryptAll(batch, onProgress);
}

export function reencryptWebhookSecrets(
  ds: DataSource,
  vault: TokenVault,
  batch = 500,
): Promise<{ moved: number; left: number }> {
  return new ReencryptWebhookSecrets(new WebhookRepository(ds), new WebhookSecrets(vault)).execute(batch);
}

export function reencryptPendingLogins(ds: DataSource, vault: TokenVault): Promise<{ moved: number }> {
  return new OAuthStateService(ds.getRepository(OAuthStateEntity), new SystemClock(), vault).reencryptPendingSecrets();
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
      const vault = new TokenVault(config);
      const { moved, skipped, left } = await reencryptAll(ds, vault, 500, (done, total) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done);
      }).finally(() => started && bar.stop());
      const hooks = await reencryptWebhookSecrets(ds, vault);
      const pickers = await reencryptPendingLogins(ds, vault);
      process.stdout.write(
        `re-encrypted ${moved} account(s) with key "${vault.currentKeyId}"; ${skipped} changed meanwhile; ` +
          `${hooks.moved} webhook secret(s); ${pickers.moved} pending account picker(s)\n`,
      );
      await ds.destroy();
      if (left + hooks.left > 0) {
        // keep the old keys: something still writes with them
        process.stderr.write(
          `${left} account(s) and ${hooks.left} webhook secret(s) are still under an old key (a process with an older ` +
            `TOKEN_ENCRYPTION_KEYS keeps writing them): deploy the new key ring everywhere, then run this again\n`,
        );
        process.exitCode = 1;
      }
    })
    .catch(async (err: unknown) => {
      process.stderr.write(`re-encryption failed: ${err instanceof Error ? err.message : String(err)}\n`);
      await ds?.destroy().catch(() => undefined);
      process.exit(1);
    });
}
