/**
 * Issue 5 and issue 15 targets, measured (never asserted in tests):
 *  - a sweep of 100,000 due accounts enqueued in < 10 s (rows seeded with one INSERT … SELECT
 *    generate_series into a scratch database);
 *  - BENCH_CHECKS routine checks (default 10,000) through a worker process against the sandbox
 *    with 50 ms latency: checks/s >= 80% of the bound concurrency / (round trips per check ×
 *    latency) at the product's default concurrency (WORKER_CONCURRENCY = 10, bound 200/s);
 *  - Graph calls and round trips per routine check, counted by the sandbox: <= 2 calls in 1 round
 *    trip (a batch of the two debug_token probes);
 *  - worker CPU per check <= 3 ms: utime + stime of the worker process (/proc/<pid>/stat) between
 *    its first finished check and its last, divided by the checks in between. Measured directly,
 *    because on this 2-core machine the bench's own sandbox and PostgreSQL share the cores: at
 *    3 ms per check one core does at most 333 checks/s, so a throughput bound of 1,000/s
 *    (concurrency 50) measures the machine, not the worker;
 *  - worker RSS < 250 MB (sampled from /proc while it works);
 *  - for context, the CPU per check of this process, where the Meta sandbox answers the worker
 *    (the batch request and its two parts are three express requests): it competes with the
 *    worker, PostgreSQL and Redis for the same two cores.
 * Env: BENCH_CHECKS (default 10000); BENCH_CONCURRENCY (default "10,50": a comma list of worker
 * concurrencies, each a run over the same rows; the first is judged against the targets, the others
 * are informational saturation rows); BENCH_SWEEP_ROWS (default 100000). The worker runs from
 * dist/ when built (`npm run build:api`), else with ts-node --transpile-only (a larger RSS and CPU:
 * the TypeScript compiler is loaded too); BENCH_WORKER_JS points at another built worker.js;
 * BENCH_WORKER_ARGS adds node flags (e.g. `--cpu-prof --cpu-prof-dir=artifacts/prof`).
 * Run alone: `npx ts-node --transpile-only bench/lifecycle.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TokenVault, tokenAad } from '../src/modules/connections/token-vault';
import type { CallRecord } from '../src/sandbox/sandbox-state';
import { deleteRedisPrefix, startSchedulerRole, waitFor } from '../test/helpers/lifecycle';
import { SAM_ID, control } from '../test/helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../test/helpers/stack';
import { cpuMs, rssMb, runAlone, type BenchRow } from './proc';

/**
 * A routine check outside the refresh window (the bench's rows have ~60 days left): both
 * debug_token probes in one batch request. Inside the window, or on a user's Refresh, it is 4:
 * batch(probe, probe) → exchange → inspect ∥ pages → inspect page.
 */
const ROUND_TRIPS_PER_CHECK = 1;
const GRAPH_CALLS_PER_CHECK = 2;
const LATENCY_MS = 50;
const CPU_MS_PER_CHECK = 3;
/**
 * How often the bench counts checked rows. Each count reads every bench row (10,000 rows with
 * their sealed tokens): at 100 ms it cost PostgreSQL enough to take 10 points off the worker's
 * throughput at 10,000 checks (65% vs 75% at 500 ms, same build, same quiet machine). At 500 ms the
 * window's ends are known to ±0.5 s of a ~65 s run.
 */
const POLL_MS = 500;
const WORKER_JS = process.env.BENCH_WORKER_JS ?? join(__dirname, '..', 'dist', 'src', 'roles', 'worker.js');

