/**
 * Issue 14's integration targets, measured (never asserted in tests):
 *  - GET /social/status authenticated with an API key (`Authorization: Bearer ark_…`) at >= 90%
 *    of the same route with the user's JWT: one built api process (as bench/api.ts), the same
 *    connected user, closed loop with 50 connections (bench/api.ts's closedLoop), BENCH_SECONDS
 *    per run in the order JWT, key, key, JWT (drift of a loaded machine falls on both alike);
 *    each side is the mean of its two runs;
 *  - BENCH_DELIVERIES outbound webhook deliveries (default 10,000) to a local node:http receiver
 *    that answers 200 after 50 ms, drained by one worker process at >= 80% of the bound
 *    concurrency / latency = WORKER_CONCURRENCY (default 10) / 50 ms = 200 deliveries/s. The
 *    events are published the way the product publishes them: PublishWebhookEvent (the use case
 *    the Reels publisher calls) for a user with one endpoint subscribed to reel.published, one
 *    delivery row and one job per event, all enqueued before the worker starts. The time runs
 *    from the worker's "role started" line to the poll (every 100 ms) that finds every delivery
 *    row delivered;
 *  - every event arrived exactly once (the receiver counts the envelope ids it was sent).
 * For context: the worker's CPU per delivery and its RSS. The worker and the api run from dist/
 * when it is fresh (`npm run build:api`), else through ts-node.
 * Env: BENCH_SECONDS (default 10), BENCH_DELIVERIES (default 10000). Run alone:
 * `npx ts-node --transpile-only bench/integrations.ts`.
 */
