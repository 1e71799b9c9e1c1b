import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { GraphApiClient } from '../../graph/graph-api.client';
import { InstagramGraphApiClient } from '../../graph/instagram-login.client';
import { GraphError } from '../../graph/graph-error';
import { OpenPublishingCredentials, ReadPublishingAccounts } from '../../connections/use-cases/publishing-access.use-case';
import type { PublishingLimitDto } from '../dto/reel.dto';

/** `GET /social/accounts/:id/publishing-limit`: Meta's content_publishing_limit, for the owner. */
@Injectable()
export class GetPublishingLimit {
  constructor(
    private readonly accounts: ReadPublishingAccounts,
    private readonly credentials: OpenPublishingCredentials,
    private readonly graph: GraphApiClient,
    private readonly instagramGraph: InstagramGraphApiClient,
  ) {}

  async execute(userId: number, accountId: number): Promise<PublishingLimitDto> {
    const account = await this.accounts.target(userId, accountId);
    const creds = account.usable ? await this.credentials.execute(account.id) : null;
    if (!creds?.token)
      throw new DomainError(ErrorCode.NEEDS_RECONNECT, `@${account.username ?? account.igUserId} needs a reconnect first.`);
    try {
      // each kind of account on its own Graph host (graph.instagram.com for Instagram Login)
      const graph = creds.account.loginType === 'instagram' ? this.instagramGraph : this.graph;
      const limit = await graph.getPublishingLimit(creds.account.igUserId, creds.token);
      return {
        quota_usage: limit.quotaUsage,
        quota_total: limit.quotaTotal,
        quota_duration_seconds: limit.quotaDurationSeconds,
      };
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      if (err.kind === 'rate-limited')
        throw new DomainError(ErrorCode.META_RATE_LIMITED, 'Facebook is limiting requests; try again shortly.');
      if (err.kind === 'transient') throw new DomainError(ErrorCode.META_UNAVAILABLE, 'Facebook is not answering right now.');
      throw new DomainError(ErrorCode.META_REQUEST_FAILED, 'Facebook refused to tell the publishing limit.');
    }
  }
}
