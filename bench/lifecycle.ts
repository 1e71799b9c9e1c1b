/**
 * Issue 5 targets, measured (never asserted in tests):
 *  - a sweep of 100,000 due accounts enqueued in < 10 s (rows seeded with one INSERT … SELECT
 *    generate_series into a scratch database);
 *  - BENCH_CHECKS routine checks (default 10,000) through a worker process against the sandbox
 *    with 50 ms latency, >= 80% of the bound concurrency / (round trips per check × latency): one
 *    round trip (a batch of the two debug_token probes) outside the refresh window;
 *  - worker RSS < 250 MB (sampled with ps while it works).
 * Env: BENCH_CHECKS (default 10000), BENCH_CONCURRENCY (worker concurrency, default 50),
 * BENCH_SWEEP_ROWS (default 100000). The worker runs from dist/ when built (`npm run build:api`),
 * else with ts-node --transpile-only (a larger RSS: the TypeScript compiler is loaded too);
 * BENCH_WORKER_JS points at another built worker.js.
 * Run alone: `npx ts-node bench/lifecycle.ts`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TokenVault, tokenAad } from '../src/modules/connections/token-vault';
import { deleteRedisPrefix, startSchedulerRole, waitFor } from '../test/helpers/lifecycle';
import { SAM_ID, control } from '../test/helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../test/helpers/stack';

export interface BenchRow {
  measure: string;
  value: string;
  target: string;
  ok: string;
}

/**
 * A routine check outside the refresh window (the bench's rows have ~60 days left): both
 * debug_token probes in one batch request. Inside the window, or on a user's Refresh, it is 4:
 * batch(probe, probe) → exchange → inspect ∥ pages → inspect page.
 */
const ROUND_TRIPS_PER_CHECK = 1;
const LATENCY_MS = 50;

function rssMb(pid: number): number {
  try {
    return (
      Number(
        execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
          .toString()
          .trim(),
      ) / 1024
    );
  } catch {
    return 0;
  }
}

