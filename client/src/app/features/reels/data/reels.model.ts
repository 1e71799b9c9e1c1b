import type { EntityId } from '../../social-accounts/data/social-accounts.model';

/* Shapes of the API's publishing routes (src/modules/publishing/dto/reel.dto.ts). */

export type ReelStatus =
  | 'scheduled'
  | 'queued'
  | 'uploading'
  | 'processing'
  | 'publishing'
  | 'published'
  | 'failed'
  | 'cancelled';

/** Statuses the worker is done with: nothing more to poll for. */
export const FINAL_STATUSES: readonly ReelStatus[] = ['published', 'failed', 'cancelled'];

export function isFinal(status: ReelStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export interface Reel {
  id: EntityId;
  account_id: EntityId;
  instagram_username: string | null;
  status: ReelStatus;
  video_url: string | null;
  upload_id: string | null;
  caption: string | null;
  share_to_feed: boolean;
  cover_url: string | null;
  thumb_offset: number | null;
  audio_name: string | null;
  collaborators: string[];
  location_id: string | null;
  publish_at: string;
  next_attempt_at: string | null;
  container_id: string | null;
  media_id: string | null;
  permalink: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

export interface ReelList {
  reels: Reel[];
  next_cursor: string | null;
}

/** Body of POST /social/reels: `video_url` or `upload_id`, never both. */
export interface CreateReelRequest {
  account_id: EntityId;
  video_url?: string;
  upload_id?: string;
  caption?: string;
  share_to_feed: boolean;
  publish_at?: string;
  /** Wins over thumb_offset at the API; the form sends one or the other. */
  cover_url?: string;
  /** The cover frame, in ms from the start. */
  thumb_offset?: number;
  audio_name?: string;
  /** ≤ 3 Instagram usernames. */
  collaborators?: string[];
}

/** POST /social/uploads (201). */
export interface Upload {
  upload_id: string;
  size: number;
  content_type: string;
  expires_at: string;
}

/** What an upload in flight reports: progress, then the stored upload. */
export type UploadProgress =
  { kind: 'progress'; loaded: number; total: number | null } | { kind: 'done'; upload: Upload };

/** GET /social/accounts/:id/publishing-limit. */
export interface PublishingLimit {
  quota_usage: number;
  quota_total: number;
  quota_duration_seconds: number;
}
