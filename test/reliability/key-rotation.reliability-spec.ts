import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { AppConfig } from '../../src/config/app-config';
import { validateEnv } from '../../src/config/env.schema';
import { TokenVault, tokenAad } from '../../src/modules/connections/token-vault';
import { verifySignature } from '../../src/modules/integrations/domain/webhook-signature';
import { TOKEN_MAINTENANCE_QUEUE } from '../../src/modules/queue/queue.constants';
import { waitFor } from '../helpers/lifecycle';
import { ROOT } from '../helpers/processes';
import { control } from '../helpers/sandbox';
import { startReceiver } from '../helpers/webhook-receiver';
import { alive, connectAccounts, DrillTable, signUp, sleep, startDrillStack, type DrillStack } from '../helpers/drill-stack';

/**
 * Issue 15, drill "key rotation under load" (reference/reliability.md, acceptance figure 6): a few
 * hundred accounts and some webhook endpoints whose secrets are sealed under key `a`; the roles
 * restart with the ring [b current, a old]; `tokens:reencrypt` runs as a real process while the
 * worker checks every account over and over (they are made due again as soon as they are checked)
 * and users hit the routes that decrypt tokens (a manual refresh: decrypt, re-exchange at Meta,
 * store) and webhook secrets (a test delivery, signed). Afterwards every row is on `b` and opens
 * with `b` alone; no read failed meanwhile, and no check's write was lost to the rotation.
 */
const ACCOUNTS = 300;
const ENDPOINTS = 3;
/** Meta's answer time at the sandbox: keeps the load's own rewrites (under `b`) from outrunning the CLI. */
const META_LATENCY_MS = 100;
const REFRESH_LOOPS = 3;
const key = () => randomBytes(32).toString('base64');
const A = `a:${key()}`;
const B = `b:${key()}`;

interface Sample {
  start: number;
  end: number;
  status: number;
}

