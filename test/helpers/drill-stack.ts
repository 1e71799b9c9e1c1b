import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/config/database';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server';
import {
  sparePort,
  spawnRole,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
  type RoleProcess,
} from './processes';
import { control, TEST_REDIRECT_URI } from './sandbox';

/**
 * What every reliability drill stands on (issue 15): a PostgreSQL and a Redis of the spec's own
 * on spare ports (so the spec can kill them), the migrated database, the sandbox in-process, and
 * the roles as real processes. `destroy()` removes every process and data directory it started,
 * also after a failure half-way through `startDrillStack`.
 */
export interface DrillStack {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  sandbox: RunningSandbox;
  /** The test's own connection to the drill database. */
  db: DataSource;
  /** The roles' environment (each spawn may add to it). */
  env: Record<string, string>;
  apiUrl: string;
  sql<T>(q: string, params?: unknown[]): Promise<T[]>;
  /** `SELECT count(*)::int n …` → n. */
  count(q: string, params?: unknown[]): Promise<number>;
  /** A role (`api`, `worker`, `scheduler`) as a real process with the stack's env plus `extra`; stopped by destroy(). */
  spawn(name: string, role: 'api' | 'worker' | 'scheduler', extra?: Record<string, string>): Promise<RoleProcess>;
  /** Every role spawned so far (stopped ones included). */
  roles: RoleProcess[];
  /** JSON request to the api; `auth` is the Authorization header. */
  call(method: string, path: string, opts?: { body?: unknown; auth?: string; timeoutMs?: number }): Promise<Response>;
  destroy(): Promise<void>;
}

