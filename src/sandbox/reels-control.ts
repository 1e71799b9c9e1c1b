/**
 * Control API for Reels publishing, mounted at `/__sandbox/reels` (documented in README.md).
 *
 *   GET  /config   POST /config  {processing_seconds?, processing_polls?, quota_total?, quota_duration?,
 *                                 container_ttl_seconds?, require_https?}
 *   GET  /containers?ig_user_id=          containers with status, params, upload (size, sha256), video_fetch, media_id
 *   GET  /containers/:id
 *   POST /containers/:id/processing       {seconds?, polls?}          this container's processing time
 *   POST /containers/:id/finish                                        processing over now
 *   POST /containers/:id/error            {subcode?=2207026, message?} ERROR now
 *   POST /containers/:id/expire                                        EXPIRED now
 *   POST /next-containers                 {subcode?=2207026, message?, count?=1, ig_user_id?}
 *                                         the next containers created turn ERROR when processing ends
 *   GET  /media?ig_user_id=               published media with permalink and upload sha256
 *   GET  /quota?ig_user_id=   POST /quota {ig_user_id, quota_used?, quota_total?}
 */
import { Router } from 'express';
import { ControlError, body, bool, num, str } from './control-helpers';
import type { ReelContainer, ReelMedia, ReelsConfig } from './reels-state';
import { statusText } from './reels-state';
import type { SandboxState } from './sandbox-state';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function reelsControlRoutes(state: SandboxState): Router {
  const r = Router();
  const reels = state.reels;

  const containerView = (c: ReelContainer): Record<string, unknown> => {
    const { code, failure } = reels.status(c);
    return {
      id: c.id,
      ig_user_id: c.igUserId,
      status_code: code,
      status: statusText(code, failure),
      media_type: c.mediaType,
      upload_type: c.resumable ? 'resumable' : null,
      video_url: c.videoUrl ?? null,
      caption: c.caption ?? null,
      share_to_feed: c.shareToFeed,
      cover_url: c.coverUrl ?? null,
      thumb_offset: c.thumbOffset ?? null,
      audio_name: c.audioName ?? null,
      collaborators: c.collaborators,
      location_id: c.locationId ?? null,
      created_at: iso(c.createdAt),
      expires_at: iso(c.createdAt + reels.config.container_ttl_seconds * 1000),
      processing_seconds: c.processingSeconds,
      processing_polls: c.processingPolls,
      polls: c.polls,
      upload: c.upload
        ? {
            file_size: c.upload.fileSize,
            received: c.upload.received,
            sha256: c.upload.sha256 ?? null,
            file_url: c.upload.fileUrl ?? null,
            completed_at: iso(c.upload.completedAt),
          }
        : null,
      video_fetch: c.videoFetch
        ? {
            state: c.videoFetch.state,
            http_status: c.videoFetch.httpStatus,
            content_type: c.videoFetch.contentType,
            content_length: c.videoFetch.contentLength,
            error: c.videoFetch.error ?? null,
          }
        : null,
      media_id: c.mediaId ?? null,
      publish_attempts: c.publishAttempts,
    };
  };

  const mediaView = (m: ReelMedia): Record<string, unknown> => ({
    id: m.id,
    ig_user_id: m.igUserId,
    container_id: m.containerId,
    permalink: m.permalink,
    shortcode: m.shortcode,
    caption: m.caption ?? null,
    share_to_feed: m.shareToFeed,
    collaborators: m.collaborators,
    audio_name: m.audioName ?? null,
    location_id: m.locationId ?? null,
    video_url: m.videoUrl ?? null,
    upload_sha256: m.uploadSha256 ?? null,
    upload_size: m.uploadSize ?? null,
    published_at: iso(m.publishedAt),
  });

  const container = (id: string): ReelContainer => {
    const c = reels.containers.get(id);
    if (!c) throw new ControlError(404, 'unknown container');
    return c;
  };

  const nonNegative = (v: unknown, name: string): number | undefined => {
    const n = num(v, name);
    if (n !== undefined && n < 0) throw new ControlError(400, `${name} must be >= 0`);
    return n;
  };

  const failureOf = (b: Record<string, unknown>): { subcode: number; message?: string } => ({
    subcode: num(b.subcode, 'subcode') ?? 2207026,
    message: str(b.message, 'message'),
  });

  r.get('/config', (_req, res) => {
    res.json(reels.config);
  });
  r.post('/config', (req, res) => {
    const b = body(req);
    const next: Partial<ReelsConfig> = {};
    for (const k of [
      'processing_seconds',
      'processing_polls',
      'quota_total',
      'quota_duration',
      'container_ttl_seconds',
    ] as const) {
      const n = nonNegative(b[k], k);
      if (n !== undefined) next[k] = n;
    }
    const https = bool(b.require_https, 'require_https');
    if (https !== undefined) next.require_https = https;
    reels.config = { ...reels.config, ...next };
    res.json(reels.config);
  });

  r.get('/containers', (req, res) => {
    const ig = typeof req.query.ig_user_id === 'string' ? req.query.ig_user_id : undefined;
    const all = [...reels.containers.values()].filter((c) => !ig || c.igUserId === ig);
    res.json({ data: all.map(containerView) });
  });
  r.get('/containers/:id', (req, res) => {
    res.json(containerView(container(req.params.id)));
  });
  r.post('/containers/:id/processing', (req, res) => {
    const c = container(req.params.id);
    const b = body(req);
    const seconds = nonNegative(b.seconds, 'seconds');
    const polls = nonNegative(b.polls, 'polls');
    if (seconds === undefined && polls === undefined) throw new ControlError(400, 'seconds or polls is required');
    if (seconds !== undefined) c.processingSeconds = seconds;
    if (polls !== undefined) c.processingPolls = polls;
    res.json(containerView(c));
  });
  r.post('/containers/:id/finish', (req, res) => {
    const c = container(req.params.id);
    if (c.resumable && c.upload?.sha256 === undefined)
      throw new ControlError(409, 'a resumable container finishes only after its bytes arrived');
    c.processingSeconds = 0;
    c.processingPolls = 0;
    res.json(containerView(c));
  });
  r.post('/containers/:id/error', (req, res) => {
    const c = container(req.params.id);
    if (c.mediaId) throw new ControlError(409, 'the container is already published');
    c.forced = { status: 'ERROR', failure: failureOf(body(req)) };
    res.json(containerView(c));
  });
  r.post('/containers/:id/expire', (req, res) => {
    const c = container(req.params.id);
    if (c.mediaId) throw new ControlError(409, 'the container is already published');
    c.forced = { status: 'EXPIRED' };
    res.json(containerView(c));
  });
  r.post('/next-containers', (req, res) => {
    const b = body(req);
    const count = num(b.count, 'count') ?? 1;
    const igUserId = str(b.ig_user_id, 'ig_user_id');
    if (igUserId !== undefined && !state.igAccounts.has(igUserId)) throw new ControlError(404, 'unknown instagram account');
    const failure = failureOf(b);
    for (let i = 0; i < count; i++) reels.nextOutcomes.push({ igUserId, failure });
    res.json({ queued: reels.nextOutcomes.length });
  });

  r.get('/media', (req, res) => {
    const ig = typeof req.query.ig_user_id === 'string' ? req.query.ig_user_id : undefined;
    const all = [...reels.media.values()].filter((m) => !ig || m.igUserId === ig).reverse();
    res.json({ data: all.map(mediaView) });
  });

  const quotaView = (igUserId: string): Record<string, unknown> => ({
    ig_user_id: igUserId,
    quota_usage: reels.quotaUsage(igUserId),
    quota_total: reels.quotaTotal(igUserId),
    quota_duration: reels.config.quota_duration,
  });
  const knownIg = (v: unknown): string => {
    const id = str(v, 'ig_user_id', true);
    if (!state.igAccounts.has(id)) throw new ControlError(404, 'unknown instagram account');
    return id;
  };
  r.get('/quota', (req, res) => {
    res.json(quotaView(knownIg(req.query.ig_user_id)));
  });
  r.post('/quota', (req, res) => {
    const b = body(req);
    const id = knownIg(b.ig_user_id);
    const used = nonNegative(b.quota_used, 'quota_used');
    const total = nonNegative(b.quota_total, 'quota_total');
    if (used === undefined && total === undefined) throw new ControlError(400, 'quota_used or quota_total is required');
    if (used !== undefined) reels.setQuotaUsed(id, Math.floor(used));
    if (total !== undefined) reels.quotaTotals.set(id, Math.floor(total));
    res.json(quotaView(id));
  });

  return r;
}
