import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startSandbox } from '../../src/sandbox/sandbox-server';
import { AdvanceReel } from '../../src/modules/publishing/use-cases/advance-reel.use-case';
import { SweepReels } from '../../src/modules/publishing/use-cases/sweep-reels.use-case';
import { startApi } from '../helpers/api-app';
import { startReceiver } from '../helpers/webhook-receiver';
import { deleteRedisPrefix, startSchedulerRole, startWorkerRole, waitFor } from '../helpers/lifecycle';
import { control } from '../helpers/sandbox';
import { callback, dialog, newPerson, newUser, type Stack } from '../helpers/stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Publishing Reels end to end (DESIGN.md §8): the api, a worker and the scheduler against the
 * real PostgreSQL and Redis, and the Meta Graph sandbox over HTTP.
 */
jest.setTimeout(60_000);

describe('reels (e2e)', () => {
  let stack: Stack;
  let db: DataSource;
  let worker: Awaited<ReturnType<typeof startWorkerRole>> | undefined;
  let scheduler: Awaited<ReturnType<typeof startSchedulerRole>>;
  const uploadDir = mkdtempSync(join(tmpdir(), 'reels-uploads-'));

  beforeAll(async () => {
    const sandbox = await startSandbox({ port: 0, redirectUris: ['http://localhost:3002/settings/social-accounts/callback'] });
    const api = await startApi({
      FACEBOOK_GRAPH_URL: sandbox.url,
      FACEBOOK_DIALOG_URL: sandbox.url,
      FACEBOOK_RUPLOAD_URL: `${sandbox.url}/rupload`,
      UPLOAD_DIR: uploadDir,
      UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
      REELS_POLL_INITIAL_MS: '100',
      REELS_POLL_MAX_MS: '400',
      REELS_RETRY_INITIAL_MS: '100',
      REELS_QUOTA_RECHECK_MS: '300',
      JOB_LOCK_MS: '1500',
    });
    stack = {
      api,
      sandbox,
      http: () => request.agent(api.app.getHttpServer()),
      close: async () => {
        await api.close();
        await sandbox.close();
      },
    };
    db = api.app.get(DataSource);
    await control(sandbox, 'POST', '/reels/config', { processing_seconds: 0, processing_polls: 1 });
    worker = await startWorkerRole(api.env);
    scheduler = await startSchedulerRole(api.env);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await scheduler?.close();
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await stack?.close();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  /** A user with one freshly connected Instagram account of their own Facebook person. */
  async function connected(): Promise<{ auth: string; accountId: number; igUserId: string; person: string }> {
    const { auth } = await newUser(stack);
    const person = await newPerson(stack, ['reels']);
    const res = await callback(stack, auth, await dialog(stack, auth, { user: person })).expect(200);
    const account = res.body.accounts[0] as Json;
    return { auth, accountId: account.id as number, igUserId: account.ig_user_id as string, person };
  }

  const post = (auth: string, body: Json, key?: string) => {
    const req = stack.http().post('/social/reels').set('Authorization', auth).send(body);
    return key ? req.set('Idempotency-Key', key) : req;
  };
  const get = async (auth: string, id: number): Promise<Json> =>
    (await stack.http().get(`/social/reels/${id}`).set('Authorization', auth).expect(200)).body as Json;
  const until = (auth: string, id: number, status: string, timeoutMs = 20_000) =>
    waitFor(
      `reel ${id} ${status}`,
      async () => {
        const r = await get(auth, id);
        if (['published', 'failed', 'cancelled'].includes(r.status as string) && r.status !== status)
          throw new Error(`reel ${id} ended ${r.status as string}: ${JSON.stringify(r)}`);
        return r.status === status ? r : null;
      },
      timeoutMs,
    );
  const media = async (igUserId: string): Promise<Json[]> =>
    (await control<{ data: Json[] }>(stack.sandbox, 'GET', `/reels/media?ig_user_id=${igUserId}`)).data;
  const containers = async (igUserId: string): Promise<Json[]> =>
    (await control<{ data: Json[] }>(stack.sandbox, 'GET', `/reels/containers?ig_user_id=${igUserId}`)).data;

  it('should publish a reel by URL and show its permalink when the pipeline is done', async () => {
    const a = await connected();
    const res = await post(a.auth, {
      account_id: a.accountId,
      video_url: 'https://cdn.example.com/launch.mp4',
      caption: 'Hello #coffee',
    }).expect(202);
    expect(res.body).toMatchObject({ account_id: a.accountId, status: 'queued', share_to_feed: true, media_id: null });
    expect(res.body.instagram_username).toMatch(/^reels\./);
    const done = await until(a.auth, res.body.id as number, 'published');
    const posted = await media(a.igUserId);
    expect(posted).toHaveLength(1);
    expect(done).toMatchObject({ media_id: posted[0].id, permalink: posted[0].permalink, error_code: null });
    expect(done.permalink).toMatch(/^https:\/\/www\.instagram\.com\/reel\//);
    expect(posted[0]).toMatchObject({ caption: 'Hello #coffee', video_url: 'https://cdn.example.com/launch.mp4' });
    const list = await stack.http().get('/social/reels').set('Authorization', a.auth).expect(200);
    expect(list.body.reels.map((r: Json) => r.id)).toEqual([res.body.id]);
    const limit = await stack
      .http()
      .get(`/social/accounts/${a.accountId}/publishing-limit`)
      .set('Authorization', a.auth)
      .expect(200);
    expect(limit.body).toEqual({ quota_usage: 1, quota_total: 100, quota_duration_seconds: 86400 });
  });

  it("should announce a published and a failed reel to the owner's webhook endpoints, signed", async () => {
    const receiver = await startReceiver();
    try {
      const a = await connected();
      const endpoint = await stack
        .http()
        .post('/integrations/webhooks')
        .set('Authorization', a.auth)
        .send({ url: receiver.url, events: ['reel.published', 'reel.failed'] })
        .expect(201);
      const ok = await post(a.auth, { account_id: a.accountId, video_url: 'https://cdn.example.com/ok.mp4' }).expect(202);
      const done = await until(a.auth, ok.body.id as number, 'published');
      await control(stack.sandbox, 'POST', '/reels/next-containers', { ig_user_id: a.igUserId, subcode: 2207026 });
      const bad = await post(a.auth, { account_id: a.accountId, video_url: 'https://cdn.example.com/bad.mp4' }).expect(202);
      await until(a.auth, bad.body.id as number, 'failed');
      const events = await waitFor('both reel events', () =>
        Promise.resolve(receiver.received.length >= 2 ? receiver.received : null),
      );
      const bodies = events.map((e) => JSON.parse(e.raw) as { type: string; data: Json });
      expect(bodies.map((b) => b.type).sort()).toEqual(['reel.failed', 'reel.published']);
      expect(bodies.find((b) => b.type === 'reel.published')?.data).toMatchObject({
        reel_id: ok.body.id,
        account_id: a.accountId,
        instagram_user_id: a.igUserId,
        instagram_media_id: done.media_id,
        permalink: done.permalink,
      });
      expect(bodies.find((b) => b.type === 'reel.failed')?.data).toMatchObject({
        reel_id: bad.body.id,
        error_code: 'MEDIA_ERROR_2207026',
      });
      const secret = endpoint.body.secret as string;
      for (const e of events) {
        const [t, v1] = String(e.headers['x-autoreels-signature'])
          .split(',')
          .map((kv) => kv.split('=')[1]);
        expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${e.raw}`).digest('hex'));
      }
    } finally {
      await receiver.close();
    }
  });

  it('should stream an upload to disk and send the same bytes with the resumable upload, then delete the file', async () => {
    const a = await connected();
    const bytes = randomBytes(300 * 1024);
    const up = await stack
      .http()
      .post('/social/uploads')
      .set('Authorization', a.auth)
      .attach('file', bytes, { filename: 'clip.mp4', contentType: 'video/mp4' })
      .expect(201);
    expect(up.body).toMatchObject({ size: bytes.length, content_type: 'video/mp4' });
    const res = await post(a.auth, { upload_id: up.body.upload_id, caption: 'uploaded' }).expect(202);
    await until(a.auth, res.body.id as number, 'published');
    const [m] = await media(a.igUserId);
    expect(m.upload_sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    // the file goes once the reel is terminal, just after the status is written: wait for it, but not forever
    const file = `${up.body.upload_id as string}.video`;
    await waitFor(
      'the upload file to be deleted',
      () => Promise.resolve(readdirSync(uploadDir).includes(file) ? null : true),
      5_000,
    );
    // an upload serves one reel
    await post(a.auth, { upload_id: up.body.upload_id }).expect(404);
  });

  it('should refuse uploads of another type (415) or above UPLOAD_MAX_BYTES (413)', async () => {
    const a = await connected();
    const before = readdirSync(uploadDir);
    const wrong = await stack
      .http()
      .post('/social/uploads')
      .set('Authorization', a.auth)
      .attach('file', Buffer.from('not a video'), { filename: 'a.txt', contentType: 'text/plain' });
    expect([wrong.status, wrong.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const big = await stack
      .http()
      .post('/social/uploads')
      .set('Authorization', a.auth)
      .attach('file', Buffer.alloc(2 * 1024 * 1024 + 10), { filename: 'big.mp4', contentType: 'video/mp4' });
    expect([big.status, big.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(readdirSync(uploadDir)).toEqual(before);
  });

  it('should answer a repeated Idempotency-Key with the same reel and refuse it with another body', async () => {
    const a = await connected();
    const body = { video_url: 'https://cdn.example.com/idem.mp4', caption: 'once' };
    const first = await post(a.auth, body, 'key-1').expect(202);
    const again = await post(a.auth, { caption: 'once', video_url: 'https://cdn.example.com/idem.mp4' }, 'key-1').expect(200);
    expect(again.body.id).toBe(first.body.id);
    const misuse = await post(a.auth, { ...body, caption: 'twice' }, 'key-1').expect(409);
    expect(misuse.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await until(a.auth, first.body.id as number, 'published');
    expect(await media(a.igUserId)).toHaveLength(1);
  });

  it('should fail with the reason when the container ends in ERROR', async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', '/reels/next-containers', { ig_user_id: a.igUserId, subcode: 2207026 });
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/bad.mov' }).expect(202);
    const failed = await until(a.auth, res.body.id as number, 'failed');
    expect(failed.error_code).toBe('MEDIA_ERROR_2207026');
    expect(failed.error_message).toMatch(/format is not supported/);
    expect(await media(a.igUserId)).toHaveLength(0);
  });

  it('should make one new container when the first EXPIRES, then fail MEDIA_EXPIRED', async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', '/reels/config', { processing_seconds: 3600 });
    try {
      const res = await post(a.auth, { video_url: 'https://cdn.example.com/slow.mp4' }).expect(202);
      const id = res.body.id as number;
      const first = (await waitFor('a container', async () => (await get(a.auth, id)).container_id)) as string;
      await control(stack.sandbox, 'POST', `/reels/containers/${first}/expire`);
      const second = await waitFor<string>('a second container', async () => {
        const c = (await get(a.auth, id)).container_id as string | null;
        return c && c !== first ? c : null;
      });
      await control(stack.sandbox, 'POST', `/reels/containers/${second}/expire`);
      const failed = await until(a.auth, id, 'failed');
      expect(failed.error_code).toBe('MEDIA_EXPIRED');
      expect(await containers(a.igUserId)).toHaveLength(2);
    } finally {
      await control(stack.sandbox, 'POST', '/reels/config', { processing_seconds: 0 });
    }
  });

  it('should wait when Meta says "not ready" (9007/2207027) and then publish once', async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', '/faults', {
      path: `/${a.igUserId}/media_publish`,
      count: 2,
      error: { code: 9007, subcode: 2207027, message: 'Media ID is not available' },
    });
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/notready.mp4' }).expect(202);
    await until(a.auth, res.body.id as number, 'published');
    expect(await media(a.igUserId)).toHaveLength(1);
    const events = await db.query<Array<{ type: string }>>(`SELECT type FROM reel_events WHERE reel_id = $1 ORDER BY id`, [
      res.body.id,
    ]);
    expect(events.filter((e) => e.type === 'not_ready')).toHaveLength(2);
  });

  it('should stay queued while the quota is used up and publish once it frees', async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', '/reels/quota', { ig_user_id: a.igUserId, quota_used: 100 });
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/quota.mp4' }).expect(202);
    const waiting = await waitFor('a quota wait', async () => {
      const r = await get(a.auth, res.body.id as number);
      return r.status === 'queued' && r.attempts > 0 && r.next_attempt_at ? r : null;
    });
    expect(Date.parse(waiting.next_attempt_at as string)).toBeGreaterThan(Date.now() - 1000);
    await new Promise((r) => setTimeout(r, 800));
    expect((await get(a.auth, res.body.id as number)).status).toBe('queued');
    expect(await containers(a.igUserId)).toHaveLength(0);
    await control(stack.sandbox, 'POST', '/reels/quota', { ig_user_id: a.igUserId, quota_total: 200 });
    await until(a.auth, res.body.id as number, 'published');
    expect(await media(a.igUserId)).toHaveLength(1);
  });

  it('should cancel a reel waiting for the quota, and never publish it once the quota frees', async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', '/reels/quota', { ig_user_id: a.igUserId, quota_used: 100 });
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/wait-then-cancel.mp4' }).expect(202);
    const id = res.body.id as number;
    await waitFor('a quota wait', async () => {
      const r = await get(a.auth, id);
      return r.status === 'queued' && r.attempts > 0 && r.next_attempt_at && Date.parse(r.next_attempt_at as string) > Date.now()
        ? r
        : null;
    });
    const cancelled = await stack.http().delete(`/social/reels/${id}`).set('Authorization', a.auth).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', container_id: null });
    await control(stack.sandbox, 'POST', '/reels/quota', { ig_user_id: a.igUserId, quota_total: 200 });
    await scheduler.ctx.get(SweepReels).execute();
    await new Promise((r) => setTimeout(r, 800));
    expect((await get(a.auth, id)).status).toBe('cancelled');
    expect(await containers(a.igUserId)).toHaveLength(0);
  });

  it('should never publish a scheduled reel cancelled before its time', async () => {
    const a = await connected();
    const at = new Date(Date.now() + 1500).toISOString();
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/later.mp4', publish_at: at }).expect(202);
    expect(res.body).toMatchObject({ status: 'scheduled', publish_at: at });
    const cancelled = await stack
      .http()
      .delete(`/social/reels/${res.body.id as number}`)
      .set('Authorization', a.auth)
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1800));
    await scheduler.ctx.get(SweepReels).execute();
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(a.auth, res.body.id as number)).status).toBe('cancelled');
    expect(await containers(a.igUserId)).toHaveLength(0);
    const events = await db.query<Array<{ type: string }>>(`SELECT type FROM reel_events WHERE reel_id = $1 ORDER BY id`, [
      res.body.id,
    ]);
    expect(events.map((e) => e.type)).toEqual(['scheduled', 'cancelled']);
  });

  it('should leave a reel another run holds alone: no Meta call, no step, look again when its lease ends', async () => {
    const a = await connected();
    const res = await post(a.auth, {
      video_url: 'https://cdn.example.com/held.mp4',
      publish_at: new Date(Date.now() + 3_600_000).toISOString(),
    }).expect(202);
    const id = res.body.id as number;
    // due now, but held by a run elsewhere for another minute
    const [[held]] = await db.query<[Array<{ lease_until: Date; version: number }>, number]>(
      `UPDATE reels SET status = 'queued', next_attempt_at = now(), lease_until = now() + interval '60 seconds'
        WHERE id = $1 RETURNING lease_until, version`,
      [id],
    );
    const calls = async () => (await control<{ data: unknown[] }>(stack.sandbox, 'GET', `/calls?path=${a.igUserId}`)).data.length;
    const before = await calls();
    const result = await worker!.ctx.get(AdvanceReel).execute(id);
    expect(result).toEqual({ status: 'queued', nextAt: held.lease_until });
    const [after] = await db.query<Array<{ status: string; version: number; lease_until: Date }>>(
      `SELECT status, version, lease_until FROM reels WHERE id = $1`,
      [id],
    );
    expect(after).toEqual({ status: 'queued', version: held.version, lease_until: held.lease_until });
    expect(await calls()).toBe(before);
    await db.query(`UPDATE reels SET status = 'cancelled', lease_until = NULL WHERE id = $1`, [id]);
  });

  it('should publish a scheduled reel when the scheduler finds it due, and refuse to cancel it afterwards', async () => {
    const a = await connected();
    const res = await post(a.auth, {
      video_url: 'https://cdn.example.com/sched.mp4',
      publish_at: new Date(Date.now() + 2500).toISOString(),
    }).expect(202);
    expect(res.body.status).toBe('scheduled');
    await new Promise((r) => setTimeout(r, 2700));
    expect((await scheduler.ctx.get(SweepReels).execute()).enqueued).toBeGreaterThanOrEqual(1);
    await until(a.auth, res.body.id as number, 'published');
    const late = await stack
      .http()
      .delete(`/social/reels/${res.body.id as number}`)
      .set('Authorization', a.auth)
      .expect(409);
    expect(late.body.code).toBe('REEL_NOT_CANCELLABLE');
  });

  it('should page reels newest first with limit and cursor, as the Reels screen\'s "Show older" does', async () => {
    const a = await connected();
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++)
      ids.push(
        (
          await post(a.auth, { account_id: a.accountId, video_url: `https://cdn.example.com/p${i}.mp4`, publish_at: at }).expect(
            202,
          )
        ).body.id as number,
      );
    const list = async (query: string): Promise<Json> =>
      (await stack.http().get(`/social/reels?account_id=${a.accountId}&${query}`).set('Authorization', a.auth).expect(200))
        .body as Json;

    const seen: number[] = [];
    let page = await list('limit=2');
    const cursors: Array<string | null> = [];
    for (;;) {
      seen.push(...(page.reels as Json[]).map((r) => r.id as number));
      cursors.push(page.next_cursor as string | null);
      if (page.next_cursor === null) break;
      page = await list(`limit=2&cursor=${page.next_cursor as string}`);
    }
    expect(seen).toEqual([...ids].reverse());
    expect(cursors).toEqual([String(ids[3]), String(ids[1]), null]);
    // exactly a page left: no cursor to an empty page
    expect((await list('limit=5')).next_cursor).toBeNull();

    // a cancelled reel stays in its place; a status filter pages the same way
    await stack.http().delete(`/social/reels/${ids[2]}`).set('Authorization', a.auth).expect(200);
    const scheduled = await list('status=scheduled&limit=3');
    expect((scheduled.reels as Json[]).map((r) => r.id)).toEqual([ids[4], ids[3], ids[1]]);
    expect((await list(`status=scheduled&limit=3&cursor=${scheduled.next_cursor as string}`)).reels).toHaveLength(1);

    for (const bad of ['limit=101', 'limit=0', 'cursor=abc']) {
      const res = await stack.http().get(`/social/reels?${bad}`).set('Authorization', a.auth).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('should re-enqueue from PostgreSQL a reel whose job a lost Redis dropped', async () => {
    const a = await connected();
    await worker?.close();
    worker = undefined;
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/lost.mp4' }).expect(202);
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    worker = await startWorkerRole(stack.api.env);
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(a.auth, res.body.id as number)).status).toBe('queued');
    await scheduler.ctx.get(SweepReels).execute();
    await until(a.auth, res.body.id as number, 'published');
  });

  it('should fail NEEDS_RECONNECT and mark the account when Meta answers 190 while publishing', async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', `/users/${a.person}/invalidate`, { subcode: 460 });
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/dead.mp4' }).expect(202);
    const failed = await until(a.auth, res.body.id as number, 'failed');
    expect(failed.error_code).toBe('NEEDS_RECONNECT');
    const acc = await stack.http().get(`/social/accounts/${a.accountId}`).set('Authorization', a.auth).expect(200);
    expect(acc.body.status).toBe('needs_reconnect');
    // and from now on the route refuses it
    const refused = await post(a.auth, { video_url: 'https://cdn.example.com/dead.mp4' }).expect(409);
    expect(refused.body.code).toBe('NEEDS_RECONNECT');
  });

  it("should fail META_APP_PROBLEM without asking for a reconnect when Meta answers code 10 (the app's access) while publishing", async () => {
    const a = await connected();
    await control(stack.sandbox, 'POST', '/faults', {
      path: `/${a.igUserId}/media_publish`,
      count: 1,
      error: { code: 10, message: '(#10) Application does not have permission for this action' },
    });
    const res = await post(a.auth, { video_url: 'https://cdn.example.com/app-problem.mp4' }).expect(202);
    const failed = await until(a.auth, res.body.id as number, 'failed');
    expect(failed.error_code).toBe('META_APP_PROBLEM');
    expect(failed.error_message).not.toMatch(/reconnect/i);
    // the connection is not the user's problem: it stays active and the next reel may go
    const acc = await stack.http().get(`/social/accounts/${a.accountId}`).set('Authorization', a.auth).expect(200);
    expect(acc.body.status).toBe('active');
    await post(a.auth, { video_url: 'https://cdn.example.com/after.mp4' }).expect(202);
  });

  it('should refuse an account that needs a reconnect (409) or lacks the publish permission (403)', async () => {
    const a = await connected();
    await db.query(`UPDATE instagram_tokens SET permissions = '["instagram_basic","pages_show_list"]' WHERE id = $1`, [
      a.accountId,
    ]);
    expect((await post(a.auth, { video_url: 'https://cdn.example.com/x.mp4' }).expect(403)).body.code).toBe('PERMISSION_MISSING');
    await db.query(`UPDATE instagram_tokens SET status = 'needs_reconnect', is_valid = false WHERE id = $1`, [a.accountId]);
    expect((await post(a.auth, { video_url: 'https://cdn.example.com/x.mp4' }).expect(409)).body.code).toBe('NEEDS_RECONNECT');
  });

  it("should answer 404 for someone else's account or reel", async () => {
    const a = await connected();
    const b = await connected();
    const mine = await post(a.auth, {
      video_url: 'https://cdn.example.com/mine.mp4',
      publish_at: new Date(Date.now() + 3_600_000).toISOString(),
    }).expect(202);
    expect(
      (await post(b.auth, { account_id: a.accountId, video_url: 'https://cdn.example.com/x.mp4' }).expect(404)).body.code,
    ).toBe('ACCOUNT_NOT_FOUND');
    expect(
      (
        await stack
          .http()
          .get(`/social/reels/${mine.body.id as number}`)
          .set('Authorization', b.auth)
          .expect(404)
      ).body.code,
    ).toBe('REEL_NOT_FOUND');
    await stack
      .http()
      .delete(`/social/reels/${mine.body.id as number}`)
      .set('Authorization', b.auth)
      .expect(404);
    await stack.http().get(`/social/accounts/${a.accountId}/publishing-limit`).set('Authorization', b.auth).expect(404);
    expect((await stack.http().get('/social/reels').set('Authorization', b.auth).expect(200)).body.reels).toEqual([]);
  });

  it("should refuse captions beyond Meta's limits with 400", async () => {
    const a = await connected();
    const url = 'https://cdn.example.com/c.mp4';
    expect((await post(a.auth, { video_url: url, caption: 'x'.repeat(2201) }).expect(400)).body.code).toBe('CAPTION_TOO_LONG');
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    expect((await post(a.auth, { video_url: url, caption: tags }).expect(400)).body.code).toBe('TOO_MANY_HASHTAGS');
    const mentions = Array.from({ length: 21 }, (_, i) => `@u${i}`).join(' ');
    expect((await post(a.auth, { video_url: url, caption: mentions }).expect(400)).body.code).toBe('TOO_MANY_MENTIONS');
    await post(a.auth, { video_url: 'http://cdn.example.com/c.mp4' }).expect(400);
    await post(a.auth, { video_url: url, upload_id: '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90' }).expect(400);
    await post(a.auth, { video_url: url, publish_at: new Date(Date.now() + 76 * 86_400_000).toISOString() }).expect(400);
    await post(a.auth, { video_url: url, caption: 'x'.repeat(2200) }).expect(202);
  });

  it('should post exactly once when the worker is SIGKILLed between media_publish and writing its answer', async () => {
    const a = await connected();
    await worker?.close();
    worker = undefined;
    // Meta takes a while to answer media_publish: the worker is killed while the call is in flight
    await control(stack.sandbox, 'POST', '/faults', { path: `/${a.igUserId}/media_publish`, latency_ms: 3000 });
    const child = spawnWorker(stack.api.env);
    try {
      const res = await post(a.auth, { video_url: 'https://cdn.example.com/kill.mp4', caption: 'exactly once' }).expect(202);
      const id = res.body.id as number;
      await waitFor(
        'the ledger row',
        async () =>
          (await db.query(`SELECT 1 FROM reel_events WHERE reel_id = $1 AND type = 'publish_requested'`, [id])).length > 0,
        60_000,
        10,
      );
      // the ledger is written just before the call: give the call time to reach Meta (it then
      // takes 3 s to answer), so the kill lands while it is in flight even on a loaded machine
      await new Promise((r) => setTimeout(r, 700));
      child.kill('SIGKILL');
      await waitFor('Meta to publish it anyway', async () => (await media(a.igUserId)).length === 1, 10_000);
      expect((await get(a.auth, id)).media_id).toBeNull(); // our side never heard the answer
      worker = await startWorkerRole(stack.api.env); // the stalled job runs again here
      const done = await until(a.auth, id, 'published', 30_000);
      const posted = await media(a.igUserId);
      expect(posted).toHaveLength(1);
      expect(done.media_id).toBe(posted[0].id);
      expect(done.permalink).toBe(posted[0].permalink);
      const [c] = await containers(a.igUserId);
      expect(c.publish_attempts).toBe(1);
      const events = await db.query<Array<{ type: string }>>(`SELECT type FROM reel_events WHERE reel_id = $1 ORDER BY id`, [id]);
      expect(events.map((e) => e.type)).toContain('media_recovered');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

/** The real worker role in its own process (ts-node), as bench/lifecycle.ts starts it. */
function spawnWorker(env: Record<string, string>): ChildProcess {
  const root = join(__dirname, '..', '..');
  return spawn(
    process.execPath,
    [require.resolve('ts-node/dist/bin'), '--transpile-only', join(root, 'src', 'roles', 'worker.ts')],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
