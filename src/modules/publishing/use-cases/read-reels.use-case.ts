import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { ReadPublishingAccounts } from '../../connections/use-cases/publishing-access.use-case';
import type { ListReelsQueryDto, ReelDto, ReelListDto } from '../dto/reel.dto';
import { ReelRepository } from '../reel.repository';
import { toReelDto } from '../reel-view';

export const REEL_NOT_FOUND_MESSAGE = 'No such reel on your profile.';

/** `GET /social/reels`: the user's reels, newest first, keyset-paged by id. */
@Injectable()
export class ListReels {
  constructor(
    private readonly reels: ReelRepository,
    private readonly accounts: ReadPublishingAccounts,
  ) {}

  async execute(userId: number, q: ListReelsQueryDto): Promise<ReelListDto> {
    const limit = q.limit ?? 20;
    const rows = await this.reels.list(userId, {
      accountId: q.account_id,
      status: q.status,
      limit: limit + 1,
      beforeId: q.cursor ? Number(q.cursor) : undefined,
    });
    const page = rows.slice(0, limit);
    const names = await this.accounts.usernames(userId);
    return {
      reels: page.map((r) => toReelDto(r, names.get(r.accountId) ?? null)),
      next_cursor: rows.length > limit ? String(page[page.length - 1].id) : null,
    };
  }
}

/** `GET /social/reels/:id`: the user's reel, else REEL_NOT_FOUND (also for another user's id). */
@Injectable()
export class GetReel {
  constructor(
    private readonly reels: ReelRepository,
    private readonly accounts: ReadPublishingAccounts,
  ) {}

  async execute(userId: number, id: number): Promise<ReelDto> {
    const reel = await this.reels.findOwned(userId, id);
    if (!reel) throw new DomainError(ErrorCode.REEL_NOT_FOUND, REEL_NOT_FOUND_MESSAGE);
    return toReelDto(reel, (await this.accounts.usernames(userId)).get(reel.accountId) ?? null);
  }
}
