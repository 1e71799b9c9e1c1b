import { Router } from 'express';
import type { Request, Response } from 'express';
import {
  appPermissionMissing,
  captionTooLong,
  containerAlreadyPublished,
  containerFailed,
  invalidLocation,
  invalidParam,
  mediaBuilderMissing,
  mediaExpired,
  mediaNotReady,
  mediaUriRejected,
  missingParam,
  nonexistingField,
  objectMissing,
  publishQuotaReached,
  tooManyMentions,
  unknownMediaType,
} from './errors';
import type { FieldSelection } from './fields';
import { parseFields } from './fields';
import { graphAuth } from './graph-auth';
import { locals, originOf, requestParams } from './request-context';
import type { ReelContainer, ReelMedia } from './reels-state';
import { statusText } from './reels-state';
import type { SandboxIgAccount, SandboxState, SandboxToken } from './sandbox-state';
import { startVideoFetch } from './video-fetch';

type Json = Record<string, unknown>;

const CONTAINER_FIELDS = new Set(['id', 'status_code', 'status', 'copyright_check_status']);
const MEDIA_FIELDS = new Set([
  'id',
  'caption',
  'comments_count',
  'like_count',
  'media_product_type',
  'media_type',
  'media_url',
  'permalink',
  'shortcode',
  'thumbnail_url',
  'timestamp',
  'username',
  'is_shared_to_feed',
  'is_comment_enabled',
  'owner',
]);
const LIMIT_FIELDS = new Set(['quota_usage', 'config']);
const CAPTION_MAX_CHARS = 2200;
const CAPTION_MAX_HASHTAGS = 30;
const CAPTION_MAX_MENTIONS = 20;
const MAX_COLLABORATORS = 3;
/** Page tasks that allow publishing to the linked Instagram account. */
const PUBLISH_TASKS = ['CREATE_CONTENT', 'MANAGE'];

/** Meta's timestamp form: `2026-09-01T12:00:00+0000`. */
function metaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function fields(raw: string | undefined, fallback: string): FieldSelection[] {
  return parseFields(raw) ?? parseFields(fallback) ?? [];
}

function boolParam(v: string | undefined, name: string, fallback: boolean): boolean {
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidParam(`Param ${name} must be a boolean`);
}

/** `collaborators` arrives as a JSON array (form/query), or already comma-joined from a JSON body. */
function listParam(v: string | undefined, name: string): string[] {
  if (v === undefined || v.trim() === '') return [];
  let items: unknown[];
  if (v.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (!Array.isArray(parsed)) throw new Error('not an array');
      items = parsed;
    } catch {
      throw invalidParam(`Param ${name} must be an array of usernames`);
    }
  } else items = v.split(',');
  return items.map((x) => String(x).trim().replace(/^@/, '')).filter(Boolean);
}

