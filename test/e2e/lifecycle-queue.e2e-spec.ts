import { DataSource } from 'typeorm';
import { control } from '../helpers/sandbox';
import { startStack, type Stack } from '../helpers/stack';
import { connectAccounts, deleteRedisPrefix, startSchedulerRole, startWorkerRole, waitFor } from '../helpers/lifecycle';

/** At-least-once and "PostgreSQL is the truth": concurrent schedulers, a Redis that lost everything, a worker that dies. */
describe('token lifecycle: queue reliability (e2e)', () => {
  const N = 12;
  let stack: Stack;
  let db: DataSource;
  let ids: number[];
  let schedulerA: Awaited<ReturnType<typeof startSchedulerRole>>;
  let schedulerB: Awaited<ReturnType<typeof startSchedulerRole>>;

  beforeAll(async () => {
    stack = await startStack({ JOB_BACKOFF_MS: '100', JOB_LOCK_MS: '1500', WORKER_CONCURRENCY: '4' });
    db = stack.api.app.get(DataSource);
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    ids = await connectAccounts(stack, N);
    schedulerA = await startSchedulerRole(stack.api.env);
    schedulerB = await startSchedulerRole(stack.api.env);
  }, 120_000);
  afterAll(async () => {
    await schedulerA?.close();
    await schedulerB?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await control(stack.sandbox, 'POST', '/settings', { latencyMs: 0 });
    await db.query(
      `UPDATE instagram_tokens SET next_check_at = now() - interval '1 minute', last_checked_at = now() - interval '1 day', lease_until = NULL`,
    );
  });

  const uncheckedSince = async (t0: Date) =>
    (
      await db.query<Array<{ n: number }>>(
        `SELECT count(*)::int n FROM instagram_tokens WHERE id = ANY($1) AND (last_checked_at IS NULL OR last_checked_at < $2)`,
        [ids, t0],
      )
    )[0].n;

  it('should enqueue each account once when two schedulers sweep at the same time', async () => {
    const [a, b] = await Promise.all([schedulerA.sweeps.sweep({ batchSize: 5 }), schedulerB.sweeps.sweep({ batchSize: 5 })]);
    // both saw every account due; `enqueued` counts what each handed to BullMQ, duplicates it
    // discarded included, so the proof is the jobs that exist, in every state, under the prefix
    expect(a.due).toBe(N);
    expect(b.due).toBe(N);
    const counts = await schedulerA.queue.getJobCounts();
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(N);
    const jobs = await schedulerA.queue.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
    expect(jobs).toHaveLength(N);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(N);
    expect(new Set(jobs.map((j) => j.data.accountId))).toEqual(new Set(ids));
    // jobs carry ids only
    for (const j of jobs) expect(Object.keys(j.data)).toEqual(['accountId']);
    // and a third sweep still adds nothing
    await schedulerA.sweeps.sweep();
    const again = await schedulerA.queue.getJobCounts();
    expect(Object.values(again).reduce((sum, n) => sum + n, 0)).toBe(N);
  });

  it('should check every account after the next sweep when Redis loses everything mid-sweep', async () => {
    const t0 = new Date();
    let flushed = 0;
    await schedulerA.sweeps.sweep({
      batchSize: 4,
      onBatch: async (done) => {
        if (done === 8) flushed = await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
      },
    });
    expect(flushed).toBeGreaterThan(0);
    const survivors = (await schedulerA.queue.getJobs(['waiting', 'prioritized'])).length;
    expect(survivors).toBeLessThanOrEqual(N - 8); // batches still in flight at the flush may be lost too
    const worker = await startWorkerRole(stack.api.env);
    try {
      await waitFor('the surviving jobs', async () => (await schedulerA.queue.getJobCounts('completed')).completed >= survivors);
      expect(await uncheckedSince(t0)).toBe(N - survivors);
      await schedulerB.sweeps.sweep(); // the refill: PostgreSQL still says the lost ones are due
      await waitFor('every account checked', async () => (await uncheckedSince(t0)) === 0);
    } finally {
      await worker.close();
    }
    const due = await db.query<Array<{ n: number }>>(`SELECT count(*)::int n FROM instagram_tokens WHERE next_check_at <= now()`);
    expect(due[0].n).toBe(0);
  });

  it('should check a row leased by a dead run once its lease ends, and show the skip in the history', async () => {
    // A run that died (SIGKILL, PostgreSQL gone for a while) left its lease on three rows.
    const leased = ids.slice(0, 3);
    const t0 = new Date();
    await db.query(
      `UPDATE instagram_tokens SET next_check_at = now(),
              lease_until = CASE WHEN id = ANY($1) THEN now() + interval '3 seconds' END WHERE id = ANY($2)`,
      [leased, ids],
    );
    const worker = await startWorkerRole(stack.api.env);
    try {
      await schedulerA.sweeps.sweep();
      await waitFor('the leased accounts checked after their lease', async () => (await uncheckedSince(t0)) === 0, 15_000);
      const rows = await db.query<Array<{ id: number; lease_until: Date | null; next_check_at: Date }>>(
        `SELECT id, lease_until, next_check_at FROM instagram_tokens WHERE id = ANY($1) ORDER BY id`,
        [leased],
      );
      for (const r of rows) {
        expect(r.lease_until).toBeNull();
        // verified by a real check, not deferred by 15 minutes
        expect(r.next_check_at.getTime()).toBeGreaterThan(Date.now() + 3600_000);
      }
      const events = await db.query<Array<{ account_id: number; outcome: string; actor: string }>>(
        `SELECT account_id, outcome, actor FROM token_events
          WHERE account_id = ANY($1) AND type = 'refresh' AND created_at >= $2 ORDER BY id`,
        [leased, t0],
      );
      for (const id of leased) {
        const mine = events.filter((e) => e.account_id === id).map((e) => `${e.actor}:${e.outcome}`);
        expect(mine[0]).toBe('worker:skipped');
        expect(mine).toContain('worker:success');
      }
      expect((await schedulerA.queue.getJobCounts('failed')).failed).toBe(0);
    } finally {
      await worker.close();
    }
  }, 40_000);

  it('should lose nothing when a worker dies mid-batch and another takes over', async () => {
    const t0 = new Date();
    await control(stack.sandbox, 'POST', '/settings', { latencyMs: 150 });
    await schedulerA.sweeps.sweep();
    const first = await startWorkerRole(stack.api.env);
    await waitFor('jobs in flight', async () => (await schedulerA.queue.getJobCounts('active')).active >= 2);
    await first.kill(); // no waiting for the active jobs: their locks just stop being renewed
    const second = await startWorkerRole(stack.api.env);
    try {
      await waitFor('every account checked', async () => (await uncheckedSince(t0)) === 0, 40_000);
      await waitFor(
        'the queue drained',
        async () => {
          const c = await schedulerA.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          return c.waiting + c.active + c.delayed + c.prioritized === 0 ? c : null;
        },
        40_000,
      );
      expect((await schedulerA.queue.getJobCounts('failed')).failed).toBe(0);
      const valid = await db.query<Array<{ n: number }>>(
        `SELECT count(*)::int n FROM instagram_tokens WHERE id = ANY($1) AND is_valid AND next_check_at > now()`,
        [ids],
      );
      expect(valid[0].n).toBe(N);
    } finally {
      await second.close();
      await first.close();
    }
  }, 90_000);
});
