import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { startApi, type TestApi } from '../helpers/api-app';
import { callback, dialog, newPerson, newUser, startStack, type Stack } from '../helpers/stack';
import { deleteRedisPrefix, waitFor } from '../helpers/lifecycle';

/**
 * The compiled roles and ops CLIs as ops run them (`node dist/...`, issue 16): the real scheduler
 * role firing both cron triggers, and tokens:sweep, tokens:reencrypt and users:make-admin against
 * a test database. Builds the API first when dist/ is missing or older than src/.
 */
const ROOT = join(__dirname, '..', '..');
const DIST = {
  scheduler: join(ROOT, 'dist/src/roles/scheduler.js'),
  sweep: join(ROOT, 'dist/src/cli/tokens-sweep.js'),
  reencrypt: join(ROOT, 'dist/src/cli/tokens-reencrypt.js'),
  makeAdmin: join(ROOT, 'dist/src/cli/make-admin.js'),
};
const MAINTENANCE_QUEUE = 'token-maintenance';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const files = Object.values(DIST);
  const built = files.every((f) => existsSync(f)) ? Math.min(...files.map((f) => statSync(f).mtimeMs)) : 0;
  if (built < newestMtime(join(ROOT, 'src'))) execFileSync('npm', ['run', 'build:api'], { cwd: ROOT, stdio: 'ignore' });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a compiled entry point to completion with exactly the given environment (plus PATH). */
