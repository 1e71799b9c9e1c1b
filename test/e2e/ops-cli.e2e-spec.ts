import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ROOT } from '../helpers/processes';

/**
 * Issue 15: the ops commands run as compiled JavaScript with plain node, the way the runtime image
 * has them: dist/ and scripts/, no src/, no ts-node (a devDependency the image does not install).
 */
describe('ops CLIs, compiled (e2e)', () => {
  let image: string;
  let db: TestDatabase;

  beforeAll(() => {
    image = mkdtempSync(join(tmpdir(), 'autoreels-image-'));
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(image, 'dist')],
      {
        encoding: 'utf8',
      },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    cpSync(join(ROOT, 'scripts'), join(image, 'scripts'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(image, 'package.json'));
    // node_modules without the dev-only TypeScript runners
    mkdirSync(join(image, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (['ts-node', 'typescript', '.bin'].includes(name)) continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(image, 'node_modules', name));
    }
  }, 120_000);
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => db?.drop());
  afterAll(() => rmSync(image, { recursive: true, force: true }));

  const run = (npmScript: string, args: string[] = []) => {
    const pkg = require(join(ROOT, 'package.json')) as { scripts: Record<string, string> };
    const [cmd, ...rest] = pkg.scripts[npmScript].split(' ');
    expect(cmd).toBe('node');
    const [script, ...scriptArgs] = rest; // the path is relative to the package root, as npm runs it
    return spawnSync(process.execPath, [join(image, script), ...scriptArgs, ...args], {
      cwd: image,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        ENVIRONMENT: 'test',
        SECRET_KEY: `test-secret-${randomBytes(16).toString('hex')}`,
        DATABASE_URL: db.url,
        REDIS_URL: 'redis://127.0.0.1:6379/0',
        REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
      },
    });
  };

  it('should have no src/ and no ts-node to fall back on', () => {
    expect(existsSync(join(image, 'src'))).toBe(false);
    expect(existsSync(join(image, 'node_modules', 'ts-node'))).toBe(false);
  });

  it('should run users:make-admin, tokens:reencrypt and tokens:sweep from dist/ with plain node', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(`INSERT INTO users (email, password_hash) VALUES ('ana@example.com', 'x')`);
      const admin = run('users:make-admin', ['ana@example.com']);
      expect({ status: admin.status, stderr: admin.stderr }).toEqual({ status: 0, stderr: '' });
      expect(admin.stdout).toContain('ana@example.com is now an admin');
      expect((await pg.query(`SELECT role FROM users WHERE email = 'ana@example.com'`)).rows[0].role).toBe('admin');
    } finally {
      await pg.end();
    }
    const reencrypt = run('tokens:reencrypt');
    expect({ status: reencrypt.status, stderr: reencrypt.stderr }).toEqual({ status: 0, stderr: '' });
    expect(reencrypt.stdout).toMatch(/re-encrypted 0 account\(s\)/);
    const sweep = run('tokens:sweep');
    expect({ status: sweep.status, stderr: sweep.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sweep.stdout).toMatch(/0 due account\(s\) enqueued/);
  }, 90_000);
});
