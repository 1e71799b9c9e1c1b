import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { GraphApiClient } from '../graph/graph-api.client';
import { ConnectionRepository } from '../connections/connection.repository';
import { TokenVault, tokenAad } from '../connections/token-vault';

/** Webhook fields the product listens to on each connected Page. */
export const PAGE_SUBSCRIBED_FIELDS = ['feed'];

/**
 * Subscribes a connected account's Page to the app (`POST /{page-id}/subscribed_apps`) so Meta's
 * webhooks reach us. Only when webhooks are configured; a failure is recorded, never fatal.
 */
@Injectable()
export class PageSubscriber {
  private readonly logger = new Logger(PageSubscriber.name);

  constructor(
    private readonly config: AppConfig,
    private readonly graph: GraphApiClient,
    private readonly connections: ConnectionRepository,
    private readonly vault: TokenVault,
  ) {}

  async subscribe(accountId: number): Promise<void> {
    if (!this.config.facebook.webhookVerifyToken) return;
    try {
      const row = await this.connections.findById(accountId);
      if (!row?.accessToken || !row.fbPageId) return;
      const pageToken = this.vault.decrypt(row.accessToken, tokenAad('instagram_tokens', row.id, 'access_token'));
      await this.graph.subscribePageToApp(row.fbPageId, pageToken, PAGE_SUBSCRIBED_FIELDS);
      await this.connections.recordEvent({
        accountId,
        userId: row.userId,
        type: 'page_subscribe',
        outcome: 'success',
        actor: 'system',
      });
    } catch (err) {
      this.logger.warn({ accountId, err: err instanceof Error ? err.message : String(err) }, 'page subscription failed');
      await this.connections
        .recordEvent({ accountId, type: 'page_subscribe', outcome: 'failure', actor: 'system', error: err })
        .catch(() => undefined);
    }
  }
}
