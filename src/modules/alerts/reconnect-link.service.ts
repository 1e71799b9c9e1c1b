import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { ReconnectLinkEntity } from './reconnect-link.entity';
import { createReconnectToken, hashReconnectToken, reconnectLinkKey, verifyReconnectToken } from './reconnect-token';

/** How long a link in an alert e-mail works. */
export const RECONNECT_LINK_TTL_MS = 7 * 86_400_000;

/**
 * Signed, single-use, expiring links bound to one account (DESIGN.md section 3): the signature
 * rejects forgeries without a database read; the stored hash makes each link work once.
 */
@Injectable()
export class ReconnectLinkService {
  private readonly key: Buffer;

  constructor(
    @InjectRepository(ReconnectLinkEntity) private readonly links: Repository<ReconnectLinkEntity>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = reconnectLinkKey(config.secretKey);
  }

  /** A new link for the account's owner; the URL is the only place the token exists. */
  async issue(userId: number, accountId: number, alertId: number | null = null): Promise<{ url: string; expiresAt: Date }> {
    const expiresAt = new Date(this.clock.now().getTime() + RECONNECT_LINK_TTL_MS);
    const token = createReconnectToken(this.key, accountId, expiresAt);
    await this.links.insert({ tokenHash: hashReconnectToken(token), userId, accountId, alertId, expiresAt });
    return { url: `${this.config.publicApiUrl}/social/reconnect/${token}`, expiresAt };
  }

  /** Uses the link up (atomically: of two concurrent clicks one wins); null when forged, expired or used. */
  async redeem(token: string): Promise<{ userId: number; accountId: number } | null> {
    const now = this.clock.now();
    const claims = verifyReconnectToken(this.key, token, now);
    if (!claims) return null;
    const rows = await this.links.query<[Array<{ user_id: number; account_id: number }>, number]>(
      `UPDATE reconnect_links SET used_at = $2
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND account_id = $3
        RETURNING user_id, account_id`,
      [hashReconnectToken(token), now, claims.accountId],
    );
    const row = rows[0]?.[0];
    return row ? { userId: row.user_id, accountId: row.account_id } : null;
  }
}