function startWorkerProcess(env: Record<string, string>): ChildProcess {
  const root = join(__dirname, '..');
  const built = process.env.BENCH_WORKER_JS ?? join(root, 'dist', 'src', 'roles', 'worker.js');
  const [cmd, args] = existsSync(built)
    ? [process.execPath, [built]]
    : [process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', join(root, 'src', 'roles', 'worker.ts')]];
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

export async function benchLifecycle(): Promise<BenchRow[]> {
  const checks = Number(process.env.BENCH_CHECKS ?? 10_000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
  const sweepRows = Number(process.env.BENCH_SWEEP_ROWS ?? 100_000);
  const rows: BenchRow[] = [];
  const stack: Stack = await startStack({ LOG_LEVEL: 'warn', WORKER_CONCURRENCY: String(concurrency) });
  const env = stack.api.env;
  const db = stack.api.app.get(DataSource);
  const scheduler = await startSchedulerRole(env);
  let worker: ChildProcess | undefined;
  try {
    // --- 1. sweep of 100,000 due accounts ----------------------------------------------------
    const { auth } = await newUser(stack);
    const me = await stack.http().get('/auth/me').set('Authorization', auth).expect(200);
    const userId = me.body.id as number;
    await db.query(
      `INSERT INTO instagram_tokens (user_id, ig_user_id, is_connected, status, next_check_at)
       SELECT $1, 'bench-' || g, true, 'active', now() - interval '1 hour' - g * interval '1 millisecond'
         FROM generate_series(1, $2) g`,
      [userId, sweepRows],
    );
    await db.query(`ANALYZE instagram_tokens`); // as autovacuum would after a bulk load
    const sweep = await scheduler.sweeps.sweep();
    const waiting = await scheduler.queue.count();
    rows.push({
      measure: `sweep: ${sweepRows.toLocaleString('en')} due accounts enqueued`,
      value: `${(sweep.ms / 1000).toFixed(2)} s (${waiting.toLocaleString('en')} jobs)`,
      target: '< 10 s',
      ok: sweep.ms < 10_000 && waiting === sweepRows ? 'yes' : 'NO',
    });
    await db.query(`DELETE FROM instagram_tokens WHERE ig_user_id LIKE 'bench-%'`);
    await deleteRedisPrefix(env.REDIS_URL, env.REDIS_KEY_PREFIX);

    // --- 2. checks through the worker ------------------------------------------------------
    // one real connection through the flow; its verified tokens are copied (re-encrypted per row)
    const connected = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    const sourceId = connected.body.accounts[0].id as number;
    const vault = stack.api.app.get(TokenVault);
    const [src] = await db.query<Array<Record<string, string>>>(`SELECT * FROM instagram_tokens WHERE id = $1`, [sourceId]);
    const userToken = vault.decrypt(src.long_lived_token, tokenAad('instagram_tokens', sourceId, 'long_lived_token'));
    const pageToken = vault.decrypt(src.access_token, tokenAad('instagram_tokens', sourceId, 'access_token'));
    const ids = await db.query<Array<{ id: number }>>(
      `INSERT INTO instagram_tokens (user_id, ig_user_id, fb_page_id, fb_page_name, instagram_username, is_connected, is_valid, status,
                                     expires_at, user_token_expires_at, data_access_expires_at, next_check_at)
       SELECT $1, 'chk-' || g, $2, $3, $4, true, true, 'active', $5, $5, $6, now() - interval '1 minute'
         FROM generate_series(1, $7) g RETURNING id`,
      [userId, src.fb_page_id, src.fb_page_name, src.instagram_username, src.expires_at, src.data_access_expires_at, checks],
    );
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const values = chunk.map((r) => [
        r.id,
        vault.encrypt(userToken, tokenAad('instagram_tokens', r.id, 'long_lived_token')),
        vault.encrypt(pageToken, tokenAad('instagram_tokens', r.id, 'access_token')),
      ]);
      await db.query(
        `UPDATE instagram_tokens t SET long_lived_token = v.u, access_token = v.p, token_key_id = $2
           FROM (SELECT unnest($1::int[]) id, unnest($3::text[]) u, unnest($4::text[]) p) v WHERE t.id = v.id`,
        [values.map((v) => v[0]), vault.currentKeyId, values.map((v) => v[1]), values.map((v) => v[2])],
      );
    }
    await db.query(`UPDATE instagram_tokens SET next_check_at = now() + interval '1 day' WHERE id = $1`, [sourceId]);
    await control(stack.sandbox, 'POST', '/settings', { latencyMs: LATENCY_MS });
    await scheduler.sweeps.sweep();

    worker = startWorkerProcess({
      ...env,
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: String(concurrency),
      FACEBOOK_GRAPH_URL: stack.sandbox.url,
      FACEBOOK_DIALOG_URL: stack.sandbox.url,
    });
    const pid = worker.pid as number;
    let maxRss = 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(pid))), 500);
    const started = Date.now();
    let firstDone = 0;
    await waitFor(
      'all checks',
      async () => {
        const [{ n }] = await db.query<Array<{ n: number }>>(
          `SELECT count(*)::int n FROM instagram_tokens WHERE ig_user_id LIKE 'chk-%' AND last_refreshed_at IS NOT NULL`,
        );
        if (n > 0 && !firstDone) firstDone = Date.now();
        return n >= checks;
      },
      30 * 60_000,
      200,
    );
    // measured from the first finished check, so the worker's boot time does not count
    const elapsed = (Date.now() - (firstDone || started)) / 1000;
    clearInterval(sampler);
    maxRss = Math.max(maxRss, rssMb(pid));
    const rate = checks / elapsed;
    const bound = (concurrency * 1000) / (ROUND_TRIPS_PER_CHECK * LATENCY_MS);
    rows.push({
      measure: `worker: ${checks.toLocaleString('en')} checks, concurrency ${concurrency}, Meta latency ${LATENCY_MS} ms`,
      value: `${rate.toFixed(0)} checks/s in ${elapsed.toFixed(1)} s (${((rate / bound) * 100).toFixed(0)}% of ${bound.toFixed(0)}/s bound)`,
      target: '>= 80% of bound',
      ok: rate >= 0.8 * bound ? 'yes' : 'NO',
    });
    rows.push({
      measure: `worker RSS (max, ${existsSync(process.env.BENCH_WORKER_JS ?? join(__dirname, '..', 'dist', 'src', 'roles', 'worker.js')) ? 'built JS' : 'ts-node'})`,
      value: `${maxRss.toFixed(0)} MB`,
      target: '< 250 MB',
      ok: maxRss < 250 ? 'yes' : 'NO',
    });
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    await scheduler.close();
    await deleteRedisPrefix(env.REDIS_URL, env.REDIS_KEY_PREFIX);
    await stack.close();
  }
  return rows;
}

if (require.main === module) {
  benchLifecycle().then(
    (rows) => {
      console.table(rows);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
