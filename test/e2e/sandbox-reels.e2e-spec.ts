/**
 * Reels publishing in the Meta Graph sandbox, by plain HTTP against an in-process sandbox:
 * containers and their processing time, ERROR / EXPIRED, "not ready", the quota window, resumable
 * upload, media and permalinks, the control API and faults — and a third-party contract test:
 * Meta's own facebook-nodejs-business-sdk publishes a reel through the sandbox unchanged.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../src/config/app-config';
import { startSandbox } from '../../src/sandbox/sandbox-server';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { appSecretProof } from '../../src/sandbox/sandbox-state';

const REDIRECT_URI = 'http://localhost:3002/settings/social-accounts/callback';
const ALEX = '10000000000000001';
const COFFEE_PAGE = '110000000000001';
const COFFEE_IG = '17841400000000001';
const SAM_IG = '17841400000000003';
const SCOPES = ['pages_show_list', 'instagram_basic', 'pages_read_engagement', 'instagram_content_publish'];
const VIDEO = 'https://cdn.example.com/reels/clip.mp4';

type Json = Record<string, unknown>;
interface GraphError {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    is_transient?: boolean;
    error_user_msg?: string;
    fbtrace_id: string;
  };
}
interface Container {
  id: string;
  status_code: string;
  status: string;
  polls: number;
  publish_attempts: number;
  media_id: string | null;
  upload: { file_size: number; received: number; sha256: string | null } | null;
}

describe('Meta Graph sandbox: Reels publishing', () => {
  let sandbox: RunningSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, redirectUris: [REDIRECT_URI] });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    sandbox.state.reset();
    token = await userToken();
  });

  // ---- helpers (plain HTTP, nothing from the product) ----------------------------------------

  async function userToken(o: { decline?: string[] } = {}): Promise<string> {
    const q = new URLSearchParams({
      client_id: SANDBOX_APP_ID,
      redirect_uri: REDIRECT_URI,
      state: 's',
      scope: SCOPES.join(','),
      sandbox_auto: 'approve',
      sandbox_user: ALEX,
    });
    if (o.decline) q.set('sandbox_decline', o.decline.join(','));
    const dialog = await fetch(`${sandbox.url}/v25.0/dialog/oauth?${q.toString()}`, { redirect: 'manual' });
    const code = new URL(dialog.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const res = await fetch(
      `${sandbox.url}/v25.0/oauth/access_token?${new URLSearchParams({
        client_id: SANDBOX_APP_ID,
        client_secret: SANDBOX_APP_SECRET,
        redirect_uri: REDIRECT_URI,
        code,
      }).toString()}`,
    );
    const short = ((await res.json()) as { access_token: string }).access_token;
    // Long-lived (60 days), so that tests can move the clock past 24 h.
    const long = await fetch(
      `${sandbox.url}/v25.0/oauth/access_token?${new URLSearchParams({
        grant_type: 'fb_exchange_token',
        client_id: SANDBOX_APP_ID,
        client_secret: SANDBOX_APP_SECRET,
        fb_exchange_token: short,
      }).toString()}`,
    );
    return ((await long.json()) as { access_token: string }).access_token;
  }

  const proof = (t: string): string => appSecretProof(SANDBOX_APP_SECRET, t);

  /** A Graph call with the token and its proof in the query string (POST params as a form body). */
  async function graph<T = Json>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string> = {},
    t = token,
  ): Promise<{ status: number; body: T }> {
    const auth = { access_token: t, appsecret_proof: proof(t) };
    const url =
      method === 'GET'
        ? `${sandbox.url}/v25.0${path}?${new URLSearchParams({ ...params, ...auth }).toString()}`
        : `${sandbox.url}/v25.0${path}?${new URLSearchParams(auth).toString()}`;
    const res = await fetch(url, {
      method,
      ...(method === 'POST'
        ? { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() }
        : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function control<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${sandbox.url}/__sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
    return json;
  }

  const advance = (seconds: number): Promise<Json> => control('POST', '/clock', { advance_seconds: seconds });

  async function createReel(params: Record<string, string> = {}): Promise<string> {
    const res = await graph<{ id: string }>('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO, ...params });
    expect(res.status).toBe(200);
    return res.body.id;
  }

  async function statusOf(id: string): Promise<{ status_code: string; status: string; id: string }> {
    return (await graph<{ status_code: string; status: string; id: string }>('GET', `/${id}`, { fields: 'status_code,status' }))
      .body;
  }

  const publish = (creationId: string): Promise<{ status: number; body: Json }> =>
    graph('POST', `/${COFFEE_IG}/media_publish`, { creation_id: creationId });

  async function expectGraphError(
    p: Promise<{ status: number; body: unknown }>,
    code: number,
    subcode?: number,
    status = 400,
  ): Promise<GraphError['error']> {
    const res = await p;
    expect(res.status).toBe(status);
    const err = (res.body as GraphError).error;
    expect(err).toMatchObject({ code, ...(subcode !== undefined ? { error_subcode: subcode } : {}) });
    if (subcode === undefined) expect(err.error_subcode).toBeUndefined();
    expect(err.fbtrace_id).toBeTruthy();
    return err;
  }

  const containerInfo = (id: string): Promise<Container> => control<Container>('GET', `/reels/containers/${id}`);

  // ---- the happy path --------------------------------------------------------------------------

  describe('container → poll → publish', () => {
    it('should report IN_PROGRESS until the processing time passed on the sandbox clock, then FINISHED', async () => {
      const id = await createReel({ caption: 'Morning pour #coffee @acme.roastery', share_to_feed: 'false' });
      expect(id).toMatch(/^\d{17}$/);
      expect(await statusOf(id)).toEqual({
        status_code: 'IN_PROGRESS',
        status: 'In Progress: Media is still being processed.',
        id,
      });
      await advance(9);
      expect((await statusOf(id)).status_code).toBe('IN_PROGRESS');
      await advance(1);
      expect((await statusOf(id)).status_code).toBe('FINISHED');
    });

    it('should answer 9007/2207027 to a publish before FINISHED, then publish once and flip the container to PUBLISHED', async () => {
      const id = await createReel({ caption: 'Launch day' });
      const early = await expectGraphError(publish(id), 9007, 2207027);
      expect(early.message).toBe('Media ID is not available');
      expect(early.error_user_msg).toBe('The media is not ready for publishing, please wait for a moment');
      await advance(10);
      const ok = await publish(id);
      expect(ok.status).toBe(200);
      const mediaId = ok.body.id as string;
      expect(mediaId).toMatch(/^\d{17}$/);
      expect(mediaId).not.toBe(id);
      expect((await statusOf(id)).status_code).toBe('PUBLISHED');

      const media = await graph<Json>('GET', `/${mediaId}`, {
        fields: 'id,permalink,media_type,media_product_type,shortcode,caption,username,timestamp,is_shared_to_feed,owner',
      });
      expect(media.status).toBe(200);
      expect(media.body).toMatchObject({
        id: mediaId,
        media_type: 'VIDEO',
        media_product_type: 'REELS',
        caption: 'Launch day',
        username: 'acme.coffee',
        is_shared_to_feed: true,
        owner: { id: COFFEE_IG },
      });
      expect(media.body.permalink).toBe(`https://www.instagram.com/reel/${media.body.shortcode as string}/`);
      expect(media.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    });

    it('should refuse a second media_publish of the same container and never create a second media', async () => {
      const id = await createReel();
      await advance(10);
      expect((await publish(id)).status).toBe(200);
      const again = await expectGraphError(publish(id), 100);
      expect(again.message).toContain('already been published');
      const media = await control<{ data: Json[] }>('GET', `/reels/media?ig_user_id=${COFFEE_IG}`);
      expect(media.data).toHaveLength(1);
      expect((await containerInfo(id)).publish_attempts).toBe(2);
    });

    it('should list published media newest first with cursor paging, and count them in media_count', async () => {
      const before = (await graph<{ media_count: number }>('GET', `/${COFFEE_IG}`, { fields: 'media_count' })).body.media_count;
      const ids: string[] = [];
      for (const caption of ['one', 'two', 'three']) {
        const c = await createReel({ caption });
        await advance(10);
        ids.push((await publish(c)).body.id as string);
      }
      const page1 = await graph<{ data: Json[]; paging: { next?: string; cursors: { after: string } } }>(
        'GET',
        `/${COFFEE_IG}/media`,
        { fields: 'id,caption', limit: '2' },
      );
      expect(page1.body.data).toEqual([
        { id: ids[2], caption: 'three' },
        { id: ids[1], caption: 'two' },
      ]);
      const next = await fetch(page1.body.paging.next ?? '');
      expect(((await next.json()) as { data: Json[] }).data).toEqual([{ id: ids[0], caption: 'one' }]);
      const after = (await graph<{ media_count: number }>('GET', `/${COFFEE_IG}`, { fields: 'media_count' })).body.media_count;
      expect(after).toBe(before + 3);
    });

    it("should take a Page token of the account's Page as well as the user token", async () => {
      const accounts = await graph<{ data: Array<{ id: string; access_token: string }> }>('GET', '/me/accounts', {
        fields: 'id,access_token',
      });
      const pageToken = accounts.body.data.find((p) => p.id === COFFEE_PAGE)?.access_token ?? '';
      const created = await graph<{ id: string }>(
        'POST',
        `/${COFFEE_IG}/media`,
        { media_type: 'REELS', video_url: VIDEO },
        pageToken,
      );
      expect(created.status).toBe(200);
      await advance(10);
      const res = await graph('POST', `/${COFFEE_IG}/media_publish`, { creation_id: created.body.id }, pageToken);
      expect(res.status).toBe(200);
      const usage = await fetch(
        `${sandbox.url}/v25.0/${created.body.id}?fields=status_code&access_token=${pageToken}&appsecret_proof=${proof(pageToken)}`,
      );
      expect(JSON.parse(usage.headers.get('x-business-use-case-usage') ?? '{}')).toMatchObject({
        [created.body.id]: [expect.objectContaining({ type: 'instagram' })],
      });
    });

    it('should accept the parameters as a JSON body and keep them on the container', async () => {
      const res = await fetch(`${sandbox.url}/v25.0/${COFFEE_IG}/media`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({
          media_type: 'REELS',
          video_url: VIDEO,
          caption: 'json',
          share_to_feed: false,
          cover_url: 'https://cdn.example.com/cover.jpg',
          thumb_offset: 1500,
          audio_name: 'Original sound',
          collaborators: ['sam.studio', 'acme.roastery'],
          location_id: COFFEE_PAGE,
          appsecret_proof: proof(token),
        }),
      });
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      expect(await containerInfo(id)).toMatchObject({
        share_to_feed: false,
        cover_url: 'https://cdn.example.com/cover.jpg',
        thumb_offset: 1500,
        audio_name: 'Original sound',
        collaborators: ['sam.studio', 'acme.roastery'],
        location_id: COFFEE_PAGE,
        upload: null,
      });
    });
  });

  // ---- validation and permissions --------------------------------------------------------------

  describe("Meta's validation", () => {
    const at = (n: number, unit: (i: number) => string): string => Array.from({ length: n }, (_, i) => unit(i)).join(' ');

    it('should accept a caption exactly at the limits (2,200 chars, 30 hashtags, 20 mentions)', async () => {
      await createReel({ caption: 'x'.repeat(2200) });
      await createReel({ caption: at(30, (i) => `#tag${i}`) });
      await createReel({ caption: at(20, (i) => `@user${i}`) });
      await createReel({ collaborators: JSON.stringify(['a', 'b', 'c']) });
    });

    it('should refuse a caption over 2,200 characters or 30 hashtags with 36004/2207010', async () => {
      await expectGraphError(
        graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO, caption: 'x'.repeat(2201) }),
        36004,
        2207010,
      );
      await expectGraphError(
        graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO, caption: at(31, (i) => `#t${i}`) }),
        36004,
        2207010,
      );
    });

    it('should refuse more than 20 @mentions with 100/2207040', async () => {
      await expectGraphError(
        graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO, caption: at(21, (i) => `@u${i}`) }),
        100,
        2207040,
      );
    });

    it('should refuse a video_url that is not https with 9004/2207052, unless require_https is off', async () => {
      for (const bad of ['http://cdn.example.com/a.mp4', 'not a url', 'ftp://x/a.mp4']) {
        await expectGraphError(graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: bad }), 9004, 2207052);
      }
      await expectGraphError(
        graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO, cover_url: 'http://x/c.jpg' }),
        9004,
        2207052,
      );
      await control('POST', '/reels/config', { require_https: false });
      await createReel({ video_url: 'http://127.0.0.1:8000/media/a.mp4' });
    });

    it('should refuse missing or malformed parameters with code 100', async () => {
      const post = (p: Record<string, string>): Promise<{ status: number; body: unknown }> =>
        graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO, ...p });
      expect((await expectGraphError(graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS' }), 100)).message).toBe(
        '(#100) The parameter video_url is required',
      );
      await expectGraphError(post({ media_type: 'SHORTS' }), 100, 2207023);
      await expectGraphError(post({ media_type: 'VIDEO' }), 100);
      await expectGraphError(post({ upload_type: 'chunked' }), 100);
      await expectGraphError(post({ thumb_offset: '-5' }), 100);
      await expectGraphError(post({ share_to_feed: 'maybe' }), 100);
      await expectGraphError(post({ collaborators: JSON.stringify(['a', 'b', 'c', 'd']) }), 100);
      const loc = await expectGraphError(post({ location_id: '999' }), 100);
      expect(loc.message).toContain('INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID');
      await expectGraphError(graph('POST', `/${COFFEE_IG}/media_publish`, {}), 100);
      await expectGraphError(publish('17890000000000000'), 24, 2207008);
      expect((await control<{ data: Json[] }>('GET', '/reels/containers')).data).toHaveLength(0);
    });

    it('should refuse a token without instagram_content_publish with (#10), HTTP 403', async () => {
      const limited = await userToken({ decline: ['instagram_content_publish'] });
      const err = await expectGraphError(
        graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO }, limited),
        10,
        undefined,
        403,
      );
      expect(err.message).toBe('(#10) Application does not have permission for this action');
      await expectGraphError(graph('POST', `/${COFFEE_IG}/media_publish`, { creation_id: '1' }, limited), 10, undefined, 403);
    });

    it("should hide another user's Instagram account and its containers (100/33)", async () => {
      await expectGraphError(graph('POST', `/${SAM_IG}/media`, { media_type: 'REELS', video_url: VIDEO }), 100, 33);
      await expectGraphError(graph('GET', `/${SAM_IG}/content_publishing_limit`), 100, 33);
      const id = await createReel();
      sandbox.state.reset();
      token = await userToken();
      await expectGraphError(graph('GET', `/${id}`, { fields: 'status_code' }), 100, 33);
    });

    it('should check appsecret_proof and the token like every other Graph route', async () => {
      const noProof = await fetch(`${sandbox.url}/v25.0/${COFFEE_IG}/media?access_token=${token}`, {
        method: 'POST',
        body: new URLSearchParams({ media_type: 'REELS', video_url: VIDEO }),
      });
      expect(((await noProof.json()) as GraphError).error.message).toBe(
        'API calls from the server require an appsecret_proof argument',
      );
      await control('POST', `/users/${ALEX}/invalidate`, { subcode: 460 });
      await expectGraphError(createReelRaw(), 190, 460);
    });

    const createReelRaw = (): Promise<{ status: number; body: unknown }> =>
      graph('POST', `/${COFFEE_IG}/media`, { media_type: 'REELS', video_url: VIDEO });
  });

  // ---- processing time, ERROR, EXPIRED -----------------------------------------------------------

  describe('processing, ERROR and EXPIRED on demand', () => {
    it('should use the global processing time for new containers and a per-container override', async () => {
      await control('POST', '/reels/config', { processing_seconds: 60 });
      const slow = await createReel();
      const fast = await createReel();
      await control('POST', `/reels/containers/${fast}/processing`, { seconds: 0 });
      expect((await statusOf(fast)).status_code).toBe('FINISHED');
      await advance(59);
      expect((await statusOf(slow)).status_code).toBe('IN_PROGRESS');
      await advance(1);
      expect((await statusOf(slow)).status_code).toBe('FINISHED');
    });

    it('should finish after a number of status reads when processing_polls is set', async () => {
      await control('POST', '/reels/config', { processing_seconds: 0, processing_polls: 3 });
      const id = await createReel();
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await statusOf(id)).status_code);
      expect(codes).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'FINISHED', 'FINISHED']);
      expect((await containerInfo(id)).polls).toBe(4);
    });

    it('should force ERROR with a status message and refuse to publish it with the code of the failure', async () => {
      const id = await createReel();
      await control('POST', `/reels/containers/${id}/error`, {});
      expect(await statusOf(id)).toMatchObject({
        status_code: 'ERROR',
        status: 'Error: Media upload has failed with error code 2207026',
      });
      await expectGraphError(publish(id), 352, 2207026);
      const other = await createReel();
      await control('POST', `/reels/containers/${other}/error`, { subcode: 2207052, message: 'Error: fetch failed' });
      expect((await statusOf(other)).status).toBe('Error: fetch failed');
      await expectGraphError(publish(other), 9004, 2207052);
    });

    it('should turn the next container ERROR when its processing ends (queued outcome)', async () => {
      await control('POST', '/reels/next-containers', { ig_user_id: COFFEE_IG, subcode: 2207053 });
      const failing = await createReel();
      const fine = await createReel();
      expect((await statusOf(failing)).status_code).toBe('IN_PROGRESS');
      await advance(10);
      expect((await statusOf(failing)).status_code).toBe('ERROR');
      expect((await statusOf(fine)).status_code).toBe('FINISHED');
    });

    it('should expire a container 24 h after creation, or on demand, and refuse to publish it with -2/2207020', async () => {
      const id = await createReel();
      await advance(86_399);
      expect((await statusOf(id)).status_code).toBe('FINISHED');
      await advance(1);
      expect((await statusOf(id)).status_code).toBe('EXPIRED');
      await expectGraphError(publish(id), -2, 2207020);
      const other = await createReel();
      await control('POST', `/reels/containers/${other}/expire`);
      expect((await statusOf(other)).status_code).toBe('EXPIRED');
    });

    it('should keep a published container PUBLISHED after 24 h', async () => {
      const id = await createReel();
      await advance(10);
      await publish(id);
      await advance(2 * 86_400);
      expect((await statusOf(id)).status_code).toBe('PUBLISHED');
    });
  });

  // ---- quota ---------------------------------------------------------------------------------------

  describe('content_publishing_limit', () => {
    const limit = async (): Promise<Json> =>
      (await graph<{ data: Json[] }>('GET', `/${COFFEE_IG}/content_publishing_limit`, { fields: 'quota_usage,config' })).body
        .data[0];

    it("should report usage over the moving 24 h window and Meta's config", async () => {
      expect(await limit()).toEqual({ quota_usage: 0, config: { quota_total: 100, quota_duration: 86400 } });
      const id = await createReel();
      expect((await limit()).quota_usage).toBe(0); // counted at media_publish, not at container creation
      await advance(10);
      await publish(id);
      expect((await limit()).quota_usage).toBe(1);
      await advance(86_399);
      expect((await limit()).quota_usage).toBe(1);
      await advance(1);
      expect((await limit()).quota_usage).toBe(0);
    });

    it('should refuse a publish with 9/2207042 once the quota is used up, until the window frees', async () => {
      await control('POST', '/reels/quota', { ig_user_id: COFFEE_IG, quota_used: 100 });
      expect((await limit()).quota_usage).toBe(100);
      await advance(3_600);
      const id = await createReel();
      await advance(10);
      const err = await expectGraphError(publish(id), 9, 2207042);
      expect(err.error_user_msg).toContain('maximum number of posts');
      expect((await containerInfo(id)).status_code).toBe('FINISHED');
      await advance(86_400 - 3_610); // the window has moved past the 100 publishes; the container is 23 h old
      expect((await limit()).quota_usage).toBe(0);
      expect((await publish(id)).status).toBe(200);
    });

    it('should take quota_total from the control API per account or globally', async () => {
      await control('POST', '/reels/config', { quota_total: 50 });
      expect(await limit()).toMatchObject({ config: { quota_total: 50 } });
      await control('POST', '/reels/quota', { ig_user_id: COFFEE_IG, quota_total: 1 });
      const a = await createReel();
      const b = await createReel();
      await advance(10);
      expect((await publish(a)).status).toBe(200);
      await expectGraphError(publish(b), 9, 2207042);
      const q = await control('GET', `/reels/quota?ig_user_id=${COFFEE_IG}`);
      expect(q).toEqual({ ig_user_id: COFFEE_IG, quota_usage: 1, quota_total: 1, quota_duration: 86400 });
    });

    it('should count only publishes after `since` when given', async () => {
      const a = await createReel();
      await advance(10);
      await publish(a);
      await advance(60);
      const since = String(Math.floor(Date.parse((await control<{ now: string }>('GET', '/clock')).now) / 1000));
      const b = await createReel();
      await advance(10);
      await publish(b);
      const res = await graph<{ data: Json[] }>('GET', `/${COFFEE_IG}/content_publishing_limit`, { since });
      expect(res.body.data).toEqual([{ quota_usage: 1 }]);
      expect((await limit()).quota_usage).toBe(2);
    });

    it('should answer only quota_usage by default and refuse unknown fields', async () => {
      const res = await graph<{ data: Json[] }>('GET', `/${COFFEE_IG}/content_publishing_limit`);
      expect(res.body).toEqual({ data: [{ quota_usage: 0 }] });
      await expectGraphError(graph('GET', `/${COFFEE_IG}/content_publishing_limit`, { fields: 'quota_left' }), 100);
    });
  });

  // ---- resumable upload ------------------------------------------------------------------------------

  describe('resumable upload (rupload)', () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const sha = createHash('sha256').update(bytes).digest('hex');

    async function createResumable(): Promise<{ id: string; uri: string }> {
      const res = await graph<{ id: string; uri: string }>('POST', `/${COFFEE_IG}/media`, {
        media_type: 'REELS',
        upload_type: 'resumable',
        caption: 'uploaded',
      });
      expect(res.status).toBe(200);
      return res.body;
    }

    const upload = async (
      uri: string,
      headers: Record<string, string>,
      body?: Buffer,
    ): Promise<{
      status: number;
      body: { success?: boolean; debug_info?: { retriable: boolean; type: string; message: string } };
    }> => {
      const res = await fetch(uri, { method: 'POST', headers, body: body ? new Uint8Array(body) : undefined });
      return { status: res.status, body: (await res.json()) as { success?: boolean } };
    };

    const failureMessage = (b: { debug_info?: { message: string } }): string =>
      (JSON.parse(b.debug_info?.message ?? '{}') as { error: { message: string } }).error.message;

    it('should return the rupload uri, take the bytes, store their SHA-256 and start processing only then', async () => {
      const { id, uri } = await createResumable();
      expect(uri).toBe(`${sandbox.url}/rupload/ig-api-upload/v25.0/${id}`);
      await advance(60);
      expect((await statusOf(id)).status_code).toBe('IN_PROGRESS'); // no bytes yet
      const res = await upload(
        uri,
        // curl --data-binary sends form-urlencoded: the bytes must still arrive untouched
        {
          Authorization: `OAuth ${token}`,
          offset: '0',
          file_size: String(bytes.length),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        bytes,
      );
      expect(res).toEqual({ status: 200, body: { success: true, message: 'Upload successful.' } });
      expect((await containerInfo(id)).upload).toMatchObject({ file_size: bytes.length, received: bytes.length, sha256: sha });
      expect((await statusOf(id)).status_code).toBe('IN_PROGRESS');
      await advance(10);
      expect((await statusOf(id)).status_code).toBe('FINISHED');
      const mediaId = (await publish(id)).body.id as string;
      const media = await control<{ data: Array<{ id: string; upload_sha256: string; upload_size: number }> }>(
        'GET',
        '/reels/media',
      );
      expect(media.data).toEqual([expect.objectContaining({ id: mediaId, upload_sha256: sha, upload_size: bytes.length })]);
    });

    it('should take the bytes in chunks at the right offsets', async () => {
      const { id, uri } = await createResumable();
      const h = (offset: number): Record<string, string> => ({
        Authorization: `OAuth ${token}`,
        offset: String(offset),
        file_size: String(bytes.length),
        'Content-Type': 'application/octet-stream',
      });
      expect((await upload(uri, h(0), bytes.subarray(0, 30_000))).status).toBe(200);
      expect((await containerInfo(id)).upload).toMatchObject({ received: 30_000, sha256: null });
      const wrong = await upload(uri, h(0), bytes.subarray(30_000));
      expect(wrong.status).toBe(400);
      expect(failureMessage(wrong.body)).toContain('does not match the bytes received so far (30000)');
      expect((await upload(uri, h(30_000), bytes.subarray(30_000))).status).toBe(200);
      expect((await containerInfo(id)).upload).toMatchObject({ received: bytes.length, sha256: sha });
      const late = await upload(uri, h(0), bytes);
      expect(late.status).toBe(400);
    });

    it("should refuse wrong headers with rupload's debug_info shape", async () => {
      const { id, uri } = await createResumable();
      const ok = { offset: '0', file_size: String(bytes.length) };
      const cases: Array<[Record<string, string>, number, string]> = [
        [ok, 401, 'unauthorized user request'],
        [{ ...ok, Authorization: `Bearer ${token}` }, 401, 'unauthorized user request'],
        [{ ...ok, Authorization: 'OAuth EAAgarbage' }, 401, 'unauthorized user request'],
        [{ Authorization: `OAuth ${token}`, file_size: String(bytes.length) }, 400, 'offset header is required'],
        [{ Authorization: `OAuth ${token}`, offset: '0' }, 400, 'file_size header is required'],
        [{ Authorization: `OAuth ${token}`, offset: 'abc', file_size: '10' }, 400, 'offset header is required'],
        [{ Authorization: `OAuth ${token}`, offset: '0', file_size: '10' }, 400, 'exceeds file_size 10'],
      ];
      for (const [headers, status, message] of cases) {
        const res = await upload(uri, headers, bytes);
        expect(res.status).toBe(status);
        expect(res.body.debug_info).toMatchObject({ retriable: false, type: 'ProcessingFailedError' });
        expect(failureMessage(res.body)).toContain(message);
      }
      expect((await containerInfo(id)).upload).toBeNull();
      const video = await createReel();
      const notResumable = await upload(
        `${sandbox.url}/rupload/ig-api-upload/v25.0/${video}`,
        { Authorization: `OAuth ${token}`, ...ok },
        bytes,
      );
      expect(failureMessage(notResumable.body)).toContain('upload_type=resumable');
      const unknown = await upload(
        `${sandbox.url}/rupload/ig-api-upload/v25.0/17890000000000000`,
        { Authorization: `OAuth ${token}`, ...ok },
        bytes,
      );
      expect(unknown.status).toBe(401);
    });

    it('should fetch a file_url itself and hash what it got', async () => {
      const { id, uri } = await createResumable();
      const served = `${sandbox.url}/__sandbox/avatar/${COFFEE_IG}.svg`;
      const expected = createHash('sha256')
        .update(Buffer.from(await (await fetch(served)).arrayBuffer()))
        .digest('hex');
      const res = await upload(uri, { Authorization: `OAuth ${token}`, file_url: served });
      expect(res.status).toBe(200);
      expect((await containerInfo(id)).upload).toMatchObject({ sha256: expected, file_url: served });
    });
  });

  // ---- faults --------------------------------------------------------------------------------------

  describe('faults on the Reels paths', () => {
    it('should inject Meta errors on the new paths with the existing fault mechanism', async () => {
      await control('POST', '/faults', { path: '/media_publish', error: { code: 2, is_transient: true } });
      await control('POST', '/faults', { path: '/rupload/', error: { code: 1 } });
      const id = await createReel();
      await advance(10);
      await expectGraphError(publish(id), 2, undefined, 503);
      expect((await publish(id)).status).toBe(200); // count 1: normal service resumes
      const calls = await control<{ data: Array<{ path: string; status: number; fault_id?: string }> }>(
        'GET',
        '/calls?path=/media_publish',
      );
      expect(calls.data.map((c) => c.status)).toEqual([503, 200]);
    });

    it('should publish and then drop the connection with drop_response, so a blind retry cannot double-post', async () => {
      const id = await createReel();
      await advance(10);
      const fault = await control<{ id: string }>('POST', '/faults', { path: '/media_publish', drop_response: true });
      await expect(publish(id)).rejects.toThrow();
      // Meta acted: the container is PUBLISHED and there is exactly one media …
      expect((await statusOf(id)).status_code).toBe('PUBLISHED');
      const media = await control<{ data: Array<{ container_id: string }> }>('GET', `/reels/media?ig_user_id=${COFFEE_IG}`);
      expect(media.data).toEqual([expect.objectContaining({ container_id: id })]);
      // … a retry is refused, and the call log shows the unanswered call.
      await expectGraphError(publish(id), 100);
      expect((await control<{ data: Json[] }>('GET', `/reels/media`)).data).toHaveLength(1);
      const calls = await control<{ data: Array<{ status: number; fault_id?: string }> }>('GET', '/calls?path=/media_publish');
      expect(calls.data[0]).toMatchObject({ status: 0, fault_id: fault.id });
      expect((await control<{ quota_usage: number }>('GET', `/reels/quota?ig_user_id=${COFFEE_IG}`)).quota_usage).toBe(1);
    });

    it('should close the connection without a byte of answer (raw socket view)', async () => {
      const id = await createReel();
      await advance(10);
      await control('POST', '/faults', { path: '/media_publish', drop_response: true });
      const body = new URLSearchParams({ creation_id: id, access_token: token, appsecret_proof: proof(token) }).toString();
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest(
          `${sandbox.url}/v25.0/${COFFEE_IG}/media_publish`,
          { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
          (res) => resolve(`answered ${res.statusCode ?? 0}`),
        );
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        req.end(body);
      });
      expect(outcome).toBe('ECONNRESET');
    });
  });

  // ---- third-party contract: Meta's own Node SDK -----------------------------------------------------

  describe("third-party client: Meta's facebook-nodejs-business-sdk", () => {
    /** The few SDK surfaces used here (the package ships no TypeScript types). */
    interface SdkNode {
      id: string;
      _data: Json;
    }
    interface Sdk {
      FacebookAdsApi: { init(token: string, locale?: string, crashLog?: boolean): unknown; VERSION: string };
      IGUser: new (id: string) => {
        createMedia(fields: string[], params: Json): Promise<SdkNode>;
        createMediaPublish(fields: string[], params: Json): Promise<SdkNode>;
        getContentPublishingLimit(fields: string[], params: Json): Promise<Array<{ _data: Json }>>;
      };
      ShadowIGMediaBuilder: new (id: string) => { get(fields: string[], params: Json): Promise<{ _data: Json }> };
      IGMedia: new (id: string) => { get(fields: string[], params: Json): Promise<{ _data: Json }> };
    }
    const sdk = require('facebook-nodejs-business-sdk') as Sdk;
    let graphDescriptor: PropertyDescriptor | undefined;

    beforeAll(() => {
      // The SDK has no setting for its host: its base URL is the static getter FacebookAdsApi.GRAPH
      // (src/api.js), read by every call. Redefine it to point the unmodified SDK at the sandbox.
      graphDescriptor = Object.getOwnPropertyDescriptor(sdk.FacebookAdsApi, 'GRAPH');
      Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH', { get: () => sandbox.url, configurable: true });
    });
    afterAll(() => {
      if (graphDescriptor) Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH', graphDescriptor);
    });

    it('should create a container, poll it and publish a reel through the sandbox', async () => {
      sdk.FacebookAdsApi.init(token, 'en_US', false); // no crash reports to Meta
      const p = { appsecret_proof: proof(token) }; // the SDK sends no proof of its own; the sandbox requires one
      await control('POST', '/reels/config', { processing_seconds: 0, processing_polls: 2 });

      const ig = new sdk.IGUser(COFFEE_IG);
      const container = await ig.createMedia([], {
        media_type: 'REELS',
        video_url: VIDEO,
        caption: 'Published by the SDK',
        share_to_feed: true,
        ...p,
      });
      expect(container.id).toMatch(/^\d{17}$/);

      const early = await ig.createMediaPublish([], { creation_id: container.id, ...p }).catch((e: unknown) => e);
      expect(early).toMatchObject({ status: 400, response: { code: 9007, error_subcode: 2207027 } });

      const seen: string[] = [];
      for (let i = 0; i < 5 && seen[seen.length - 1] !== 'FINISHED'; i++) {
        const polled = await new sdk.ShadowIGMediaBuilder(container.id).get(['status_code', 'status'], { ...p });
        seen.push(polled._data.status_code as string);
      }
      expect(seen).toEqual(['IN_PROGRESS', 'FINISHED']);

      const limits = await ig.getContentPublishingLimit(['quota_usage', 'config'], { ...p });
      expect(limits[0]._data).toEqual({ quota_usage: 0, config: { quota_total: 100, quota_duration: 86400 } });

      const published = await ig.createMediaPublish([], { creation_id: container.id, ...p });
      expect(published.id).toMatch(/^\d{17}$/);
      const media = await new sdk.IGMedia(published.id).get(['permalink', 'media_product_type', 'caption'], { ...p });
      expect(media._data).toMatchObject({
        id: published.id,
        media_product_type: 'REELS',
        caption: 'Published by the SDK',
        permalink: expect.stringMatching(/^https:\/\/www\.instagram\.com\/reel\/[\w-]{11}\/$/) as unknown,
      });

      // The SDK really went through the sandbox, with its own user agent and version prefix.
      const calls = await control<{ data: Array<{ method: string; path: string; version: string; status: number }> }>(
        'GET',
        '/calls',
      );
      const sdkCalls = calls.data.filter((c) => c.version === sdk.FacebookAdsApi.VERSION);
      expect(sdkCalls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
        `POST /${COFFEE_IG}/media 200`,
        `POST /${COFFEE_IG}/media_publish 400`,
        `GET /${container.id} 200`,
        `GET /${container.id} 200`,
        `GET /${COFFEE_IG}/content_publishing_limit 200`,
        `POST /${COFFEE_IG}/media_publish 200`,
        `GET /${published.id} 200`,
      ]);
    });
  });
});
