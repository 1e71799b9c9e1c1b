import type { Reel } from './reel.repository';
import type { ReelDto } from './dto/reel.dto';

/** The API's `Reel` (DESIGN.md §8): snake_case, ISO dates, never a token. */
export function toReelDto(r: Reel, username: string | null): ReelDto {
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  return {
    id: r.id,
    account_id: r.accountId,
    instagram_username: username,
    status: r.status,
    video_url: r.videoUrl,
    upload_id: r.uploadId,
    caption: r.caption,
    share_to_feed: r.shareToFeed,
    cover_url: r.coverUrl,
    thumb_offset: r.thumbOffset,
    audio_name: r.audioName,
    collaborators: r.collaborators ?? [],
    location_id: r.locationId,
    publish_at: r.publishAt.toISOString(),
    next_attempt_at: iso(r.nextAttemptAt),
    container_id: r.containerId,
    media_id: r.mediaId,
    permalink: r.permalink,
    error_code: r.errorCode,
    error_message: r.errorMessage,
    attempts: r.attempts,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    published_at: iso(r.publishedAt),
  };
}
