import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { AuthTokenService } from '../../src/modules/auth/auth-token.service';
import { TOKEN_MAINTENANCE_QUEUE } from '../../src/modules/queue/queue.constants';
import { OffsetClock } from '../helpers/offset-clock';
import { SAM_ID, control } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';
import { startSchedulerRole, startSmtp, startWorkerRole, waitFor } from '../helpers/lifecycle';

const DAY = 86_400;

describe('token lifecycle: sweep, worker, alerts, reconnect link (e2e)', () => {
  const clock = new OffsetClock();
  let stack: Stack;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let worker: Awaited<ReturnType<typeof startWorkerRole>>;
  let scheduler: Awaited<ReturnType<typeof startSchedulerRole>>;
  let db: DataSource;
  let queue: Queue;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack(
      { SMTP_URL: smtp.url, JOB_BACKOFF_MS: '100', JOB_ATTEMPTS: '4', JOB_LOCK_MS: '2000', PUBLIC_API_URL: 'http://api.test' },
      { overrideProviders: [{ provide: Clock, useValue: clock }] },
    );
    db = stack.api.app.get(DataSource);
    worker = await startWorkerRole(stack.api.env, clock);
    scheduler = await startSchedulerRole(stack.api.env, clock);
    queue = scheduler.queue;
  });
  afterAll(async () => {
    await scheduler?.close();
    await worker?.close();
    await stack?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    clock.offsetMs = 0;
  });

  async function connectSam(): Promise<{ auth: string; email: string; accountId: number }> {
    const user = await newUser(stack);
    const res = await callback(stack, user.auth, await dialog(stack, user.auth, { user: SAM_ID })).expect(200);
    return { ...user, accountId: res.body.accounts[0].id as number };
  }
  const account = async (id: number) =>
    (
      await db.query<Array<Record<string, unknown>>>(
        `SELECT status, is_valid, expires_at, next_check_at, last_checked_at, last_error_code FROM instagram_tokens WHERE id = $1`,
        [id],
      )
    )[0];
  const makeDue = (id: number) =>
    db.query(`UPDATE instagram_tokens SET next_check_at = $2 WHERE id = $1`, [id, new Date(clock.now().getTime() - 60_000)]);
  const calls = async (path: string) =>
    (
      await control<{ data: Array<{ path: string; query: Record<string, string>; status: number }> }>(
        stack.sandbox,
        'GET',
        `/calls?path=${encodeURIComponent(path)}`,
      )
    ).data;
  const jobFor = async (accountId: number) => {
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
    return jobs.find((j) => j.data.accountId === accountId);
  };

  it('should raise one alert and send one e-mail with a scanner-proof reconnect link when a sweep finds 13 days left', async () => {
    const { auth, email, accountId } = await connectSam();
    const before = await account(accountId);
    const expiresAt = new Date(before.expires_at as string);
    // both clocks to 13 days before the expiry
    const advance = Math.floor((expiresAt.getTime() - Date.now()) / 1000) - 13 * DAY;
    await control(stack.sandbox, 'POST', '/clock', { advance_seconds: advance });
    clock.advance(advance);

    const first = await scheduler.sweeps.sweep();
    expect(first.enqueued).toBeGreaterThanOrEqual(1);
    const mail = await waitFor('the alert e-mail', () => Promise.resolve(smtp.mails.find((m) => m.to.includes(email))));
    const alerts = await db.query<Array<Record<string, unknown>>>(
      `SELECT kind, threshold_days, emailed_at FROM alerts WHERE account_id = $1`,
      [accountId],
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'expiring', threshold_days: 14 });
    await waitFor(
      'emailed_at',
      async () =>
        (
          await db.query<Array<{ emailed_at: Date | null }>>(`SELECT emailed_at FROM alerts WHERE account_id = $1`, [accountId])
        )[0].emailed_at,
    );
    expect(mail.text).toContain('@sam.studio');
    // the account's history says the user was e-mailed
    const history = await stack.http().get(`/social/accounts/${accountId}/events`).set('Authorization', auth).expect(200);
    expect(history.body.events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'alert_emailed', outcome: 'success', actor: 'worker' })]),
    );
    const link = /http:\/\/api\.test(\/social\/reconnect\/[\w.-]+)/.exec(mail.text);
    expect(link).not.toBeNull();

    // following the link: straight to the Facebook dialog with a fresh state
    const follow = await stack.http().get(link![1]).expect(302);
    const dialogUrl = new URL(follow.headers.location);
    expect(dialogUrl.origin).toBe(stack.sandbox.url);
    expect(dialogUrl.pathname).toBe('/v25.0/dialog/oauth');
    const state = dialogUrl.searchParams.get('state');
    expect(state).toBeTruthy();
    const states = await db.query<Array<Record<string, unknown>>>(
      `SELECT purpose, account_id FROM oauth_states ORDER BY created_at DESC LIMIT 1`,
    );
    expect(states[0]).toMatchObject({ purpose: 'reconnect', account_id: accountId });
    // a mail scanner opened it first: each GET starts a fresh login, none uses the link up
    const scanned = await stack.http().get(link![1]).expect(302);
    expect(new URL(scanned.headers.location).searchParams.get('state')).not.toBe(state);

    const approved = await fetch(`${dialogUrl.toString()}&sandbox_auto=approve&sandbox_user=${SAM_ID}`, { redirect: 'manual' });
    const search = new URL(approved.headers.get('location') as string).search;
    // whoever holds the link and the code cannot complete it without the user's sign-in
    expect((await callback(stack, null, search).expect(401)).body.code).toBe('AUTH_REQUIRED');
    const done = await callback(stack, auth, search).expect(200);
    expect(done.body.status).toBe('connected');

    // the connect through it completed: the link is dead
    const again = await stack.http().get(link![1]).expect(302);
    expect(again.headers.location).toBe('http://localhost:3002/settings/social-accounts?error=RECONNECT_LINK_INVALID');
    // a forged one
    const forged = await stack
      .http()
      .get(`/social/reconnect/${accountId}.9999999999.${'A'.repeat(43)}.${'B'.repeat(43)}`)
      .expect(302);
    expect(forged.headers.location).toContain('error=RECONNECT_LINK_INVALID');

    // a second sweep: nothing new
    const mailsBefore = smtp.mails.length;
    const second = await scheduler.sweeps.sweep();
    expect(second.enqueued).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.length).toBe(mailsBefore);
    expect(
      (await db.query<Array<{ n: number }>>(`SELECT count(*)::int n FROM alerts WHERE account_id = $1`, [accountId]))[0].n,
    ).toBe(1);
  });

  it('should answer extended: false with the honest message when Meta keeps the expiry, and extended: true when it moves it', async () => {
    const { auth, accountId } = await connectSam();
    await control(stack.sandbox, 'POST', '/clock', { advance_seconds: 2 * DAY });
    clock.advance(2 * DAY);
    const kept = await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth).expect(200);
    expect(kept.body.extended).toBe(false);
    expect(kept.body.message).toMatch(/Facebook keeps this token until .+; reconnect before then to extend it/);
    const keptUntil = new Date(kept.body.new_expires_at as string);

    await control(stack.sandbox, 'POST', '/settings', { longLivedExchangeExtends: true });
    clock.advance(60); // past the window in which a repeated user refresh answers with the last result
    const moved = await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth).expect(200);
    expect(moved.body.extended).toBe(true);
    expect(new Date(moved.body.new_expires_at as string).getTime()).toBeGreaterThan(keptUntil.getTime() + DAY * 1000);
    expect(moved.body.message).toContain('now keeps this connection until');
  });

  it('should mark needs_reconnect, raise an alert and not retry when the password changed at Facebook', async () => {
    const { accountId } = await connectSam();
    await control(stack.sandbox, 'POST', `/users/${SAM_ID}/invalidate`, { subcode: 460 });
    await control(stack.sandbox, 'DELETE', '/calls');
    await makeDue(accountId);
    await scheduler.sweeps.sweep();
    const job = await waitFor('the check to complete', async () => {
      const j = await jobFor(accountId);
      return j && (await j.isCompleted()) ? j : null;
    });
    const row = await account(accountId);
    expect(row).toMatchObject({
      status: 'needs_reconnect',
      is_valid: false,
      last_error_code: 'GRAPH_190_460',
      next_check_at: null,
    });
    const alerts = await db.query<Array<{ kind: string; message: string }>>(
      `SELECT kind, message FROM alerts WHERE account_id = $1`,
      [accountId],
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].kind).toBe('token_invalid');
    expect(alerts[0].message).toContain('password changed');
    await new Promise((r) => setTimeout(r, 600)); // a retry would come after 100 ms
    const probes = await calls('debug_token');
    expect(probes.length).toBeLessThanOrEqual(2); // one run: the two probes, nothing after
    expect(await calls('oauth/access_token')).toHaveLength(0);
    expect(job.attemptsMade).toBeLessThanOrEqual(1);
    expect(await (await jobFor(accountId))?.isFailed()).toBe(false);
  });

  /** 51 days on: 9 days left, inside the 10-day refresh window, where a scheduled check re-exchanges. */
  const intoRefreshWindow = async () => {
    await control(stack.sandbox, 'POST', '/clock', { advance_seconds: 51 * DAY });
    clock.advance(51 * DAY);
  };

  it('should retry transient code 2 with backoff and end valid when Meta fails twice then answers', async () => {
    const { accountId } = await connectSam();
    await intoRefreshWindow();
    await control(stack.sandbox, 'POST', '/faults', { path: 'oauth/access_token', count: 2, error: { code: 2 } });
    await control(stack.sandbox, 'DELETE', '/calls');
    await makeDue(accountId);
    await scheduler.sweeps.sweep();
    await waitFor('the check to complete after retries', async () => {
      const j = await jobFor(accountId);
      return j && (await j.isCompleted()) ? j : null;
    });
    const exchanges = (await calls('oauth/access_token')).filter((c) => 'fb_exchange_token' in c.query);
    expect(exchanges).toHaveLength(3);
    expect(exchanges.slice(0, 2).every((c) => c.status >= 500)).toBe(true);
    expect(exchanges[2].status).toBe(200);
    const row = await account(accountId);
    expect(row.is_valid).toBe(true);
    expect(['active', 'expiring']).toContain(row.status);
    expect(new Date(row.next_check_at as string).getTime()).toBeGreaterThan(clock.now().getTime());
  });

  it('should delay the job for at least the regain time, not fail it, when Meta answers code 4 with usage headers', async () => {
    const { accountId } = await connectSam();
    await intoRefreshWindow();
    await control(stack.sandbox, 'POST', '/faults', {
      path: 'oauth/access_token',
      count: 1,
      error: { code: 4 },
      usage: { call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: 2 },
    });
    await makeDue(accountId);
    const before = Date.now();
    await scheduler.sweeps.sweep();
    const job = await waitFor('the job to be delayed', async () => {
      const j = await jobFor(accountId);
      return j && (await j.isDelayed()) ? j : null;
    });
    const fresh = await queue.getJob(job.id as string);
    expect(await fresh!.isFailed()).toBe(false);
    // delayed until at least two minutes (estimated_time_to_regain_access) from the failure
    expect(fresh!.timestamp + fresh!.delay - before).toBeGreaterThanOrEqual(2 * 60_000 - 1000);
    expect((await account(accountId)).is_valid).toBe(true);
    await fresh!.remove();
  });

  it('should make exactly one fb_exchange_token call and answer 200 to all when 50 refreshes of one account arrive at once', async () => {
    const { auth, accountId } = await connectSam();
    await control(stack.sandbox, 'POST', '/settings', { latencyMs: 30 });
    await control(stack.sandbox, 'DELETE', '/calls');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', auth),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.body.new_expires_at as string)).size).toBe(1);
    const exchanges = (await calls('oauth/access_token')).filter((c) => 'fb_exchange_token' in c.query);
    expect(exchanges).toHaveLength(1);
  });

  it('should keep /metrics public and Bull Board admin-only', async () => {
    const metrics = await stack.http().get('/metrics').expect(200);
    expect(metrics.text).toContain('autoreels_connections{status="active"}');
    expect(metrics.text).toContain('autoreels_queue_jobs{queue="token-maintenance",state="waiting"}');
    expect(metrics.text).toContain('autoreels_seconds_until_earliest_expiry');
    const none = await stack.http().get('/admin/queues').expect(401);
    expect(none.body).toEqual({ statusCode: 401, code: 'AUTH_REQUIRED', message: expect.any(String) });
    const { auth } = await newUser(stack);
    const user = await stack.http().get('/admin/queues').set('Authorization', auth).expect(403);
    expect(user.body.code).toBe('FORBIDDEN');
    const me = await stack.http().get('/auth/me').set('Authorization', auth).expect(200);
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [me.body.id]);
    const admin = stack.api.app
      .get(AuthTokenService)
      .issue({ id: me.body.id as number, email: me.body.email as string, role: 'admin' });
    const board = await stack.http().get('/admin/queues/api/queues').set('Authorization', `Bearer ${admin.token}`).expect(200);
    expect(JSON.stringify(board.body)).toContain(TOKEN_MAINTENANCE_QUEUE);
  });
});
