import type { PublishingLimit, Reel, Upload } from '../features/reels/data/reels.model';

/*
 * Answers shaped exactly like the API's OpenAPI document (src/modules/publishing/dto/reel.dto.ts):
 * numeric ids, every field present. A spec overrides only what it is about.
 */

/** POST /social/reels (202) for a reel by URL, just accepted. */
export function aReel(overrides: Partial<Reel> = {}): Reel {
  return {
    id: 41,
    account_id: 1,
    instagram_username: 'alice',
    status: 'queued',
    video_url: 'https://cdn.example.com/launch.mp4',
    upload_id: null,
    caption: 'New roast just dropped #coffee',
    share_to_feed: true,
    cover_url: null,
    thumb_offset: null,
    audio_name: null,
    collaborators: [],
    location_id: null,
    publish_at: '2026-06-15T11:59:58.000Z',
    next_attempt_at: null,
    container_id: null,
    media_id: null,
    permalink: null,
    error_code: null,
    error_message: null,
    attempts: 0,
    created_at: '2026-06-15T11:59:58.000Z',
    updated_at: '2026-06-15T11:59:58.000Z',
    published_at: null,
    ...overrides,
  };
}

/** The same reel once the worker is done. */
export function aPublishedReel(overrides: Partial<Reel> = {}): Reel {
  return aReel({
    status: 'published',
    container_id: '17889455560051444',
    media_id: '17920238422030506',
    permalink: 'https://www.instagram.com/reel/C0ffee123/',
    attempts: 3,
    updated_at: '2026-06-15T12:00:40.000Z',
    published_at: '2026-06-15T12:00:40.000Z',
    ...overrides,
  });
}

/** POST /social/uploads (201). */
export function anUpload(overrides: Partial<Upload> = {}): Upload {
  return {
    upload_id: '3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90',
    size: 1000,
    content_type: 'video/mp4',
    expires_at: '2026-06-16T12:00:00.000Z',
    ...overrides,
  };
}

/** GET /social/accounts/:id/publishing-limit. */
export function aPublishingLimit(overrides: Partial<PublishingLimit> = {}): PublishingLimit {
  return { quota_usage: 12, quota_total: 100, quota_duration_seconds: 86400, ...overrides };
}
