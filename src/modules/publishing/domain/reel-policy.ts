/**
 * Pure rules of publishing a reel (DESIGN.md §8, graph-api.md §11, instagram-login.md R1–R6):
 * statuses and what may follow what, caption limits, how long to wait before asking Meta again,
 * when the publishing quota frees, and what each Meta answer means for the reel. No Nest, no
 * TypeORM, no I/O; `now` is passed in. Table-tested in reel-policy.spec.ts.
 */
import { ErrorCode } from '../../../common/errors/error-codes';

export const REEL_STATUSES = [
  'scheduled',
  'queued',
  'uploading',
  'processing',
  'publishing',
  'published',
  'failed',
  'cancelled',
] as const;
export type ReelStatus = (typeof REEL_STATUSES)[number];

/** Statuses the pipeline still works on (the scheduler sweeps these by next_attempt_at). */
export const ACTIVE_STATUSES: readonly ReelStatus[] = ['scheduled', 'queued', 'uploading', 'processing', 'publishing'];
export const TERMINAL_STATUSES: readonly ReelStatus[] = ['published', 'failed', 'cancelled'];

export function isTerminal(s: ReelStatus): boolean {
  return TERMINAL_STATUSES.includes(s);
}

/** Only a reel that has not started publishing can be cancelled (no container asked of Meta yet). */
export function isCancellable(s: ReelStatus): boolean {
  return s === 'scheduled' || s === 'queued';
}

const NEXT: Record<ReelStatus, readonly ReelStatus[]> = {
  scheduled: ['queued', 'cancelled', 'failed'],
  queued: ['queued', 'uploading', 'processing', 'cancelled', 'failed'],
  uploading: ['uploading', 'processing', 'queued', 'failed'],
  processing: ['processing', 'publishing', 'uploading', 'queued', 'failed', 'published'],
  publishing: ['publishing', 'processing', 'queued', 'published', 'failed', 'uploading'],
  published: [],
  failed: [],
  cancelled: [],
};

export function canMove(from: ReelStatus, to: ReelStatus): boolean {
  return NEXT[from].includes(to);
}

// --- how the video reaches Meta ----------------------------------------------------------------

/**
 * `video_url`: the public URL the user gave. An upload: Meta's resumable upload for Facebook-Login
 * accounts; for Instagram-Login accounts, where Meta documents none (instagram-login.md §7), a
 * `video_url` we sign that serves the file (DESIGN.md §8).
 */
export type VideoSource = 'video_url' | 'resumable' | 'signed_url';

export function videoSource(loginType: 'facebook' | 'instagram', hasUpload: boolean): VideoSource {
  if (!hasUpload) return 'video_url';
  return loginType === 'instagram' ? 'signed_url' : 'resumable';
}

// --- caption (Meta's documented API limits; the client also warns above 5 hashtags) ----------

export const CAPTION_MAX_CHARS = 2200;
export const CAPTION_MAX_HASHTAGS = 30;
export const CAPTION_MAX_MENTIONS = 20;
/** Instagram's own cap since Dec 2025 (instagram-login.md R1): the client warns above it. */
export const CAPTION_HASHTAG_WARNING = 5;

export interface CaptionFacts {
  chars: number;
  hashtags: number;
  mentions: number;
}

export function captionFacts(caption: string): CaptionFacts {
  return {
    // code points, as a person counts them (an emoji is one)
    chars: [...caption].length,
    hashtags: (caption.match(/(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu) ?? []).length,
    mentions: (caption.match(/(^|[^\p{L}\p{N}_.])@[A-Za-z0-9_.]+/gu) ?? []).length,
  };
}

/** The first limit a caption breaks, with a sentence; null when it is fine. */
export function captionProblem(caption: string): { code: ErrorCode; message: string } | null {
  const f = captionFacts(caption);
  if (f.chars > CAPTION_MAX_CHARS)
    return {
      code: ErrorCode.CAPTION_TOO_LONG,
      message: `The caption has ${f.chars} characters; Instagram allows ${CAPTION_MAX_CHARS}.`,
    };
  if (f.hashtags > CAPTION_MAX_HASHTAGS)
    return {
      code: ErrorCode.TOO_MANY_HASHTAGS,
      message: `The caption has ${f.hashtags} hashtags; Instagram allows ${CAPTION_MAX_HASHTAGS}.`,
    };
  if (f.mentions > CAPTION_MAX_MENTIONS)
    return {
      code: ErrorCode.TOO_MANY_MENTIONS,
      message: `The caption mentions ${f.mentions} accounts; Instagram allows ${CAPTION_MAX_MENTIONS}.`,
    };
  return null;
}

/** A reel may be scheduled at most this far ahead (DESIGN.md §8). */
export const MAX_SCHEDULE_AHEAD_MS = 75 * 86_400_000;

// --- waiting -----------------------------------------------------------------------------------

/** Container polling: `initial`, doubling per poll, never more than `max` (Meta: about once a minute). */
export function nextPollDelayMs(polls: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(polls, 30)));
}

/** Transient failure `n` (1 = first): exponential from `initialMs` with ±25 % jitter, capped at an hour. */
export function retryDelayMs(n: number, initialMs: number, random: () => number = Math.random): number {
  const exp = Math.min(3_600_000, initialMs * 2 ** Math.max(0, n - 1));
  return Math.round(exp * (0.75 + 0.5 * random()));
}

export interface QuotaFacts {
  quotaUsage: number;
  quotaTotal: number;
  quotaDurationSeconds: number;
}

export function quotaUsedUp(q: QuotaFacts): boolean {
  return q.quotaUsage >= q.quotaTotal;
}

