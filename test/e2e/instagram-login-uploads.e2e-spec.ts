import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { UploadUrls } from '../../src/modules/publishing/upload-urls';
import { control } from '../helpers/sandbox';
import { deleteRedisPrefix, startWorkerRole, waitFor } from '../helpers/lifecycle';
import { instagramCallback, instagramDialog, newUser, startStack, type Stack } from '../helpers/stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LENA_IG = '17841400000000101';

/** A port nobody listens on now (the API must know its public URL before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Publishing a reel from an upload through an Instagram-Login account (DESIGN.md §8): Meta
 * documents no resumable upload for Instagram Login, so the worker makes the container with a
 * signed, expiring `video_url` under PUBLIC_API_URL, and the sandbox downloads it over HTTP as
 * Meta would. The bytes Meta got must be the upload's; the URL must open nothing once forged,
 * expired or its file deleted, and never show up in answers, logs or job payloads.
 */
describe('Instagram Login: publishing from an upload through a signed URL (e2e)', () => {
  const uploadDir = mkdtempSync(join(tmpdir(), 'ig-uploads-'));
  const logFile = join(uploadDir, '..', `ig-uploads-${randomBytes(4).toString('hex')}.log`);
  let stack: Stack;
  let db: DataSource;
  let worker: Awaited<ReturnType<typeof startWorkerRole>>;
  let apiUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    stack = await startStack({
      PUBLIC_API_URL: apiUrl,
      UPLOAD_DIR: uploadDir,
      UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
      REELS_POLL_INITIAL_MS: '100',
      REELS_POLL_MAX_MS: '400',
      REELS_RETRY_INITIAL_MS: '100',
      JOB_LOCK_MS: '2000',
      LOG_LEVEL: 'info',
      LOG_FILE: logFile,
    });
    db = stack.api.app.get(DataSource);
    // the sandbox fetches the video over the network, as Meta would
    await stack.api.app.listen(port, '127.0.0.1');
    worker = await startWorkerRole(stack.api.env);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
    await stack?.close();
    rmSync(uploadDir, { recursive: true, force: true });
    rmSync(logFile, { force: true });
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    await control(stack.sandbox, 'POST', '/reels/config', { processing_seconds: 0, processing_polls: 1 });
  });

  async function connectLena(): Promise<{ auth: string; accountId: number }> {
    const { auth } = await newUser(stack);
    const res = await instagramCallback(stack, auth, await instagramDialog(stack, auth, { user: LENA_IG })).expect(200);
    expect(res.body.accounts[0].login_type).toBe('instagram');
    return { auth, accountId: res.body.accounts[0].id as number };
  }
  async function upload(auth: string, bytes: Buffer, type = 'video/mp4'): Promise<string> {
    const res = await stack
      .http()
      .post('/social/uploads')
      .set('Authorization', auth)
      .attach('file', bytes, { filename: 'clip.mp4', contentType: type })
      .expect(201);
    return res.body.upload_id as string;
  }
  const reel = async (auth: string, id: number): Promise<Json> =>
    (await stack.http().get(`/social/reels/${id}`).set('Authorization', auth).expect(200)).body as Json;
  const containers = async (): Promise<Json[]> =>
    (await control<{ data: Json[] }>(stack.sandbox, 'GET', `/reels/containers?ig_user_id=${LENA_IG}`)).data;
  const media = async (): Promise<Json[]> =>
    (await control<{ data: Json[] }>(stack.sandbox, 'GET', `/reels/media?ig_user_id=${LENA_IG}`)).data;
  /** Every job payload in Redis under this spec's prefix, as text. */
  async function jobPayloads(): Promise<string> {
    const redis = new IORedis(stack.api.env.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${stack.api.env.REDIS_KEY_PREFIX}*`);
      const out: string[] = [];
      for (const k of keys) if ((await redis.type(k)) === 'hash') out.push(JSON.stringify(await redis.hgetall(k)));
      return out.join('\n');
    } finally {
      redis.disconnect();
    }
  }

  it('should publish a reel from an upload, Meta receiving the same bytes from a signed URL, then delete the file', async () => {
    const { auth, accountId } = await connectLena();
    const bytes = randomBytes(300 * 1024);
    const uploadId = await upload(auth, bytes);
    const res = await stack
      .http()
      .post('/social/reels')
      .set('Authorization', auth)
      .send({ account_id: accountId, upload_id: uploadId, caption: 'From the oven #bread' })
      .expect(202);
    expect(res.body).toMatchObject({ upload_id: uploadId, video_url: null, status: 'queued' });
    const done = await waitFor(
      'the reel published',
      async () => {
        const r = await reel(auth, res.body.id as number);
        if (r.status === 'failed') throw new Error(JSON.stringify(r));
        return r.status === 'published' ? r : null;
      },
      20_000,
    );

    // Meta got the upload's bytes, from a signed URL under PUBLIC_API_URL, with the upload's type and length
    const [m] = await media();
    expect(m).toMatchObject({ id: done.media_id, upload_sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(m.upload_size).toBe(bytes.length);
    const [c] = await containers();
    const signed = new URL(c.video_url as string);
    expect(`${signed.origin}${signed.pathname}`).toBe(`${apiUrl}/media/uploads/${uploadId}`);
    expect(signed.searchParams.get('exp')).toMatch(/^\d+$/);
    const sig = signed.searchParams.get('sig') as string;
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.upload_type).toBeNull(); // no resumable upload on graph.instagram.com
    expect(c.video_fetch).toMatchObject({
      state: 'fetched',
      http_status: 200,
      content_type: 'video/mp4',
      content_length: bytes.length,
    });

    // the URL is Meta's alone: not in the API's answers, the reel's history, the jobs or the logs
    const list = await stack.http().get('/social/reels').set('Authorization', auth).expect(200);
    expect(JSON.stringify([done, list.body])).not.toContain(sig);
    const events = await db.query<Array<{ t: string }>>(`SELECT details::text || coalesce(message, '') AS t FROM reel_events`);
    expect(events.map((e) => e.t).join('\n')).not.toContain('/media/uploads/');
    expect(await jobPayloads()).not.toContain('/media/uploads/');
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`/media/uploads/${uploadId}?exp=`); // Meta's fetch was logged …
    expect(log).not.toContain(sig); // … without its signature

    // the file goes once the reel is done, and the URL opens nothing after that
    await waitFor(
      'the upload file to be deleted',
      () => Promise.resolve(readdirSync(uploadDir).includes(`${uploadId}.video`) ? null : true),
      5_000,
    );
    const gone = await fetch(c.video_url as string);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ statusCode: 404, code: 'UPLOAD_NOT_FOUND' });
  });

  it('should serve a signed URL with the right headers and ranges, and refuse a forged or expired one with 403', async () => {
    const { auth } = await connectLena();
    const bytes = randomBytes(64 * 1024);
    const uploadId = await upload(auth, bytes, 'video/quicktime');
    const other = await upload(auth, randomBytes(1024));
    const urls = stack.api.app.get(UploadUrls);
    const url = new URL(urls.signedUrl(uploadId, new Date()));
    const path = `${url.pathname}${url.search}`;

    const whole = await stack.http().get(path).buffer(true).parse(binary).expect(200);
    expect(whole.headers['content-type']).toBe('video/quicktime');
    expect(whole.headers['content-length']).toBe(String(bytes.length));
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['cache-control']).toBe('private, no-store');
    expect(Buffer.compare(whole.body as Buffer, bytes)).toBe(0);

    const part = await stack.http().get(path).set('Range', 'bytes=100-199').buffer(true).parse(binary).expect(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.compare(part.body as Buffer, bytes.subarray(100, 200))).toBe(0);
    const beyond = await stack
      .http()
      .get(path)
      .set('Range', `bytes=${bytes.length + 10}-`)
      .expect(416);
    expect(beyond.body).toMatchObject({ statusCode: 416, code: 'RANGE_NOT_SATISFIABLE' });
    const head = await stack.http().head(path).expect(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));

    const exp = url.searchParams.get('exp') as string;
    const sig = url.searchParams.get('sig') as string;
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [
      `/media/uploads/${uploadId}?exp=${exp}&sig=${flipped}`,
      `/media/uploads/${uploadId}?exp=${Number(exp) + 86_400}&sig=${sig}`, // a longer life, by hand
      `/media/uploads/${other}?exp=${exp}&sig=${sig}`, // another upload with this one's signature
      `/media/uploads/${uploadId}?exp=${exp}`,
      `/media/uploads/${uploadId}`,
      `/media/uploads/not-an-id?exp=${exp}&sig=${sig}`,
    ]) {
      const res = await stack.http().get(forged);
      expect({ forged, status: res.status, code: res.body.code }).toEqual({ forged, status: 403, code: 'UPLOAD_URL_INVALID' });
    }
    const old = new URL(urls.signedUrl(uploadId, new Date(Date.now() - 2 * 3_600_000)));
    const expired = await stack.http().get(`${old.pathname}${old.search}`).expect(403);
    expect(expired.body).toMatchObject({ statusCode: 403, code: 'UPLOAD_URL_EXPIRED' });
  });

  it('should refuse the URL once the upload is deleted, even with a valid signature', async () => {
    const { auth } = await connectLena();
    const uploadId = await upload(auth, randomBytes(2048));
    const url = new URL(stack.api.app.get(UploadUrls).signedUrl(uploadId, new Date()));
    await stack.http().get(`${url.pathname}${url.search}`).expect(200);
    // what the worker and the hourly clean-up do: the file goes, then the row says so
    rmSync(join(uploadDir, `${uploadId}.video`));
    const missingFile = await stack.http().get(`${url.pathname}${url.search}`).expect(404);
    expect(missingFile.body.code).toBe('UPLOAD_NOT_FOUND');
    await db.query(`UPDATE reel_uploads SET deleted_at = now() WHERE id = $1`, [uploadId]);
    const deleted = await stack.http().get(`${url.pathname}${url.search}`).expect(404);
    expect(deleted.body).toMatchObject({ statusCode: 404, code: 'UPLOAD_NOT_FOUND' });
    expect(existsSync(join(uploadDir, `${uploadId}.video`))).toBe(false);
  });

  it('should fail the reel with the fetch error when Meta cannot download the video', async () => {
    const { auth, accountId } = await connectLena();
    const uploadId = await upload(auth, randomBytes(4096));
    // the file disappears before Meta comes for it (e.g. the disk was cleaned by hand)
    rmSync(join(uploadDir, `${uploadId}.video`));
    const res = await stack
      .http()
      .post('/social/reels')
      .set('Authorization', auth)
      .send({ account_id: accountId, upload_id: uploadId })
      .expect(202);
    const failed = await waitFor('the reel failed', async () => {
      const r = await reel(auth, res.body.id as number);
      return r.status === 'failed' ? r : null;
    });
    expect(failed.error_code).toBe('MEDIA_ERROR_2207052');
    const [c] = await containers();
    expect(c.video_fetch).toMatchObject({ state: 'failed', http_status: 404 });
  });
});

/** supertest: keep a binary body as a Buffer. */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as NodeJS.ReadableStream; // superagent hands the node response over
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
