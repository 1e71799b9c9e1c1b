import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../config/database';
import { validateEnv } from '../config/env.schema';

/**
 * Runs pending migrations (npm start does this first). In development it also creates the
 * database named in DATABASE_URL when the server does not have it yet, so zero config just works.
 */
export async function migrate(databaseUrl: string, createIfMissing: boolean): Promise<string[]> {
  if (createIfMissing) {
    const url = new URL(databaseUrl);
    const name = decodeURIComponent(url.pathname.slice(1));
    url.pathname = '/postgres';
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
  }
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  try {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  loadDotEnv({ quiet: true });
  Promise.resolve()
    .then(() => {
      const env = validateEnv(process.env); // a configuration error is one clear message, not a stack trace
      return migrate(env.DATABASE_URL, env.ENVIRONMENT !== 'production');
    })
    .then((applied) => {
      process.stdout.write(applied.length ? `migrations applied: ${applied.join(', ')}\n` : 'migrations: nothing pending\n');
    })
    .catch((err: unknown) => {
      process.stderr.write(`migrations failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
