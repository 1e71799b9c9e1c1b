/**
 * Issue 15's API targets, measured (never asserted in tests), against the api role as ops run it:
 * the built `dist/src/roles/api.js` in its own process (`npm run build:api` first; the bench says
 * so if it is missing), JSON logs at the default level to /dev/null, the same PostgreSQL and Redis.
 *  - the bare authenticated route (GET /auth/me) at >= 50% of GET /health's throughput;
 *  - GET /social/status at >= 80% of the bare authenticated route (closed loop, 50 connections);
 *  - p99 of GET /social/status < 25 ms at a fixed 200 requests/s, open loop: each request leaves
 *    at its scheduled time whatever the earlier ones did, and its latency counts from that time,
 *    so a stall is not hidden (no coordinated omission);
 *  - API RSS < 200 MB after the load (peak sampled with ps during it).
 * Env: BENCH_SECONDS (closed-loop runs, default 10), BENCH_RATE (default 200), BENCH_RATE_SECONDS
 * (default 20), BENCH_API_JS (another built api.js), BENCH_API_NODE_ARGS (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` to profile the api under the load).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { SAM_ID } from '../test/helpers/sandbox';
import { sparePort } from '../test/helpers/processes';
import { callback, dialog, newUser, startStack, type Stack } from '../test/helpers/stack';
import { cpuMs, rssMb, runAlone, type BenchRow } from './proc';

const API_JS = process.env.BENCH_API_JS ?? join(__dirname, '..', 'dist', 'src', 'roles', 'api.js');

export async function spawnApi(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
  const child = spawn(process.execPath, [...nodeArgs, API_JS], {
    cwd: join(__dirname, '..'),
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the api exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('the api did not become healthy in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function closedLoop(url: string, auth: string | null, seconds: number): Promise<autocannon.Result> {
  // a worker thread generates the load, so it does not share this process's event loop
  return autocannon({ url, connections: 50, duration: seconds, headers: auth ? { authorization: auth } : {}, workers: 1 });
}

/**
 * The open-loop generator, plain JS run in a worker thread (eval), so neither this process's
 * event loop (the in-process stack lives here) nor ts-node delays a send: each request leaves at
 * its scheduled time and its latency counts from that time. It also reports how late it sent
 * (p99 send lag), to show the harness itself kept the schedule.
 */