/** Defaults every drill shares; a spec's `env` wins. */
function drillEnv(extra: Record<string, string>): Record<string, string> {
  return {
    ENVIRONMENT: 'test',
    SECRET_KEY: `test-secret-${randomBytes(16).toString('hex')}`,
    REDIS_KEY_PREFIX: `d${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'info',
    ALLOWED_ORIGINS: 'http://localhost:3002',
    THROTTLE_LIMIT: '100000',
    AUTH_THROTTLE_LIMIT: '1000',
    ...extra,
  };
}

export async function startDrillStack(env: Record<string, string> = {}): Promise<DrillStack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const roles: RoleProcess[] = [];
  const destroy = async () => {
    await Promise.all(roles.map((r) => r.stop(5000).catch(() => null)));
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const pg = await startPrivatePostgres();
    cleanups.push(() => pg.destroy());
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const sandbox = await startSandbox({ port: 0, redirectUris: [TEST_REDIRECT_URI] });
    cleanups.push(() => sandbox.close());
    const admin = new Client({ connectionString: pg.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE autoreels');
    await admin.end();
    const db = new DataSource(dataSourceOptions(pg.urlFor('autoreels')));
    await db.initialize();
    cleanups.push(() => db.destroy());
    await db.runMigrations();
    const port = await sparePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const roleEnv = drillEnv({
      DATABASE_URL: pg.urlFor('autoreels'),
      REDIS_URL: redis.url,
      PORT: String(port),
      FACEBOOK_GRAPH_URL: sandbox.url,
      FACEBOOK_DIALOG_URL: sandbox.url,
      FACEBOOK_RUPLOAD_URL: `${sandbox.url}/rupload`,
      ...env,
    });
    const sql = <T>(q: string, params: unknown[] = []) => db.query<T[]>(q, params);
    return {
      pg,
      redis,
      sandbox,
      db,
      env: roleEnv,
      apiUrl,
      sql,
      count: async (q, params = []) => (await sql<{ n: number }>(q, params))[0].n,
      roles,
      spawn: async (name, role, extra = {}) => {
        const r = await spawnRole(name, `src/roles/${role}.ts`, { ...roleEnv, ...extra }, 90_000);
        roles.push(r);
        return r;
      },
      call: (method, path, opts = {}) =>
        fetch(`${apiUrl}${path}`, {
          method,
          headers: {
            Accept: 'application/json',
            ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...(opts.auth ? { Authorization: opts.auth } : {}),
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        }),
      destroy,
    };
  } catch (e) {
    await destroy();
    throw e;
  }
}

/** Registers a user through the api and signs in; returns `Bearer …`. */
export async function signUp(stack: DrillStack): Promise<string> {
  const credentials = { email: `drill-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`, password: 'a-good-password' };
  const reg = await stack.call('POST', '/auth/register', { body: credentials });
  if (reg.status !== 201) throw new Error(`register → ${reg.status}`);
  const login = await stack.call('POST', '/auth/login', { body: credentials });
  if (login.status !== 200) throw new Error(`login → ${login.status}`);
  return `Bearer ${((await login.json()) as { access_token: string }).access_token}`;
}

/** The account picker takes at most this many accounts at once (SelectRequestDto). */
const PICKER_MAX = 50;
/** Logins run side by side (the api answers them concurrently; the sandbox is in this process). */
const PARALLEL_LOGINS = 3;

/** One Facebook person with `pages` Pages (each with its Instagram account), all connected through the real flow. */
async function connectPerson(stack: DrillStack, bearer: string, person: number, pages: number): Promise<void> {
  const fb = await control<{ id: string }>(stack.sandbox, 'POST', '/users', { name: `Drill Person ${person}` });
  for (let i = 0; i < pages; i++) {
    await control(stack.sandbox, 'POST', '/pages', {
      user_id: fb.id,
      name: `Drill Page ${person}.${i}`,
      instagram: { username: `drill.${person}.${i}` },
    });
  }
  const login = await stack.call('POST', '/social/facebook/login', { body: {}, auth: bearer });
  const dialog = new URL(((await login.json()) as { login_url: string }).login_url);
  dialog.searchParams.set('sandbox_auto', 'approve');
  dialog.searchParams.set('sandbox_user', fb.id);
  const back = new URL((await fetch(dialog, { redirect: 'manual' })).headers.get('location') as string);
  const cb = await stack.call('GET', `/social/facebook/callback${back.search}`, { auth: bearer });
  if (cb.status !== 200) throw new Error(`callback → ${cb.status}: ${await cb.text()}`);
  const picked = (await cb.json()) as { state?: string; candidates?: Array<{ ig_user_id: string }> };
  if (!picked.candidates) return; // a single account is connected at once
  const selected = await stack.call('POST', '/social/facebook/select', {
    body: { state: picked.state, ig_user_ids: picked.candidates.map((c) => c.ig_user_id) },
    auth: bearer,
  });
  if (selected.status !== 200) throw new Error(`select → ${selected.status}: ${await selected.text()}`);
}

/**
 * Connects `n` Instagram accounts to the signed-in user through the real flow (dialog → callback
 * → picker): Facebook people of up to 50 Pages each. Returns every connected account id.
 */
export async function connectAccounts(stack: DrillStack, bearer: string, n: number): Promise<number[]> {
  const people = Array.from({ length: Math.ceil(n / PICKER_MAX) }, (_, p) => Math.min(PICKER_MAX, n - p * PICKER_MAX));
  for (let p = 0; p < people.length; p += PARALLEL_LOGINS) {
    await Promise.all(people.slice(p, p + PARALLEL_LOGINS).map((pages, i) => connectPerson(stack, bearer, p + i, pages)));
  }
  return (await stack.sql<{ id: number }>(`SELECT id FROM instagram_tokens WHERE is_connected ORDER BY id`)).map((r) => r.id);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while the role's process has neither exited nor been killed by a signal. */
export const alive = (r: RoleProcess) => r.child.exitCode === null && r.child.signalCode === null;

export interface DrillRow {
  drill: string;
  measure: string;
  value: string | number;
  bound: string;
}

/** The numbers of a drill spec, printed as one table when the spec ends (on failure too). */
export class DrillTable {
  readonly rows: DrillRow[] = [];

  constructor(private readonly title: string) {}

  record(drill: string, measure: string, value: string | number, bound: string): void {
    this.rows.push({ drill, measure, value, bound });
  }

  print(): void {
    if (!this.rows.length) return;
    const lines = this.rows.map((r) => `| ${r.drill} | ${r.measure} | ${r.value} | ${r.bound} |`);
    process.stdout.write(`\n${this.title}\n| drill | measure | value | bound |\n|---|---|---|---|\n${lines.join('\n')}\n\n`);
  }
}
