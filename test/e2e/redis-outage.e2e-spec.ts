import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import {
  nonJsonLines,
  ROOT,
  sparePort,
  spawnRole,
  startPrivateRedis,
  type PrivateRedis,
  type RoleProcess,
} from '../helpers/processes';

/**
 * Issue 15: a Redis outage, for real. Every role runs as its own process against a redis-server of
 * this spec's own, which is killed (SIGKILL) and started again. Logs stay JSON, one line per event
 * and one per state change; the api keeps serving authenticated reads from PostgreSQL while
 * register/login fail closed.
 */
describe('Redis outage (e2e, real processes)', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let roles: RoleProcess[] = [];
  let api: string;
  let bearer: string;
  const beats = mkdtempSync(join(tmpdir(), 'autoreels-heartbeat-'));
  /** The compose healthcheck of worker and scheduler: `node dist/src/cli/healthcheck.js <file>`. */
  const healthcheck = (role: string) =>
    spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/healthcheck.ts'), join(beats, role)],
      {
        env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
        encoding: 'utf8',
      },
    ).status;
  const lines = (r: RoleProcess, re: RegExp) => (r.stdout() + r.stderr()).split('\n').filter((l) => re.test(l));
  const timed = async (p: () => Promise<Response>) => {
    const t0 = Date.now();
    const res = await p();
    return { res, ms: Date.now() - t0, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startPrivateRedis();
    const port = await sparePort();
    api = `http://127.0.0.1:${port}`;
    const env = {
      ENVIRONMENT: 'test',
      SECRET_KEY: `test-secret-${randomBytes(16).toString('hex')}`,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
      PORT: String(port),
      LOG_LEVEL: 'info',
      ALLOWED_ORIGINS: 'http://localhost:3002',
    };
    roles = await Promise.all([
      spawnRole('api', 'src/roles/api.ts', env, 90_000),
      spawnRole('worker', 'src/roles/worker.ts', { ...env, HEARTBEAT_FILE: join(beats, 'worker') }, 90_000),
      spawnRole('scheduler', 'src/roles/scheduler.ts', { ...env, HEARTBEAT_FILE: join(beats, 'scheduler') }, 90_000),
    ]);
    const credentials = { email: `outage-${Date.now()}@example.com`, password: 'a-good-password' };
    const post = (path: string) =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(credentials),
      });
    expect((await post('/auth/register')).status).toBe(201);
    const login = await post('/auth/login');
    bearer = `Bearer ${((await login.json()) as { access_token: string }).access_token}`;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(roles.map((r) => r.stop(5000)));
    await redis?.stop();
    await db?.drop();
    rmSync(beats, { recursive: true, force: true });
  }, 30_000);

  it('should report worker and scheduler healthy through their heartbeat files', () => {
    expect(healthcheck('worker')).toBe(0);
    expect(healthcheck('scheduler')).toBe(0);
    expect(healthcheck('nobody')).toBe(1);
  });

  it('should keep authenticated reads working, fail register/login closed, and log one JSON line per state change', async () => {
    await redis.kill();
    // give every connection of every role time to notice and retry a few times
    await new Promise((r) => setTimeout(r, 4000));

    // item 3: reads that need only PostgreSQL keep working, quickly
    for (const path of ['/auth/me', '/social/accounts']) {
      const { res, ms } = await timed(() => fetch(`${api}${path}`, { headers: { Authorization: bearer } }));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(ms).toBeLessThan(1000);
    }
    // register/login: their limits must hold across instances, so they answer 503 (and at once)
    const {
      res: login,
      ms,
      body,
    } = await timed(() =>
      fetch(`${api}/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'someone@example.com', password: 'whatever-it-is' }),
      }),
    );
    expect(login.status).toBe(503);
    expect(body.code).toBe('SERVICE_UNAVAILABLE');
    expect(ms).toBeLessThan(1000);

    // back again: each role says so once
    await redis.restart();
    const deadline = Date.now() + 20_000;
    while (roles.some((r) => lines(r, /Redis reachable again/).length === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const login2 = await fetch(`${api}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com', password: 'whatever-it-is' }),
    });
    expect(login2.status).toBe(401);

    // Known, not fixed here: a SIGTERM within a second or two of Redis coming back can keep a role
    // from exiting for 20 s+ (its BullMQ connections still reconnecting); give them time first.
    await new Promise((r) => setTimeout(r, 5000));
    await Promise.all(roles.map((r) => r.stop()));
    const codes = roles.map((r) => `${r.name}:${String(r.child.exitCode ?? r.child.signalCode)}`);
    expect(codes).toEqual(['api:SIGTERM', 'worker:SIGTERM', 'scheduler:SIGTERM']); // a clean stop re-raises the signal
    expect(healthcheck('worker')).toBe(1); // removed on shutdown
    for (const r of roles) {
      // item 2: JSON only, one line per event: no raw ECONNREFUSED traces, on either stream
      expect({ role: r.name, stdout: nonJsonLines(r.stdout()).slice(0, 5) }).toEqual({ role: r.name, stdout: [] });
      expect({ role: r.name, stderr: nonJsonLines(r.stderr()).slice(0, 5) }).toEqual({ role: r.name, stderr: [] });
      expect({ role: r.name, lost: lines(r, /Redis unreachable/).length }).toEqual({ role: r.name, lost: 1 });
      expect({ role: r.name, back: lines(r, /Redis reachable again/).length }).toEqual({ role: r.name, back: 1 });
      // and not one line per retry of each connection
      expect({ role: r.name, noise: lines(r, /ECONNREFUSED/).length }).toEqual({ role: r.name, noise: 1 });
    }
  }, 90_000);
});