const OPEN_LOOP_JS = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, auth, rate, seconds } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const latencies = [], lags = [];
let failed = 0, done = 0;
const total = rate * seconds, interval = 1000 / rate, start = performance.now() + 50;
function send(i) {
  const scheduled = start + i * interval;
  lags.push(performance.now() - scheduled);
  const req = request(url, { agent, headers: { authorization: auth } }, (res) => {
    res.resume();
    res.on('end', () => { if (res.statusCode === 200) latencies.push(performance.now() - scheduled); else failed++; finish(); });
  });
  req.on('error', () => { failed++; finish(); });
  req.end();
}
function finish() { if (++done === total) { agent.destroy(); parentPort.postMessage({ latencies, lags, failed }); } }
let next = 0;
(function tick() {
  const now = performance.now();
  while (next < total && start + next * interval <= now) send(next++);
  if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now() - 1));
})();
`;

interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  lagP99: number;
}

/** `rate` requests/s for `seconds`, each sent on schedule from a worker thread; latency from the scheduled time. */
async function openLoop(url: string, auth: string, rate: number, seconds: number): Promise<OpenLoopResult> {
  const worker = new Worker(OPEN_LOOP_JS, { eval: true, workerData: { url, auth, rate, seconds } });
  const { latencies, lags, failed } = await new Promise<{ latencies: number[]; lags: number[]; failed: number }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  const q = (xs: number[], p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  };
  return {
    sent: rate * seconds,
    ok: latencies.length,
    failed,
    p50: q(latencies, 0.5),
    p99: q(latencies, 0.99),
    max: q(latencies, 1),
    lagP99: q(lags, 0.99),
  };
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export async function benchApi(
  seconds = Number(process.env.BENCH_SECONDS ?? 10),
  rate = Number(process.env.BENCH_RATE ?? 200),
  rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 20),
): Promise<BenchRow[]> {
  if (!existsSync(API_JS)) {
    return [
      { measure: 'API throughput and memory', value: `not run: ${API_JS} is missing (npm run build:api)`, target: '-', ok: 'NO' },
    ];
  }
  // the in-process stack gives a fresh database, the sandbox and a connected user; the load goes to
  // a separate api process on the same database and Redis
  const stack: Stack = await startStack({ LOG_LEVEL: 'warn' });
  let api: ChildProcess | undefined;
  try {
    const { auth } = await newUser(stack);
    await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    const port = await sparePort();
    const { LOG_LEVEL: _quiet, ...env } = stack.api.env;
    api = await spawnApi({ ...env, THROTTLE_LIMIT: '100000000' }, port);
    const pid = api.pid as number;
    const base = `http://127.0.0.1:${port}`;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);

    await closedLoop(`${base}/auth/me`, auth, 3); // warm-up (JIT, pools, caches)
    await closedLoop(`${base}/social/status`, auth, 2);
    const cpuH = cpuMs(pid);
    const health = await closedLoop(`${base}/health`, null, seconds);
    const cpuHealth = (cpuMs(pid) - cpuH) / health.requests.total;
    const cpu0 = cpuMs(pid);
    const bare = await closedLoop(`${base}/auth/me`, auth, seconds);
    const cpuBare = (cpuMs(pid) - cpu0) / bare.requests.total;
    const cpu1 = cpuMs(pid);
    const status = await closedLoop(`${base}/social/status`, auth, seconds);
    const cpuStatus = (cpuMs(pid) - cpu1) / status.requests.total;
    const fixed = await openLoop(`${base}/social/status`, auth, rate, rateSeconds);
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssMb(pid);
    peak = Math.max(peak, after);

    const bareRatio = bare.requests.average / health.requests.average;
    const statusRatio = status.requests.average / bare.requests.average;
    const errors = [health, bare, status].reduce((n, r) => n + r.non2xx + r.errors, 0) + fixed.failed;
    const rps = (r: autocannon.Result) =>
      `${r.requests.average.toFixed(0)} req/s (p50 ${r.latency.p50} / p99 ${r.latency.p99} ms)`;
    return [
      { measure: 'GET /health, 50 connections', value: rps(health), target: '-', ok: '' },
      { measure: 'GET /auth/me (bare authenticated), 50 connections', value: rps(bare), target: '-', ok: '' },
      { measure: 'GET /social/status, 50 connections', value: rps(status), target: '-', ok: '' },
      { measure: 'bare authenticated / health', value: pct(bareRatio), target: '>= 50%', ok: bareRatio >= 0.5 ? 'yes' : 'NO' },
      {
        measure: 'status / bare authenticated',
        value: pct(statusRatio),
        target: '>= 80%',
        ok: statusRatio >= 0.8 ? 'yes' : 'NO',
      },
      {
        measure: 'API CPU per request: /health / /auth/me / /social/status',
        value: `${cpuHealth.toFixed(2)} / ${cpuBare.toFixed(2)} / ${cpuStatus.toFixed(2)} ms`,
        target: '-',
        ok: '',
      },
      {
        measure: `GET /social/status at ${rate} req/s, open loop, ${rateSeconds} s: p50 / p99 / max`,
        value: `${fixed.p50.toFixed(1)} / ${fixed.p99.toFixed(1)} / ${fixed.max.toFixed(0)} ms (${fixed.ok} of ${fixed.sent} answered 200; sender p99 lag ${fixed.lagP99.toFixed(1)} ms)`,
        target: 'p99 < 25 ms',
        ok: fixed.p99 < 25 && fixed.ok === fixed.sent ? 'yes' : 'NO',
      },
      { measure: 'errors / non-2xx during the load', value: String(errors), target: '0', ok: errors === 0 ? 'yes' : 'NO' },
      {
        measure: 'API RSS after the load (peak during it)',
        value: `${after.toFixed(0)} MB (${peak.toFixed(0)} MB)`,
        target: '< 200 MB',
        ok: after < 200 ? 'yes' : 'NO',
      },
    ];
  } finally {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api?.once('exit', r));
      api.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    await stack.close();
  }
}

if (require.main === module) runAlone(() => benchApi());