function runNode(file: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const key = () => randomBytes(32).toString('base64');

describe('compiled scheduler role and ops CLIs (e2e)', () => {
  const k1 = `k1:${key()}`;
  const k2 = `k2:${key()}`;
  let stack: Stack;
  let pg: Client;
  let queue: Queue;
  let roleEnv: Record<string, string>;

  beforeAll(async () => {
    ensureBuilt();
    stack = await startStack({ TOKEN_ENCRYPTION_KEYS: k1 });
    pg = new Client({ connectionString: stack.api.db.url });
    await pg.connect();
    const e = stack.api.env;
    roleEnv = {
      ENVIRONMENT: 'test',
      SECRET_KEY: e.SECRET_KEY,
      DATABASE_URL: e.DATABASE_URL,
      REDIS_URL: e.REDIS_URL,
      REDIS_KEY_PREFIX: e.REDIS_KEY_PREFIX,
      TOKEN_ENCRYPTION_KEYS: k1,
      FACEBOOK_GRAPH_URL: e.FACEBOOK_GRAPH_URL,
      FACEBOOK_DIALOG_URL: e.FACEBOOK_DIALOG_URL,
      LOG_LEVEL: 'warn',
    };
    queue = new Queue(MAINTENANCE_QUEUE, {
      connection: new IORedis(e.REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: e.REDIS_KEY_PREFIX,
    });
  }, 120_000);
  afterAll(async () => {
    await queue?.close();
    await pg?.end();
    if (stack) await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await stack?.close();
  });
  beforeEach(async () => {
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await pg.query(`UPDATE instagram_tokens SET next_check_at = now() + interval '1 day'`);
  });

  async function connect(): Promise<{ auth: string; email: string; accountId: number }> {
    const user = await newUser(stack);
    const person = await newPerson(stack, ['cli']);
    const res = await callback(stack, user.auth, await dialog(stack, user.auth, { user: person })).expect(200);
    return { ...user, accountId: res.body.accounts[0].id as number };
  }
  const makeDue = (id: number) =>
    pg.query(`UPDATE instagram_tokens SET next_check_at = now() - interval '1 minute' WHERE id = $1`, [id]);
  const jobsFor = async (id: number) =>
    (await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active'])).filter(
      (j) => (j.data as { accountId: number }).accountId === id,
    );

  it('should fire both cron triggers in the real scheduler role: the sweep enqueues a due account, housekeeping purges', async () => {
    const { auth, accountId } = await connect();
    await makeDue(accountId);
    // an abandoned login attempt, expired two days ago: housekeeping deletes it
    const login = await stack.http().post('/social/facebook/login').set('Authorization', auth).send({}).expect(200);
    const { rows } = await pg.query<{ id: string }>(
      `UPDATE oauth_states SET expires_at = now() - interval '2 days' WHERE user_id = (SELECT user_id FROM instagram_tokens WHERE id = $1)
         AND completed_at IS NULL RETURNING id`,
      [accountId],
    );
    expect(rows).toHaveLength(1);
    expect(login.body.state).toBeTruthy();

    const child = spawn(process.execPath, [DIST.scheduler], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...roleEnv, TOKEN_REFRESH_CRON: '*/1 * * * * *', HOUSEKEEPING_CRON: '*/1 * * * * *' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
    try {
      const jobs = await waitFor('the sweep to enqueue the due account', async () => {
        const j = await jobsFor(accountId);
        return j.length ? j : null;
      });
      expect(jobs).toHaveLength(1);
      expect(jobs[0].id).toMatch(new RegExp(`^check-${accountId}-\\d+$`));
      expect(jobs[0].data).toEqual({ accountId });
      await waitFor('housekeeping to delete the abandoned login attempt', async () => {
        const left = await pg.query(`SELECT 1 FROM oauth_states WHERE id = $1`, [rows[0].id]);
        return left.rowCount === 0;
      });
      expect(out).toContain('scheduler role started');
    } finally {
      child.kill('SIGTERM');
    }
    // Nest's shutdown hooks close the crons and connections, then re-raise SIGTERM
    expect(['SIGTERM', 'exit 0']).toContain(await exited);
  }, 30_000);

  it('should enqueue due accounts with the compiled tokens:sweep CLI', async () => {
    const { accountId } = await connect();
    await makeDue(accountId);
    const run = await runNode(DIST.sweep, [], roleEnv);
    expect(run.stderr).not.toMatch(/failed/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 due account\(s\) enqueued/);
    const jobs = await jobsFor(accountId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].data).toEqual({ accountId });
  }, 30_000);

  it('should move every token to the new key with the compiled tokens:reencrypt CLI, and say so in each history', async () => {
    const a = await connect();
    const b = await connect();
    const before = await pg.query<{ id: number; token_key_id: string; access_token: string }>(
      `SELECT id, token_key_id, access_token FROM instagram_tokens WHERE access_token IS NOT NULL ORDER BY id`,
    );
    expect(before.rows.every((r) => r.token_key_id === 'k1')).toBe(true);

    const run = await runNode(DIST.reencrypt, [], { ...roleEnv, TOKEN_ENCRYPTION_KEYS: `${k2},${k1}` });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`re-encrypted ${before.rowCount} account(s) with key "k2"`);
    const after = await pg.query<{ id: number; token_key_id: string; access_token: string }>(
      `SELECT id, token_key_id, access_token FROM instagram_tokens WHERE access_token IS NOT NULL ORDER BY id`,
    );
    expect(after.rows.every((r) => r.token_key_id === 'k2')).toBe(true);
    expect(after.rows.map((r) => r.access_token)).not.toEqual(before.rows.map((r) => r.access_token));

    // the account's history says so, without a secret
    for (const { auth, accountId } of [a, b]) {
      const res = await stack.http().get(`/social/accounts/${accountId}/events`).set('Authorization', auth).expect(200);
      const rotated = (res.body.events as Array<Record<string, unknown>>).filter((e) => e.type === 'key_rotated');
      expect(rotated).toHaveLength(1);
      expect(rotated[0]).toMatchObject({ outcome: 'success', actor: 'system' });
      expect(rotated[0].message).toContain('"k2"');
      expect(JSON.stringify(rotated[0])).not.toMatch(/EAA|k1:|k2:/);
    }
    const details = await pg.query<{ details: unknown }>(`SELECT details FROM token_events WHERE type = 'key_rotated'`);
    expect(details.rows.map((r) => r.details)).toContainEqual({ from_key: 'k1', to_key: 'k2' });
    expect(JSON.stringify(details.rows)).not.toMatch(/EAA/);

    // re-running moves nothing and writes nothing
    const again = await runNode(DIST.reencrypt, [], { ...roleEnv, TOKEN_ENCRYPTION_KEYS: `${k2},${k1}` });
    expect(again.stdout).toContain('re-encrypted 0 account(s)');
    const count = await pg.query<{ n: number }>(`SELECT count(*)::int n FROM token_events WHERE type = 'key_rotated'`);
    expect(count.rows[0].n).toBe(before.rowCount);

    // an api that only knows the new key still works every account (decrypts and re-stores its tokens)
    let rotatedApi: TestApi | undefined;
    try {
      rotatedApi = await startApi(
        {
          SECRET_KEY: stack.api.env.SECRET_KEY,
          TOKEN_ENCRYPTION_KEYS: k2,
          FACEBOOK_GRAPH_URL: stack.sandbox.url,
          FACEBOOK_DIALOG_URL: stack.sandbox.url,
        },
        stack.api.db,
      );
      const res = await (
        await import('supertest')
      )
        .default(rotatedApi.app.getHttpServer())
        .post(`/social/accounts/${a.accountId}/refresh-token`)
        .set('Authorization', a.auth)
        .expect(200);
      expect(res.body).toMatchObject({ success: true, status: 'active' });
    } finally {
      await rotatedApi?.close();
    }
  }, 30_000);

  it('should grant the admin role with the compiled users:make-admin CLI, and fail for an unknown e-mail', async () => {
    const { auth, email } = await newUser(stack);
    await stack.http().get('/admin/queues').set('Authorization', auth).expect(403);
    const run = await runNode(DIST.makeAdmin, [email.toUpperCase()], roleEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('is now an admin');
    const { rows } = await pg.query<{ role: string }>(`SELECT role FROM users WHERE email = $1`, [email]);
    expect(rows[0].role).toBe('admin');
    const board = await stack.http().get('/admin/queues').set('Authorization', auth);
    expect(board.status).not.toBe(403); // the role is read fresh on every admin request
    const unknown = await runNode(DIST.makeAdmin, ['nobody@example.com'], roleEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('no user with e-mail nobody@example.com');
    const usage = await runNode(DIST.makeAdmin, [], roleEnv);
    expect(usage.code).toBe(2);
  }, 30_000);

  it('should refuse a scheduler with an invalid HOUSEKEEPING_CRON, naming it', async () => {
    const run = await runNode(DIST.scheduler, [], { ...roleEnv, HOUSEKEEPING_CRON: '61 * * * *' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HOUSEKEEPING_CRON');
  }, 30_000);
});