describe('reliability drill: key rotation under load (real processes, private PostgreSQL and Redis)', () => {
  let stack: DrillStack | undefined;
  let queue: Queue | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const table = new DrillTable('Reliability drill: key rotation under load');
  const record = (measure: string, value: string | number, bound: string) => table.record('key rotation', measure, value, bound);
  let bearer: string;
  let accountIds: number[];
  const secrets = new Map<number, string>();

  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startDrillStack({
      TOKEN_ENCRYPTION_KEYS: A,
      WORKER_CONCURRENCY: '5',
      JOB_BACKOFF_MS: '200',
      // checks are enqueued every second; the drill makes accounts due again as soon as they are checked
      TOKEN_REFRESH_CRON: '* * * * * *',
    });
    // the scheduler never opens a token (it only enqueues ids): it is deployed once, beside the old api
    const [api] = await Promise.all([stack.spawn('api-a', 'api'), stack.spawn('scheduler', 'scheduler')]);
    bearer = await signUp(stack);
    accountIds = await connectAccounts(stack, bearer, ACCOUNTS);
    for (let i = 0; i < ENDPOINTS; i++) {
      const res = await stack.call('POST', '/integrations/webhooks', {
        body: { url: receiver.url, events: ['connection.needs_reconnect'] },
        auth: bearer,
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: number; secret: string };
      secrets.set(created.id, created.secret);
    }
    await api.stop(10_000);
  }, 170_000);

  afterAll(async () => {
    table.print();
    await queue?.close().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await stack?.destroy();
  }, 60_000);

  it('moves every token and webhook secret to the new key while the worker and the api read them: 0 read errors, 0 lost writes', async () => {
    const s = stack as DrillStack;
    expect(await s.count(`SELECT count(*)::int n FROM instagram_tokens WHERE token_key_id = 'a'`)).toBe(ACCOUNTS);
    const sealed = await s.sql<{ secret_encrypted: string }>(`SELECT secret_encrypted FROM webhook_endpoints`);
    expect(sealed.map((e) => e.secret_encrypted.split('.')[1])).toEqual(Array(ENDPOINTS).fill('a'));

    // the roles that open tokens come back with the new ring: b encrypts, a still decrypts
    const ring = { TOKEN_ENCRYPTION_KEYS: `${B},${A}` };
    const roles = await Promise.all([s.spawn('api', 'api', ring), s.spawn('worker', 'worker', ring)]);
    const q = (queue = new Queue(TOKEN_MAINTENANCE_QUEUE, { connection: { url: s.redis.url }, prefix: s.env.REDIS_KEY_PREFIX }));
    await control(s.sandbox, 'POST', '/settings', { latencyMs: META_LATENCY_MS });
    const [{ since }] = await s.sql<{ since: Date }>(`SELECT now() AS since`);

    // Every account due again as soon as it was checked; the sweeps queue the checks, but the queue
    // stays paused until the rotation moves its first row, so the worker starts checking at once
    // then, and every row is still under a when the rotation reads them (its start-up is no part
    // of the drill).
    let stop = false;
    const dueLoop = async () => {
      while (!stop) {
        await s.sql(`UPDATE instagram_tokens SET next_check_at = now() WHERE is_connected AND next_check_at > now()`);
        await sleep(250);
      }
    };
    await q.pause();
    const due = dueLoop();
    await waitFor(
      'every account queued',
      async () => (await q.getJobCountByTypes('waiting', 'prioritized')) >= ACCOUNTS,
      20_000,
      50,
    );

    // tokens:reencrypt as an operator runs it (npm run tokens:reencrypt)
    const cli = spawn(process.execPath, [join(ROOT, 'scripts/run-cli.js'), 'tokens-reencrypt'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...s.env, ...ring },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let cliOut = '';
    let cliErr = '';
    cli.stdout.on('data', (d: Buffer) => (cliOut += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (cliErr += d.toString()));
    const cliExit = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    // The load starts with the first row moved: the worker's checks, manual refreshes from the
    // other end of the id range, signed test deliveries.
    await waitFor(
      'the first row moved',
      () => s.count(`SELECT count(*)::int n FROM token_events WHERE type = 'key_rotated'`),
      60_000,
      20,
    );
    await q.resume();
    const refreshes: Sample[] = [];
    const tests: Sample[] = [];
    const timed = async (into: Sample[], req: () => Promise<Response>) => {
      const start = Date.now();
      let status = 0;
      try {
        const res = await req();
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0; // no answer (reset, timeout): counted as an error
      }
      into.push({ start, end: Date.now(), status });
    };
    const descending = [...accountIds].reverse();
    let next = 0;
    const refreshLoop = async () => {
      while (!stop) {
        const id = descending[next++ % descending.length];
        await timed(refreshes, () => s.call('POST', `/social/accounts/${id}/refresh-token`, { auth: bearer, timeoutMs: 45_000 }));
      }
    };
    const testLoop = async () => {
      const ids = [...secrets.keys()];
      for (let i = 0; !stop; i++) {
        await timed(tests, () => s.call('POST', `/integrations/webhooks/${ids[i % ids.length]}/test`, { auth: bearer }));
        await sleep(100);
      }
    };
    const load = [...Array.from({ length: REFRESH_LOOPS }, refreshLoop), testLoop(), due];
    const exit = await cliExit;
    await sleep(1000); // the load runs on past the end of the rotation
    stop = true;
    await Promise.all(load);
    // no new checks; let those in flight finish (each holds its lease only while it works)
    await q.pause();
    await waitFor('no check in flight', async () => (await q.getActiveCount()) === 0, 20_000, 50);

    const summary = /re-encrypted (\d+) account\(s\) with key "b"; (\d+) changed meanwhile; (\d+) webhook secret/.exec(cliOut);
    const [moved, changed, hooksMoved] = [1, 2, 3].map((i) => Number(summary?.[i] ?? -1));
    const [win] = await s.sql<{ first: Date; last: Date; n: number }>(
      `SELECT min(created_at) AS first, max(created_at) AS last, count(*)::int AS n FROM token_events WHERE type = 'key_rotated'`,
    );
    const [w0, w1] = [win.first.getTime(), win.last.getTime()];
    const inWindow = (x: Sample) => x.start <= w1 && x.end >= w0;
    const checksInWindow = await s.count(
      `SELECT count(*)::int n FROM token_events WHERE type = 'refresh' AND actor = 'worker' AND created_at BETWEEN $1 AND $2`,
      [win.first, win.last],
    );
    const checks = await s.count(
      `SELECT count(*)::int n FROM token_events WHERE type = 'refresh' AND actor = 'worker' AND outcome = 'success' AND created_at >= $1`,
      [since],
    );
    const failedEvents = await s.sql<{ outcome: string; error_code: string | null; message: string | null }>(
      `SELECT outcome, error_code, message FROM token_events WHERE created_at >= $1 AND (outcome = 'failure' OR error_code IS NOT NULL)`,
      [since],
    );
    const skipped = await s.count(`SELECT count(*)::int n FROM token_events WHERE outcome = 'skipped' AND created_at >= $1`, [
      since,
    ]);
    const failedJobs = await q.getFailedCount();
    // a lease still held once every check ended: a check whose verified write was refused
    const leftLeases = await s.count(`SELECT count(*)::int n FROM instagram_tokens WHERE lease_until > now()`);
    const logErrors = roles.flatMap((r) =>
      (r.stdout() + r.stderr())
        .split('\n')
        .filter((l) => /"level":(50|60)|decrypt|key ring|Unsupported state|unable to authenticate/i.test(l))
        .map((l) => `${r.name}: ${l.slice(0, 300)}`),
    );

    // afterwards: every row on b, and each one opens with b alone
    const onlyB = new TokenVault(new AppConfig(validateEnv({ ...s.env, TOKEN_ENCRYPTION_KEYS: B })));
    const opens = (blob: string | null, aad: string, expected?: string) => {
      try {
        const plain = onlyB.decrypt(blob ?? '', aad);
        return expected === undefined || plain === expected;
      } catch {
        return false;
      }
    };
    const rows = await s.sql<{ id: number; token_key_id: string; long_lived_token: string | null; access_token: string | null }>(
      `SELECT id, token_key_id, long_lived_token, access_token FROM instagram_tokens WHERE is_connected ORDER BY id`,
    );
    const opened = rows.filter(
      (r) =>
        opens(r.long_lived_token, tokenAad('instagram_tokens', r.id, 'long_lived_token')) &&
        opens(r.access_token, tokenAad('instagram_tokens', r.id, 'access_token')),
    ).length;
    const endpoints = await s.sql<{ id: number; secret_encrypted: string }>(`SELECT id, secret_encrypted FROM webhook_endpoints`);
    const secretsOpened = endpoints.filter((e) =>
      opens(e.secret_encrypted, tokenAad('webhook_endpoints', e.id, 'secret'), secrets.get(e.id)),
    ).length;
    const badSignatures = receiver!.received.filter((d) => {
      const id = (JSON.parse(d.raw) as { data: { endpoint_id: number } }).data.endpoint_id;
      return !verifySignature(secrets.get(id) ?? '', String(d.headers['x-autoreels-signature']), d.raw, Math.floor(d.at / 1000));
    }).length;
    const non2xx = (xs: Sample[]) => xs.filter((x) => x.status < 200 || x.status > 299);
    const p99 = (xs: Sample[]) => {
      const d = xs.map((x) => x.end - x.start).sort((a, b) => a - b);
      return d.length ? d[Math.min(d.length - 1, Math.floor(d.length * 0.99))] : 0;
    };

    record('accounts / webhook endpoints, all sealed under a', `${ACCOUNTS} / ${ENDPOINTS}`, '');
    record('tokens:reencrypt exit', String(exit), '0');
    record('rows moved by the CLI + rewritten under b by the load first', `${moved} + ${changed}`, `= ${ACCOUNTS}`);
    record('webhook secrets moved by the CLI', hooksMoved, String(ENDPOINTS));
    record('re-encryption window, first → last row moved (ms)', w1 - w0, '');
    record(
      'reads in the window: manual refreshes / worker checks / signed test deliveries',
      `${refreshes.filter(inWindow).length} / ${checksInWindow} / ${tests.filter(inWindow).length}`,
      '> 0 each',
    );
    record(
      'reads in the whole drill: refreshes / worker checks / test deliveries',
      `${refreshes.length} / ${checks} / ${tests.length}`,
      '',
    );
    record('non-2xx: refreshes / test deliveries', `${non2xx(refreshes).length} / ${non2xx(tests).length}`, '0 / 0');
    record('p99 manual refresh (ms)', p99(refreshes), `< 10000 (${META_LATENCY_MS} ms per Meta round trip)`);
    record(
      'failure events / failed jobs / error or decrypt log lines',
      `${failedEvents.length} / ${failedJobs} / ${logErrors.length}`,
      '0 / 0 / 0',
    );
    record('checks skipped (account leased by another run)', skipped, 'contention, not errors');
    record('leases still held after the load (writes refused)', leftLeases, '0');
    record(
      'rows on b / opened with b alone / rows',
      `${rows.filter((r) => r.token_key_id === 'b').length} / ${opened} / ${rows.length}`,
      `${ACCOUNTS} / ${ACCOUNTS} / ${ACCOUNTS}`,
    );
    record(
      'webhook secrets opened with b alone / deliveries whose signature did not verify',
      `${secretsOpened} / ${badSignatures} of ${receiver!.received.length}`,
      `${ENDPOINTS} / 0`,
    );

    expect({ exit, stderr: cliErr.split('\n').filter((l) => /fail|error|still under/i.test(l)) }).toEqual({
      exit: 0,
      stderr: [],
    });
    expect(roles.every(alive)).toBe(true);
    expect(moved).toBeGreaterThan(0);
    expect(moved + changed).toBe(ACCOUNTS);
    expect(win.n).toBe(moved); // one key_rotated event per row the CLI moved
    expect(hooksMoved).toBe(ENDPOINTS);
    expect(refreshes.filter(inWindow).length).toBeGreaterThan(0);
    expect(checksInWindow).toBeGreaterThan(0);
    expect(tests.filter(inWindow).length).toBeGreaterThan(0);
    expect(non2xx(refreshes)).toEqual([]);
    expect(non2xx(tests)).toEqual([]);
    expect(p99(refreshes)).toBeLessThan(10_000);
    expect(failedEvents).toEqual([]);
    expect(failedJobs).toBe(0);
    expect(logErrors).toEqual([]);
    expect(leftLeases).toBe(0);
    expect(rows).toHaveLength(ACCOUNTS);
    expect(rows.filter((r) => r.token_key_id !== 'b')).toEqual([]);
    expect(opened).toBe(ACCOUNTS);
    expect(secretsOpened).toBe(ENDPOINTS);
    expect(receiver!.received.length).toBeGreaterThan(0);
    expect(badSignatures).toBe(0);
  }, 150_000);
});
