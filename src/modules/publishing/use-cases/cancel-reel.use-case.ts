import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { ReadPublishingAccounts } from '../../connections/use-cases/publishing-access.use-case';
import type { ReelDto } from '../dto/reel.dto';
import { ReelRepository } from '../reel.repository';
import { toReelDto } from '../reel-view';
import { REEL_NOT_FOUND_MESSAGE } from './read-reels.use-case';

/**
 * `DELETE /social/reels/:id`: cancels a reel that has not started publishing (scheduled, or
 * queued before any container was asked of Meta, with no worker on it). Cancelling again
 * answers the same; anything later is REEL_NOT_CANCELLABLE.
 */
@Injectable()
export class CancelReel {
  constructor(
    private readonly reels: ReelRepository,
    private readonly accounts: ReadPublishingAccounts,
    private readonly clock: Clock,
  ) {}

  async execute(userId: number, id: number): Promise<ReelDto> {
    const reel = await this.reels.cancel(userId, id, this.clock.now());
    if (!reel) throw new DomainError(ErrorCode.REEL_NOT_FOUND, REEL_NOT_FOUND_MESSAGE);
    if (reel.status !== 'cancelled')
      throw new DomainError(
        ErrorCode.REEL_NOT_CANCELLABLE,
        `This reel is already ${reel.status}; it can no longer be cancelled.`,
      );
    return toReelDto(reel, (await this.accounts.usernames(userId)).get(reel.accountId) ?? null);
  }
}