/**
 * When to look again with the quota used up. The window is a moving 24 h (graph-api.md §11): a
 * slot frees when the oldest post in it turns `duration` old. We know our own posts' times; when
 * they account for the whole usage, the oldest one tells the moment; otherwise (posts made
 * elsewhere) we look again after `recheckMs`. Never later than that recheck, never in the past.
 */
export function quotaFreesAt(now: Date, q: QuotaFacts, ownPublishedAt: Date[], recheckMs: number): Date {
  const recheck = now.getTime() + recheckMs;
  const windowStart = now.getTime() - q.quotaDurationSeconds * 1000;
  const inWindow = ownPublishedAt.map((d) => d.getTime()).filter((t) => t > windowStart);
  if (inWindow.length === 0 || inWindow.length < q.quotaUsage) return new Date(recheck);
  const frees = Math.min(...inWindow) + q.quotaDurationSeconds * 1000 + 1000;
  return new Date(Math.max(now.getTime() + 1000, Math.min(frees, recheck)));
}

// --- what Meta's answers mean ------------------------------------------------------------------

/** A container may be made again once when it expired (DESIGN.md §8: "one new container, then MEDIA_EXPIRED"). */
export const MAX_CONTAINERS = 2;

export type ContainerVerdict =
  | { action: 'wait' }
  | { action: 'publish' }
  | { action: 'find-media' }
  | { action: 'new-container' }
  | { action: 'fail'; code: string; message: string };

export function containerVerdict(
  statusCode: 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED',
  containersMade: number,
  errorSubcode?: number,
  status?: string | null,
): ContainerVerdict {
  switch (statusCode) {
    case 'IN_PROGRESS':
      return { action: 'wait' };
    case 'FINISHED':
      return { action: 'publish' };
    case 'PUBLISHED':
      return { action: 'find-media' };
    case 'EXPIRED':
      return containersMade < MAX_CONTAINERS
        ? { action: 'new-container' }
        : { action: 'fail', code: 'MEDIA_EXPIRED', message: mediaMessage(2207020) };
    case 'ERROR':
      return {
        action: 'fail',
        code: errorSubcode ? `MEDIA_ERROR_${errorSubcode}` : 'MEDIA_ERROR',
        message: errorSubcode
          ? mediaMessage(errorSubcode)
          : `Instagram could not process the video${status ? ` (${status})` : ''}.`,
      };
  }
}

export interface GraphFailure {
  kind: 'token-invalid' | 'permission' | 'rate-limited' | 'transient' | 'bad-request' | 'quota';
  code?: number;
  subcode?: number;
}

export type FailureVerdict =
  /** Meta may pass: retry with backoff (transient_retries counts them). */
  | { action: 'retry' }
  /** 9007/2207027: the media is not ready; poll the container, then publish. */
  | { action: 'not-ready' }
  /** 9/2207042 at media_publish: the quota is used up; stay queued. */
  | { action: 'quota' }
  /** 190: the account needs its user; the reel fails. */
  | { action: 'reconnect'; code: string; message: string }
  /**
   * Code 10 / 200-299 while publishing: almost always our Facebook app's own access (App Review,
   * a product setting), not the user's grant (graph-failure-policy.ts). Ops are alerted; the reel
   * fails with a sentence that does not send the user to reconnect.
   */
  | { action: 'app-problem'; code: string; message: string }
  | { action: 'fail'; code: string; message: string };

export function failureVerdict(e: GraphFailure): FailureVerdict {
  if (e.code === 9007 || e.subcode === 2207027) return { action: 'not-ready' };
  switch (e.kind) {
    case 'transient':
    case 'rate-limited':
      return { action: 'retry' };
    case 'token-invalid':
      return {
        action: 'reconnect',
        code: 'NEEDS_RECONNECT',
        message: 'Facebook no longer accepts this connection. Reconnect the account, then publish again.',
      };
    case 'permission':
      return {
        action: 'app-problem',
        code: 'META_APP_PROBLEM',
        message:
          "Meta refused the reel because of a problem with AutoReels' app (not with your account); our team was alerted. Publish it again later.",
      };
    case 'bad-request':
      return {
        action: 'fail',
        code: `GRAPH_${e.code ?? 'ERROR'}${e.subcode ? `_${e.subcode}` : ''}`,
        message: e.subcode ? mediaMessage(e.subcode) : 'Instagram refused the reel.',
      };
    case 'quota':
      return { action: 'quota' };
  }
}

/** A sentence a person understands, per Meta's publishing subcodes (graph-api.md §11, instagram-login.md R6). */
export function mediaMessage(subcode: number): string {
  switch (subcode) {
    case 2207003:
      return 'Instagram took too long to download the video. Try a faster host or upload the file.';
    case 2207004:
    case 2207005:
    case 2207009:
      return 'Instagram does not accept this media (size, format or aspect ratio).';
    case 2207006:
      return 'Instagram could not find the media. Publish it again.';
    case 2207008:
    case 2207020:
      return 'The media expired at Instagram before it was published. Publish it again.';
    case 2207010:
      return 'The caption is too long or has too many hashtags or mentions.';
    case 2207026:
      return 'The video format is not supported. Use MP4 or MOV with H.264 or HEVC video and AAC audio.';
    case 2207050:
      return 'The Instagram account is restricted. Fix it in the Instagram app, then publish again.';
    case 2207051:
      return 'Instagram blocked this post to protect its community (spam limits).';
    case 2207052:
      return 'Instagram could not fetch the video from its URL. Make sure the URL is public.';
    case 2207057:
      return 'The cover frame offset is beyond the end of the video.';
    default:
      return `Instagram could not publish the video (error ${subcode}).`;
  }
}
