import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { ReconnectLinkEntity } from './reconnect-link.entity';
import { createReconnectToken, hashReconnectToken, reconnectLinkKey, verifyReconnectToken } from './reconnect-token';

/** How long a link in an alert e-mail works. */
export const RECONNECT_LINK_TTL_MS = 7 * 86_400_000;

/**
 * Signed, expiring links bound to one user and account (DESIGN.md section 7). The signature
 * rejects forgeries without a database read; the stored hash lets a link be retired. A GET never
 * uses a link up (mail scanners open links): it dies when a connect for its account completes
 * (AlertsService.resolveForAccount), when a newer link for the account is sent, or at expiry.
 * `used_at` is when it was retired.
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

  /** A new link for the account's owner, retiring the older ones; the URL is the only place the token exists. */
  async issue(userId: number, accountId: number, alertId: number | null = null): Promise<{ url: string; expiresAt: Date }> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + RECONNECT_LINK_TTL_MS);
    const token = createReconnectToken(this.key, accountId, expiresAt);
    await this.links.manager.transaction(async (m) => {
      await m.update(ReconnectLinkEntity, { accountId, usedAt: IsNull() }, { usedAt: now });
      await m.insert(ReconnectLinkEntity, { tokenHash: hashReconnectToken(token), userId, accountId, alertId, expiresAt });
    });
    return { url: `${this.config.publicApiUrl}/social/reconnect/${token}`, expiresAt };
  }

  /** Who the link is for; null when forged, expired or retired. Reading it changes nothing. */
  async resolve(token: string): Promise<{ userId: number; accountId: number } | null> {
    const now = this.clock.now();
    const claims = verifyReconnectToken(this.key, token, now);
    if (!claims) return null;
    const row = await this.links.findOne({
      where: { tokenHash: hashReconnectToken(token), usedAt: IsNull(), expiresAt: MoreThan(now), accountId: claims.accountId },
      select: { userId: true, accountId: true },
    });
    return row ? { userId: row.userId, accountId: row.accountId } : null;
  }
}
