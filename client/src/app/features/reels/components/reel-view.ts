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

/** The API's limits on the "More options" (src/modules/publishing/dto/reel.dto.ts). */
export const MAX_COLLABORATORS = 3;
export const MAX_URL_CHARS = 2048;
export const MAX_AUDIO_NAME_CHARS = 255;
/** thumb_offset is at most 15 minutes, the longest a reel can be. */
export const MAX_THUMB_OFFSET_MS = 15 * 60 * 1000;
/** The DTO's pattern for a collaborator: an Instagram username, with or without the "@". */
const INSTAGRAM_USERNAME = /^@?[A-Za-z0-9_.]{1,30}$/;

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

const NUMBER = new Intl.NumberFormat('en-GB');

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

/** Whether a person typed a public https address (as the API's IsUrl with https only). */
export function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Why a cover image address would be refused, or null. */
export function coverUrlProblem(raw: string): string | null {
  const url = raw.trim();
  if (url === '') return "Enter the cover image's address.";
  if (!isHttpsUrl(url)) return 'Use a public https:// address for the cover image.';
  if (url.length > MAX_URL_CHARS)
    return `The address is too long: at most ${NUMBER.format(MAX_URL_CHARS)} characters.`;
  return null;
}

/** "1.5" or "1,5" (seconds, as typed) → 1500 (thumb_offset, ms); null when it is no such time. */
export function thumbOffsetMs(raw: string): number | null {
  const s = raw.trim().replace(',', '.');
  return /^\d+(\.\d+)?$/.test(s) ? Math.round(Number(s) * 1000) : null;
}

/** Why a cover frame time would be refused, or null. */
export function thumbOffsetProblem(raw: string): string | null {
  if (raw.trim() === '') return 'Enter the second of the video to use as the cover, e.g. 1.5.';
  const ms = thumbOffsetMs(raw);
  if (ms === null) return 'Enter the time in seconds, e.g. 1.5.';
  if (ms > MAX_THUMB_OFFSET_MS) return 'The cover frame must be within the first 15 minutes.';
  return null;
}

export function audioNameProblem(raw: string): string | null {
  // code points, as the API's length check counts them (an emoji is one)
  return [...raw].length > MAX_AUDIO_NAME_CHARS
    ? `The audio name is too long: at most ${MAX_AUDIO_NAME_CHARS} characters.`
    : null;
}

/**
 * "@acme.roastery, bean_team" → ["@acme.roastery", "bean_team"]: commas or spaces between; the
 * same name twice (with or without "@", in any case: Instagram names ignore case) counts once.
 */
export function parseCollaborators(raw: string): string[] {
  const seen = new Set<string>();
  return raw
    .split(/[\s,]+/)
    .filter((c) => c !== '')
    .filter((c) => {
      const key = c.replace(/^@/, '').toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Why the collaborators would be refused, or null: at most 3, each an Instagram username. */
export function collaboratorsProblem(names: readonly string[]): string | null {
  const bad = names.find((c) => !INSTAGRAM_USERNAME.test(c));
  if (bad !== undefined)
    return `"${bad}" is not an Instagram username: use up to 30 letters, numbers, periods and underscores.`;
  if (names.length > MAX_COLLABORATORS)
    return `Invite at most ${MAX_COLLABORATORS} collaborators; Instagram allows no more.`;
  return null;
}

/** "the reel scheduled for 20 Jun 2026, 09:00, "Launch day…"": which reel a button acts on. */
export function scheduledReelName(r: { publish_at: string; caption: string | null }): string {
  return reelName(`scheduled for ${formatDateTime(r.publish_at)}`, r.caption);
}

/** "the reel waiting for Instagram's publishing limit, "Launch day…"". */
export function waitingReelName(r: { caption: string | null }): string {
  return reelName("waiting for Instagram's publishing limit", r.caption);
}

function reelName(when: string, rawCaption: string | null): string {
  const caption = (rawCaption ?? '').replace(/\s+/g, ' ').trim();
  if (caption === '') return `the reel ${when}`;
  const chars = [...caption];
  const short = chars.length > 40 ? `${chars.slice(0, 40).join('').trimEnd()}…` : caption;
  return `the reel ${when}, "${short}"`;
}