/** The Reels publishing surface of graph.facebook.com (graph-api.md §11, instagram-login.md R1-R6). */
export function reelsRoutes(state: SandboxState): Router {
  const router = Router();
  const { authenticate, requirePermissions } = graphAuth(state);
  const reels = state.reels;

  /** The IG account named by the path, visible to the token (else 100/33, as Meta hides it). */
  const igAccountFor = (
    req: Request,
    p: Record<string, string>,
    method: 'get' | 'post',
  ): { token: SandboxToken; ig: SandboxIgAccount } => {
    const token = authenticate(req, p);
    const id = req.params.id as string;
    const ig = state.igAccounts.get(id);
    if (!ig || token.type === 'APP' || !state.visiblePageIds(token).includes(ig.pageId)) throw objectMissing(id, method);
    return { token, ig };
  };

  /** instagram_basic + instagram_content_publish, and a Page role that may create content. */
  const requirePublish = (token: SandboxToken, ig: SandboxIgAccount): void => {
    requirePermissions(token, []); // data-access expiry first, as on every permissioned call
    const scopes = state.scopesOf(token);
    if (!scopes.includes('instagram_basic') || !scopes.includes('instagram_content_publish')) throw appPermissionMissing();
    const tasks = state.pages.get(ig.pageId)?.roles.get(token.userId ?? '') ?? [];
    if (!tasks.some((t) => PUBLISH_TASKS.includes(t))) throw appPermissionMissing();
  };

  const requireRead = (token: SandboxToken): void => {
    requirePermissions(token, []);
    const scopes = state.scopesOf(token);
    if (!scopes.includes('instagram_basic') || !scopes.includes('pages_read_engagement')) throw appPermissionMissing();
  };

  const checkUrl = (name: string, value: string): void => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw mediaUriRejected(value);
    }
    const ok = url.protocol === 'https:' || (!reels.config.require_https && url.protocol === 'http:');
    if (!ok) throw mediaUriRejected(value);
    if (name === 'cover_url' && !url.hostname) throw mediaUriRejected(value);
  };

  // ---- Step 1: create a container ----------------------------------------------------------

  router.post('/:id/media', (req, res) => {
    const p = requestParams(req);
    const { token, ig } = igAccountFor(req, p, 'post');
    requirePublish(token, ig);

    const mediaType = (p.media_type ?? '').toUpperCase();
    if (!mediaType) {
      // No media_type means an image post on Meta; the sandbox emulates Reels only.
      if (!p.image_url) throw missingParam('image_url');
      throw invalidParam('The sandbox emulates Reels containers only (media_type=REELS)');
    }
    if (['IMAGE', 'VIDEO', 'CAROUSEL', 'STORIES'].includes(mediaType))
      throw invalidParam(`The sandbox emulates Reels containers only (media_type=REELS), not ${mediaType}`);
    if (mediaType !== 'REELS') throw unknownMediaType(p.media_type ?? '');

    const uploadType = p.upload_type;
    if (uploadType !== undefined && uploadType !== 'resumable')
      throw invalidParam('Param upload_type must be one of {resumable}');
    const resumable = uploadType === 'resumable';
    if (!resumable && !p.video_url) throw missingParam('video_url');
    if (p.video_url) checkUrl('video_url', p.video_url);
    if (p.cover_url) checkUrl('cover_url', p.cover_url);

    const caption = p.caption;
    if (caption !== undefined) {
      if ([...caption].length > CAPTION_MAX_CHARS) throw captionTooLong(`more than ${CAPTION_MAX_CHARS} characters`);
      if ((caption.match(/#[\p{L}\p{N}_]+/gu) ?? []).length > CAPTION_MAX_HASHTAGS)
        throw captionTooLong(`more than ${CAPTION_MAX_HASHTAGS} hashtags`);
      if ((caption.match(/@[\p{L}\p{N}._]+/gu) ?? []).length > CAPTION_MAX_MENTIONS) throw tooManyMentions();
    }

    let thumbOffset: number | undefined;
    if (p.thumb_offset !== undefined && p.thumb_offset !== '') {
      if (!/^\d+$/.test(p.thumb_offset)) throw invalidParam('Param thumb_offset must be a non-negative integer');
      thumbOffset = Number(p.thumb_offset);
    }
    const collaborators = listParam(p.collaborators, 'collaborators');
    if (collaborators.length > MAX_COLLABORATORS)
      throw invalidParam(`Param collaborators must contain at most ${MAX_COLLABORATORS} usernames`);
    if (p.location_id !== undefined && p.location_id !== '' && !state.pages.has(p.location_id))
      throw invalidLocation(p.location_id);

    const c = reels.createContainer({
      igUserId: ig.id,
      videoUrl: p.video_url,
      resumable,
      caption,
      shareToFeed: boolParam(p.share_to_feed, 'share_to_feed', true),
      coverUrl: p.cover_url,
      thumbOffset,
      audioName: p.audio_name,
      collaborators,
      locationId: p.location_id || undefined,
    });
    // Meta downloads video_url after answering (the container is IN_PROGRESS until it has the bytes)
    startVideoFetch(reels, c);
    const body: Json = { id: c.id };
    if (resumable) body.uri = `${originOf(req)}/rupload/ig-api-upload/${locals(res).version}/${c.id}`;
    res.json(body);
  });

  // ---- Step 3: publish ---------------------------------------------------------------------

  router.post('/:id/media_publish', (req, res) => {
    const p = requestParams(req);
    const { token, ig } = igAccountFor(req, p, 'post');
    requirePublish(token, ig);
    if (!p.creation_id) throw missingParam('creation_id');
    const c = reels.containers.get(p.creation_id);
    if (!c || c.igUserId !== ig.id) throw mediaBuilderMissing(p.creation_id);
    c.publishAttempts++;
    const { code, failure } = reels.status(c);
    switch (code) {
      case 'PUBLISHED':
        throw containerAlreadyPublished(c.id);
      case 'EXPIRED':
        throw mediaExpired();
      case 'ERROR':
        throw containerFailed(failure?.subcode ?? 2207053);
      case 'IN_PROGRESS':
        throw mediaNotReady();
      default:
    }
    if (reels.quotaUsage(ig.id) >= reels.quotaTotal(ig.id)) throw publishQuotaReached();
    const media = reels.publish(c);
    ig.mediaCount++;
    res.json({ id: media.id });
  });

  // ---- Quota ---------------------------------------------------------------------------------

  router.get('/:id/content_publishing_limit', (req, res) => {
    const p = requestParams(req);
    const { token, ig } = igAccountFor(req, p, 'get');
    requirePublish(token, ig);
    let sinceMs: number | undefined;
    if (p.since !== undefined && p.since !== '') {
      if (!/^\d+$/.test(p.since)) throw invalidParam('Param since must be a unix timestamp');
      sinceMs = Number(p.since) * 1000;
    }
    const out: Json = {};
    for (const f of fields(p.fields, 'quota_usage')) {
      if (!LIMIT_FIELDS.has(f.name)) throw nonexistingField(f.name, 'ContentPublishingLimitResponse');
      if (f.name === 'quota_usage') out.quota_usage = reels.quotaUsage(ig.id, sinceMs);
      else out.config = { quota_total: reels.quotaTotal(ig.id), quota_duration: reels.config.quota_duration };
    }
    res.json({ data: [out] });
  });

  // ---- Media list and nodes ------------------------------------------------------------------

  const renderMedia = (m: ReelMedia, selection: FieldSelection[]): Json => {
    const ig = state.igAccounts.get(m.igUserId);
    const out: Json = {};
    for (const f of selection) {
      if (!MEDIA_FIELDS.has(f.name)) throw nonexistingField(f.name, 'IGMedia');
      const value: Record<string, unknown> = {
        id: m.id,
        caption: m.caption,
        comments_count: 0,
        like_count: 0,
        media_product_type: 'REELS',
        media_type: 'VIDEO',
        media_url: `https://scontent.cdninstagram.com/sandbox/${m.id}.mp4`,
        permalink: m.permalink,
        shortcode: m.shortcode,
        thumbnail_url: `https://scontent.cdninstagram.com/sandbox/${m.id}.jpg`,
        timestamp: metaTimestamp(m.publishedAt),
        username: ig?.username,
        is_shared_to_feed: m.shareToFeed,
        is_comment_enabled: true,
        owner: { id: m.igUserId },
      };
      if (value[f.name] !== undefined) out[f.name] = value[f.name];
    }
    if (!('id' in out)) out.id = m.id;
    return out;
  };

  router.get('/:id/media', (req, res) => {
    const p = requestParams(req);
    const { token, ig } = igAccountFor(req, p, 'get');
    requireRead(token);
    const selection = fields(p.fields, 'id');
    const all = reels.mediaOf(ig.id);
    const limit = Math.min(Math.max(Number.parseInt(p.limit ?? '', 10) || 25, 1), 100);
    const cursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
    const indexOf = (c: string): number => all.findIndex((m) => m.id === Buffer.from(c, 'base64url').toString('utf8'));
    let start = 0;
    if (p.after) start = indexOf(p.after) + 1;
    else if (p.before) start = Math.max(0, indexOf(p.before) - limit);
    const slice = all.slice(start, start + limit);
    const body: Json = { data: slice.map((m) => renderMedia(m, selection)) };
    if (slice.length) {
      const paging: Json = { cursors: { before: cursor(slice[0].id), after: cursor(slice[slice.length - 1].id) } };
      if (start + limit < all.length) {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(p)) if (k !== 'after' && k !== 'before') q.set(k, v);
        q.set('limit', String(limit));
        q.set('after', cursor(slice[slice.length - 1].id));
        paging.next = `${originOf(req)}/${locals(res).version}/${ig.id}/media?${q.toString()}`;
      }
      body.paging = paging;
    }
    res.json(body);
  });

  const renderContainer = (c: ReelContainer, selection: FieldSelection[]): Json => {
    const { code, failure } = reels.status(c);
    const out: Json = {};
    for (const f of selection) {
      if (!CONTAINER_FIELDS.has(f.name)) throw nonexistingField(f.name, 'ShadowIGMediaBuilder');
      if (f.name === 'id') out.id = c.id;
      else if (f.name === 'status_code') out.status_code = code;
      else if (f.name === 'status') out.status = statusText(code, failure);
      else
        out.copyright_check_status =
          code === 'IN_PROGRESS'
            ? { status: c.resumable && !c.upload?.sha256 ? 'not_started' : 'in_progress', matches_found: false }
            : { status: code === 'ERROR' ? 'error' : 'completed', matches_found: false };
    }
    if (!('id' in out)) out.id = c.id;
    return out;
  };

  /** Container and media nodes; other ids fall through to the connect-flow nodes. */
  router.get('/:id', (req, res, next) => {
    const id = req.params.id;
    const container = reels.containers.get(id);
    const media = reels.media.get(id);
    if (!container && !media) {
      next();
      return;
    }
    const p = requestParams(req);
    const token = authenticate(req, p);
    const ig = state.igAccounts.get((container ?? media)?.igUserId ?? '');
    if (!ig || token.type === 'APP' || !state.visiblePageIds(token).includes(ig.pageId)) throw objectMissing(id);
    if (container) {
      requirePublish(token, ig);
      const selection = fields(p.fields, 'id');
      if (selection.some((f) => f.name === 'status_code' || f.name === 'status')) container.polls++;
      res.json(renderContainer(container, selection));
      return;
    }
    requireRead(token);
    res.json(renderMedia(media as ReelMedia, fields(p.fields, 'id')));
  });

  return router;
}

/** rupload.facebook.com's failure shape (instagram-login.md R2). */
function ruploadFailure(res: Response, status: number, message: string, retriable = false): void {
  res.status(status).json({
    debug_info: {
      retriable,
      type: 'ProcessingFailedError',
      message: JSON.stringify({ success: false, error: { message } }),
    },
  });
}

const UNAUTHORIZED = 'unauthorized user request';

/**
 * The resumable upload host, `https://rupload.facebook.com/ig-api-upload/{N}/{container-id}`,
 * served under `/rupload` on the sandbox's port. Headers: `Authorization: OAuth <token>`,
 * `offset`, `file_size` and the raw bytes, or `file_url` and no body. The bytes are streamed into
 * a SHA-256 (never held in memory); chunks continue at `offset` = bytes received so far.
 */
export function ruploadRoutes(state: SandboxState): Router {
  const router = Router();
  const reels = state.reels;

  const handler = async (req: Request, res: Response): Promise<void> => {
    const version = req.params.version as string | undefined;
    if (version !== undefined && !/^v\d+\.\d+$/.test(version)) {
      ruploadFailure(res, 400, `unknown API version ${version}`);
      return;
    }
    const auth = /^OAuth\s+(\S+)\s*$/.exec(req.get('authorization') ?? '');
    const token = auth ? state.findToken(auth[1]) : undefined;
    const c = reels.containers.get(req.params.id as string);
    const ig = c ? state.igAccounts.get(c.igUserId) : undefined;
    if (
      !token ||
      token.type === 'APP' ||
      state.tokenProblem(token) !== undefined ||
      state.dataAccessExpired(token) ||
      !c ||
      !ig ||
      !state.visiblePageIds(token).includes(ig.pageId) ||
      !state.scopesOf(token).includes('instagram_content_publish')
    ) {
      ruploadFailure(res, 401, UNAUTHORIZED);
      return;
    }
    if (!c.resumable) {
      ruploadFailure(res, 400, 'the container was not created with upload_type=resumable');
      return;
    }
    const status = reels.status(c).code;
    if (status !== 'IN_PROGRESS') {
      ruploadFailure(res, 400, `the container is ${status}`);
      return;
    }

    const fileUrl = req.get('file_url');
    if (fileUrl !== undefined) {
      if (c.upload) {
        ruploadFailure(res, 400, 'an upload with bytes is already under way for this container');
        return;
      }
      let bytes: Buffer;
      try {
        const r = await fetch(fileUrl, { signal: AbortSignal.timeout(30_000) });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        bytes = Buffer.from(await r.arrayBuffer());
      } catch (err) {
        ruploadFailure(res, 400, `could not fetch file_url: ${err instanceof Error ? err.message : 'error'}`, true);
        return;
      }
      reels.completeFromUrl(c, fileUrl, bytes);
      res.json({ success: true, message: 'Upload successful.' });
      return;
    }

    const offsetHeader = req.get('offset');
    const sizeHeader = req.get('file_size');
    if (offsetHeader === undefined || !/^\d+$/.test(offsetHeader.trim())) {
      ruploadFailure(res, 400, 'offset header is required (a non-negative integer)');
      return;
    }
    if (sizeHeader === undefined || !/^\d+$/.test(sizeHeader.trim()) || Number(sizeHeader) === 0) {
      ruploadFailure(res, 400, 'file_size header is required (a positive integer)');
      return;
    }
    const offset = Number(offsetHeader);
    const fileSize = Number(sizeHeader);
    const length = req.get('content-length');
    if (length !== undefined && offset + Number(length) > fileSize) {
      ruploadFailure(res, 400, `offset + body length (${offset + Number(length)}) exceeds file_size ${fileSize}`);
      return;
    }
    let upload;
    try {
      upload = reels.beginChunk(c, offset, fileSize);
    } catch (err) {
      ruploadFailure(res, 400, err instanceof Error ? err.message : 'bad upload headers');
      return;
    }
    let overflow = false;
    upload.busy = true;
    try {
      for await (const chunk of req) {
        if (!overflow && !reels.addBytes(upload, chunk as Buffer)) overflow = true;
      }
    } catch {
      return; // the client went away; the bytes received so far stay, so it can resume at that offset
    } finally {
      upload.busy = false;
    }
    if (overflow) {
      ruploadFailure(res, 400, `body exceeds file_size ${fileSize}; received ${upload.received} bytes so far`);
      return;
    }
    reels.finishIfComplete(upload);
    res.json({ success: true, message: 'Upload successful.' });
  };

  const run = (req: Request, res: Response, next: (err?: unknown) => void): void => {
    handler(req, res).catch(next);
  };
  router.post('/rupload/ig-api-upload/:version/:id', run);
  router.post('/rupload/ig-api-upload/:id', run);
  return router;
}