/** This process's CPU so far (user + system), in ms: the sandbox answering the worker runs here. */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function startWorkerProcess(env: Record<string, string>): ChildProcess {
  const root = join(__dirname, '..');
  const flags = (process.env.BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean);
  const [cmd, args] = existsSync(WORKER_JS)
    ? [process.execPath, [...flags, WORKER_JS]]
    : [
        process.execPath,
        [...flags, require.resolve('ts-node/dist/bin'), '--transpile-only', join(root, 'src', 'roles', 'worker.ts')],
      ];
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function stopWorker(worker: ChildProcess | undefined): Promise<void> {
  if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((r) => worker.once('exit', r));
  worker.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
}

/** What the sandbox received: Graph calls (a batch's parts, each a call for Meta) and round trips (HTTP requests). */
export function countMetaCalls(stack: Stack): { calls: number; roundTrips: number; reset(): void } {
  const state = stack.sandbox.state;
  const record = state.recordCall.bind(state);
  const counts = {
    calls: 0,
    roundTrips: 0,
    reset() {
      counts.calls = 0;
      counts.roundTrips = 0;
    },
  };
  // the calls log keeps the last 2,000 only: count every call as it is recorded
  state.recordCall = (call: CallRecord) => {
    if (call.batch) counts.calls++;
    else {
      counts.roundTrips++;
      if (!(call.method === 'POST' && call.path === '/')) counts.calls++; // a batch envelope is not a call itself
    }
    record(call);
  };
  return counts;
}

export async function benchLifecycle(): Promise<BenchRow[]> {
  const checks = Number(process.env.BENCH_CHECKS ?? 10_000);
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '10,50')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const sweepRows = Number(process.env.BENCH_SWEEP_ROWS ?? 100_000);
  const rows: BenchRow[] = [];
  const stack: Stack = await startStack({ LOG_LEVEL: 'warn' });
  const meta = countMetaCalls(stack);
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

    for (const [pass, concurrency] of concurrencies.entries()) {
      const judged = pass === 0;
      // every bench row due again, nothing of an earlier pass left in Redis
      await db.query(
        `UPDATE instagram_tokens SET next_check_at = now() - interval '1 minute', last_refreshed_at = NULL, lease_until = NULL
          WHERE ig_user_id LIKE 'chk-%'`,
      );
      await deleteRedisPrefix(env.REDIS_URL, env.REDIS_KEY_PREFIX);
      await scheduler.sweeps.sweep();
      meta.reset();

      worker = startWorkerProcess({
        ...env,
        LOG_LEVEL: 'warn',
        WORKER_CONCURRENCY: String(concurrency),
        FACEBOOK_GRAPH_URL: stack.sandbox.url,
        FACEBOOK_DIALOG_URL: stack.sandbox.url,
      });
      const pid = worker.pid as number;
      let maxRss = 0;
      const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(pid))), 250);
      // The window opens at the first finished check (the worker's boot does not count) and
      // closes at the last; CPU, checks and Meta's calls are counted over the same window.
      type Sample = { at: number; cpu: number; own: number; calls: number; roundTrips: number };
      let first: (Sample & { done: number }) | undefined;
      let last: Sample | undefined;
      await waitFor(
        `all checks (concurrency ${concurrency})`,
        async () => {
          const [{ n }] = await db.query<Array<{ n: number }>>(
            `SELECT count(*)::int n FROM instagram_tokens WHERE ig_user_id LIKE 'chk-%' AND last_refreshed_at IS NOT NULL`,
          );
          const now = { at: Date.now(), cpu: cpuMs(pid), own: ownCpuMs(), calls: meta.calls, roundTrips: meta.roundTrips };
          if (n > 0 && !first) first = { ...now, done: n };
          if (n >= checks) last = now;
          return n >= checks;
        },
        30 * 60_000,
        POLL_MS,
      );
      clearInterval(sampler);
      maxRss = Math.max(maxRss, rssMb(pid));
      await stopWorker(worker);
      if (!first || !last) throw new Error('no check finished');
      const measured = checks - first.done;
      const elapsed = (last.at - first.at) / 1000;
      const rate = measured / elapsed;
      const bound = (concurrency * 1000) / (ROUND_TRIPS_PER_CHECK * LATENCY_MS);
      const cpuPerCheck = (last.cpu - first.cpu) / measured;
      const benchCpuPerCheck = (last.own - first.own) / measured;
      // Meta's side over the whole pass: every check's calls, the first ones included
      const callsPerCheck = meta.calls / checks;
      const tripsPerCheck = meta.roundTrips / checks;
      const label = `worker, concurrency ${concurrency}${judged ? '' : ' (saturation, informational)'}`;
      rows.push({
        measure: `${label}: ${checks.toLocaleString('en')} routine checks, Meta latency ${LATENCY_MS} ms`,
        value: `${rate.toFixed(0)} checks/s over ${measured.toLocaleString('en')} in ${elapsed.toFixed(1)} s (${((rate / bound) * 100).toFixed(0)}% of the ${bound.toFixed(0)}/s bound)`,
        target: judged ? '>= 80% of bound' : '-',
        ok: judged ? (rate >= 0.8 * bound ? 'yes' : 'NO') : '-',
      });
      rows.push({
        measure: `${label}: worker CPU per check (utime+stime)`,
        value: `${cpuPerCheck.toFixed(2)} ms (${((cpuPerCheck * rate) / 10).toFixed(0)}% of one core)`,
        target: judged ? `<= ${CPU_MS_PER_CHECK} ms` : '-',
        ok: judged ? (cpuPerCheck <= CPU_MS_PER_CHECK ? 'yes' : 'NO') : '-',
      });
      rows.push({
        measure: `${label}: bench process CPU per check (Meta sandbox, API, poller; not the worker)`,
        value: `${benchCpuPerCheck.toFixed(2)} ms (${((benchCpuPerCheck * rate) / 10).toFixed(0)}% of one core)`,
        target: '-',
        ok: '-',
      });
      rows.push({
        measure: `${label}: Graph calls / round trips per check (sandbox log)`,
        value: `${callsPerCheck.toFixed(2)} / ${tripsPerCheck.toFixed(2)}`,
        target: judged ? `<= ${GRAPH_CALLS_PER_CHECK} / ${ROUND_TRIPS_PER_CHECK}` : '-',
        ok: judged ? (callsPerCheck <= GRAPH_CALLS_PER_CHECK && tripsPerCheck <= ROUND_TRIPS_PER_CHECK ? 'yes' : 'NO') : '-',
      });
      rows.push({
        measure: `${label}: worker RSS (max, ${existsSync(WORKER_JS) ? 'built JS' : 'ts-node'})`,
        value: `${maxRss.toFixed(0)} MB`,
        target: '< 250 MB',
        ok: maxRss < 250 ? 'yes' : 'NO',
      });
    }
  } finally {
    await stopWorker(worker);
    await scheduler.close();
    await deleteRedisPrefix(env.REDIS_URL, env.REDIS_KEY_PREFIX);
    await stack.close();
  }
  return rows;
}

if (require.main === module) runAlone(() => benchLifecycle());
