import type { PublishingLimit, ReelStatus } from '../data/reels.model';

/** Pure view computations for the Reels screen; `now` is always passed in. */

/** Meta's documented API limits (DESIGN.md §8); the API refuses a caption above them. */
export const CAPTION_MAX_CHARS = 2200;
export const CAPTION_MAX_HASHTAGS = 30;
export const CAPTION_MAX_MENTIONS = 20;
/** Instagram's own cap since Dec 2025 (instagram-login.md R1): more is allowed, but we warn. */
export const CAPTION_HASHTAG_WARNING = 5;
/** A reel may be scheduled at most this far ahead (DESIGN.md §8). */
export const MAX_SCHEDULE_AHEAD_DAYS = 75;

export interface CaptionFacts {
  chars: number;
  hashtags: number;
  mentions: number;
}

/** Counted exactly as the API counts (src/modules/publishing/domain/reel-policy.ts). */
export function captionFacts(caption: string): CaptionFacts {
  return {
    // code points, as a person counts them (an emoji is one)
    chars: [...caption].length,
    hashtags: (caption.match(/(^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+/gu) ?? []).length,
    mentions: (caption.match(/(^|[^\p{L}\p{N}_.])@[A-Za-z0-9_.]+/gu) ?? []).length,
  };
}

export type ReelTone = 'ok' | 'info' | 'danger' | 'muted';

export function reelStatusBadge(status: ReelStatus): { label: string; tone: ReelTone } {
  switch (status) {
    case 'scheduled':
      return { label: 'Scheduled', tone: 'muted' };
    case 'queued':
      return { label: 'Queued', tone: 'info' };
    case 'uploading':
      return { label: 'Uploading to Instagram', tone: 'info' };
    case 'processing':
      return { label: 'Processing at Instagram', tone: 'info' };
    case 'publishing':
      return { label: 'Publishing', tone: 'info' };
    case 'published':
      return { label: 'Published', tone: 'ok' };
    case 'failed':
      return { label: 'Failed', tone: 'danger' };
    case 'cancelled':
      return { label: 'Cancelled', tone: 'muted' };
    default: {
      const unknown: never = status;
      return { label: String(unknown), tone: 'muted' };
    }
  }
}

/** "24 h", "1 h", "90 min": the length of Meta's moving quota window. */
export function windowText(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${Math.max(1, Math.round(seconds / 60))} min`;
}

/** "12 of 100 posts in the last 24 h". */
export function quotaText(limit: PublishingLimit): string {
  const posts = limit.quota_total === 1 ? 'post' : 'posts';
  return `${limit.quota_usage} of ${limit.quota_total} ${posts} in the last ${windowText(
    limit.quota_duration_seconds,
  )}`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "12 Jan 2027, 09:00" in the user's time zone; '' without a valid date. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : DATE_TIME.format(new Date(t));
}

/** The value of an <input type="datetime-local"> (local time, minutes) for a moment. */
export function toLocalInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(
    d.getHours(),
  )}:${pad(d.getMinutes())}`;
}

/** "cdn.example.com/launch.mp4" for a video URL: enough to recognise it in a list. */
export function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}
