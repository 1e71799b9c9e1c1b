import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../config/database';
import { validateEnv } from '../config/env.schema';

/**
 * `npm run users:make-admin -- ana@example.com`: gives an existing user the admin role (the queue
 * dashboard at /admin/queues is for admins only). There is deliberately no HTTP route for this.
 */
export async function makeAdmin(ds: DataSource, email: string): Promise<boolean> {
  const rows = await ds.query<[unknown[], number]>(
    `UPDATE users SET role = 'admin', updated_at = now() WHERE lower(email) = lower($1)`,
    [email],
  );
  return rows[1] === 1;
}

if (require.main === module) {
  loadDotEnv({ quiet: true });
  const email = process.argv[2];
  if (!email) {
    process.stderr.write('usage: npm run users:make-admin -- <email>\n');
    process.exit(2);
  }
  let ds: DataSource | undefined;
  Promise.resolve()
    .then(async () => {
      ds = new DataSource(dataSourceOptions(validateEnv(process.env).DATABASE_URL));
      await ds.initialize();
      return makeAdmin(ds, email);
    })
    .then(async (ok) => {
      process.stdout.write(ok ? `${email} is now an admin\n` : `no user with e-mail ${email}\n`);
      await ds?.destroy();
      process.exit(ok ? 0 : 1);
    })
    .catch((err: unknown) => {
      process.stderr.write(`failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
