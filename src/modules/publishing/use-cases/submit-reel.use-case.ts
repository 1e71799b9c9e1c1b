import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { ReadPublishingAccounts } from '../../connections/use-cases/publishing-access.use-case';
import { captionProblem, MAX_SCHEDULE_AHEAD_MS } from '../domain/reel-policy';
import type { CreateReelDto, ReelDto } from '../dto/reel.dto';
import { ReelQueue } from '../reel-queue';
import { ReelRepository } from '../reel.repository';
import { toReelDto } from '../reel-view';

/** A publish_at this close to now (or earlier) means "now". */
const NOW_TOLERANCE_MS = 1000;

/** The same body in any key order gives the same hash (Idempotency-Key comparison). */
export function requestHash(dto: CreateReelDto): string {
  const canonical = {
    account_id: dto.account_id ?? null,
    video_url: dto.video_url ?? null,
    upload_id: dto.upload_id ?? null,
    caption: dto.caption ?? null,
    share_to_feed: dto.share_to_feed ?? true,
    cover_url: dto.cover_url ?? null,
    thumb_offset: dto.thumb_offset ?? null,
    audio_name: dto.audio_name ?? null,
    collaborators: dto.collaborators ?? [],
    location_id: dto.location_id ?? null,
    publish_at: dto.publish_at ? new Date(dto.publish_at).toISOString() : null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * `POST /social/reels` (DESIGN.md §8): checks the account (ours, active or expiring, allowed to
 * publish), the caption and the time, stores the reel and hands it to the worker (or leaves it
 * `scheduled` for the scheduler). An Idempotency-Key already used with the same body answers
 * with that reel; with another body it is a 409.
 */
@Injectable()
export class SubmitReel {
  private readonly logger = new Logger(SubmitReel.name);

  constructor(
    private readonly accounts: ReadPublishingAccounts,
    private readonly reels: ReelRepository,
    private readonly queue: ReelQueue,
    private readonly clock: Clock,
  ) {}

  async execute(userId: number, dto: CreateReelDto, idempotencyKey?: string): Promise<{ reel: ReelDto; created: boolean }> {
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 255))
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key must be 1 to 255 characters.');
    const hash = requestHash(dto);
    if (idempotencyKey) {
      const seen = await this.reels.findByIdempotencyKey(userId, idempotencyKey);
      if (seen) return this.repeat(userId, seen, hash);
    }
    if (!dto.video_url === !dto.upload_id)
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Give exactly one of video_url or upload_id.');
    const problem = dto.caption ? captionProblem(dto.caption) : null;
    if (problem) throw new DomainError(problem.code, problem.message);

    const now = this.clock.now();
    const publishAt = dto.publish_at ? new Date(dto.publish_at) : now;
    if (publishAt.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS)
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'publish_at must be at most 75 days ahead.');

    const account = await this.accounts.target(userId, dto.account_id ?? 'default');
    if (!account.usable)
      throw new DomainError(
        ErrorCode.NEEDS_RECONNECT,
        `@${account.username ?? account.igUserId} needs a reconnect before it can publish.`,
      );
    if (!account.canPublish)
      throw new DomainError(
        ErrorCode.PERMISSION_MISSING,
        `AutoReels may not publish to this account: reconnect and allow "${account.loginType === 'instagram' ? 'instagram_business_content_publish' : 'instagram_content_publish'}".`,
      );
    if (dto.upload_id) {
      const upload = await this.reels.findUsableUpload(userId, dto.upload_id, now);
      if (!upload) throw new DomainError(ErrorCode.UPLOAD_NOT_FOUND, 'No unused upload with that id (it may have expired).');
    }

    const scheduled = publishAt.getTime() > now.getTime() + NOW_TOLERANCE_MS;
    const { reel, created } = await this.reels.insert(
      {
        userId,
        accountId: account.id,
        status: scheduled ? 'scheduled' : 'queued',
        videoUrl: dto.video_url ?? null,
        uploadId: dto.upload_id ?? null,
        caption: dto.caption ?? null,
        shareToFeed: dto.share_to_feed ?? true,
        coverUrl: dto.cover_url ?? null,
        thumbOffset: dto.thumb_offset ?? null,
        audioName: dto.audio_name ?? null,
        collaborators: dto.collaborators?.map((c) => c.replace(/^@/, '')) ?? null,
        locationId: dto.location_id ?? null,
        publishAt: scheduled ? publishAt : now,
        nextAttemptAt: scheduled ? publishAt : now,
        idempotencyKey: idempotencyKey ?? null,
        requestHash: idempotencyKey ? hash : null,
      },
      { type: scheduled ? 'scheduled' : 'queued', message: scheduled ? `Scheduled for ${publishAt.toISOString()}.` : 'Queued.' },
    );
    if (!created) return this.repeat(userId, reel, hash); // a concurrent request with the same key won
    if (!scheduled) {
      // PostgreSQL is the truth: if Redis is down now, the scheduler's sweep enqueues it
      await this.queue
        .enqueue(reel.id, reel.nextAttemptAt ?? now)
        .catch((err: unknown) =>
          this.logger.warn(
            { reelId: reel.id, err: err instanceof Error ? err.message : String(err) },
            'enqueue failed; the sweep will',
          ),
        );
    }
    return { reel: toReelDto(reel, account.username), created: true };
  }

  private async repeat(userId: number, reel: Awaited<ReturnType<ReelRepository['findById']>> & object, hash: string) {
    if (reel.requestHash !== hash)
      throw new DomainError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was already used with a different request body.',
      );
    const names = await this.accounts.usernames(userId);
    return { reel: toReelDto(reel, names.get(reel.accountId) ?? null), created: false };
  }
}