import { type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { PublishWebhookEvent } from '../src/modules/integrations/use-cases/publish-webhook-event.use-case';
import { deleteRedisPrefix, waitFor } from '../test/helpers/lifecycle';
import { compiledIfFresh, sparePort, spawnRole, type RoleProcess } from '../test/helpers/processes';
import { SAM_ID } from '../test/helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../test/helpers/stack';
import { closedLoop, spawnApi } from './api';
import { runAlone, watchProcess, type BenchRow } from './proc';

const RECEIVER_MS = 50;
const CONCURRENCY = 10; // WORKER_CONCURRENCY's default

const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO');

/** A receiver that answers 200 after `delayMs`, counting each envelope id it gets. */
async function startSlowReceiver(delayMs: number) {
  const seen = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      try {
        const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      } catch {
        /* counted as a request only */
      }
      setTimeout(() => {
        res.statusCode = 200;
        res.end('ok');
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    seen,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function benchApiKey(stack: Stack, auth: string, seconds: number, rows: BenchRow[]): Promise<void> {
  const key = await stack.http().post('/auth/api-keys').set('Authorization', auth).send({ name: 'bench' }).expect(201);
  const bearer = `Bearer ${key.body.key as string}`;
  const port = await sparePort();
  const { LOG_LEVEL: _quiet, ...env } = stack.api.env;
  let api: ChildProcess | undefined;
  try {
    api = await spawnApi({ ...env, THROTTLE_LIMIT: '100000000' }, port);
    const url = `http://127.0.0.1:${port}/social/status`;
    await closedLoop(url, auth, 3); // warm-up (JIT, pools, caches) of both ways in
    await closedLoop(url, bearer, 3);
    const runs: Array<[string, autocannon.Result]> = [];
    for (const [name, header] of [
      ['jwt', auth],
      ['key', bearer],
      ['key', bearer],
      ['jwt', auth],
    ] as const)
      runs.push([name, await closedLoop(url, header, seconds)]);
    const mean = (name: string) => {
      const mine = runs.filter(([n]) => n === name).map(([, r]) => r.requests.average);
      return mine.reduce((s, x) => s + x, 0) / mine.length;
    };
    const p99 = (name: string) => Math.max(...runs.filter(([n]) => n === name).map(([, r]) => r.latency.p99));
    const errors = runs.reduce((n, [, r]) => n + r.non2xx + r.errors, 0);
    const jwt = mean('jwt');
    const apiKey = mean('key');
    const ratio = apiKey / jwt;
    const each = (name: string) =>
      runs
        .filter(([n]) => n === name)
        .map(([, r]) => r.requests.average.toFixed(0))
        .join(' and ');
    rows.push({
      measure: 'GET /social/status, 50 connections: JWT / API key (mean of 2 runs each, order JWT key key JWT)',
      value: `${jwt.toFixed(0)} / ${apiKey.toFixed(0)} req/s (JWT ${each('jwt')}; key ${each('key')}; p99 ${p99('jwt')} / ${p99('key')} ms)`,
      target: '-',
      ok: '',
    });
    rows.push({
      measure: 'API key / JWT on GET /social/status',
      value: `${(ratio * 100).toFixed(0)}%`,
      target: '>= 90%',
      ok: yesNo(ratio >= 0.9),
    });
    rows.push({ measure: 'errors / non-2xx during the load', value: String(errors), target: '0', ok: yesNo(errors === 0) });
  } finally {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api?.once('exit', r));
      api.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
  }
}

async function benchDeliveries(stack: Stack, auth: string, deliveries: number, rows: BenchRow[]): Promise<void> {
  const env = stack.api.env;
  const db = stack.api.app.get(DataSource);
  const receiver = await startSlowReceiver(RECEIVER_MS);
  let worker: RoleProcess | undefined;
  try {
    const me = await stack.http().get('/auth/me').set('Authorization', auth).expect(200);
    const userId = me.body.id as number;
    await stack
      .http()
      .post('/integrations/webhooks')
      .set('Authorization', auth)
      .send({ url: receiver.url, events: ['reel.published'] })
      .expect(201);
    // the product's own path: one event → a delivery row per subscribed endpoint → a job each
    const publisher = stack.api.app.get(PublishWebhookEvent);
    const eventIds: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < deliveries) {
          const i = next++;
          const id = await publisher.reelPublished(userId, {
            reel_id: i + 1,
            account_id: 1,
            instagram_user_id: '17841400000000003',
            instagram_media_id: `1792${6_000_000_000_000 + i}`,
            permalink: `https://www.instagram.com/reel/bench${i}/`,
            caption: `bench ${i}`,
          });
          if (!id) throw new Error('no endpoint listened to reel.published');
          eventIds.push(id);
        }
      }),
    );

    const built = compiledIfFresh('src/roles/worker.ts') !== undefined;
    worker = await spawnRole('worker', 'src/roles/worker.ts', {
      ...env,
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: String(CONCURRENCY),
    });
    const started = Date.now();
    const pid = worker.child.pid as number;
    const watch = watchProcess(pid);
    let maxRss = 0;
    let finished = 0;
    let cpuPerDelivery = 0;
    try {
      await waitFor(
        `${deliveries} deliveries`,
        async () => {
          const [{ n }] = await db.query<Array<{ n: number }>>(
            `SELECT count(*)::int n FROM webhook_event_deliveries WHERE status <> 'pending'`,
          );
          if (n < deliveries) return false;
          finished = Date.now();
          cpuPerDelivery = watch.cpuMsSince() / deliveries;
          return true;
        },
        Math.max(5 * 60_000, (deliveries / ((CONCURRENCY * 1000) / RECEIVER_MS)) * 10_000),
        100,
      );
    } finally {
      maxRss = watch.stop();
    }
    await new Promise((r) => setTimeout(r, 1000)); // anything sent twice would arrive meanwhile
    await worker.stop(30_000);

    const seconds = (finished - started) / 1000;
    const rate = deliveries / seconds;
    const bound = (CONCURRENCY * 1000) / RECEIVER_MS;
    const statuses = await db.query<Array<{ status: string; n: number; attempts: number }>>(
      `SELECT status, count(*)::int n, sum(attempts)::int attempts FROM webhook_event_deliveries GROUP BY status ORDER BY status`,
    );
    const delivered = statuses.find((s) => s.status === 'delivered')?.n ?? 0;
    const attempts = statuses.reduce((s, r) => s + r.attempts, 0);
    let once = 0;
    let twice = 0;
    let missing = 0;
    for (const id of eventIds) {
      const n = receiver.seen.get(id) ?? 0;
      if (n === 1) once++;
      else if (n === 0) missing++;
      else twice++;
    }
    rows.push({
      measure: `worker, concurrency ${CONCURRENCY}: ${deliveries.toLocaleString('en')} webhook deliveries, receiver ${RECEIVER_MS} ms`,
      value: `${rate.toFixed(0)} deliveries/s, ${deliveries.toLocaleString('en')} in ${seconds.toFixed(1)} s (${((rate / bound) * 100).toFixed(0)}% of the ${bound}/s bound)`,
      target: '>= 80% of bound',
      ok: yesNo(rate >= 0.8 * bound),
    });
    rows.push({
      measure: 'events received once / more than once / never (receiver, by envelope id)',
      value: `${once} / ${twice} / ${missing} (${receiver.requests()} requests; rows ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}; ${attempts} attempts)`,
      target: `${deliveries} / 0 / 0`,
      ok: yesNo(once === deliveries && twice === 0 && missing === 0 && delivered === deliveries),
    });
    rows.push({
      measure: `worker CPU per delivery (utime+stime) / RSS (max, ${built ? 'built JS' : 'ts-node'})`,
      value: `${cpuPerDelivery.toFixed(2)} ms (${((cpuPerDelivery * rate) / 10).toFixed(0)}% of one core) / ${maxRss.toFixed(0)} MB`,
      target: '-',
      ok: '',
    });
  } finally {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) await worker.stop(30_000);
    await receiver.close();
  }
}

export async function benchIntegrations(): Promise<BenchRow[]> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const deliveries = Number(process.env.BENCH_DELIVERIES ?? 10_000);
  const rows: BenchRow[] = [];
  const stack: Stack = await startStack({ LOG_LEVEL: 'warn', THROTTLE_LIMIT: '100000000' });
  try {
    const { auth } = await newUser(stack);
    await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    await benchApiKey(stack, auth, seconds, rows);
    await benchDeliveries(stack, auth, deliveries, rows);
  } finally {
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await stack.close();
  }
  return rows;
}

if (require.main === module) runAlone(() => benchIntegrations());
