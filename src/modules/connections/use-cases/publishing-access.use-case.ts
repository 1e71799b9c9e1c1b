import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { ErrorCode } from '../../../common/errors/error-codes';
import { ConnectionRepository, type Connection } from '../connection.repository';
import type { ConnectionState } from '../domain/connection-policy';
import type { LoginType } from '../persistence/instagram-token.entity';
import { TokenVault, tokenAad } from '../token-vault';

/** Meta's permission for `POST /{ig-user-id}/media` and `media_publish` (graph-api.md §11). */
export const PUBLISH_PERMISSION = 'instagram_content_publish';
/** The same permission under Instagram Login (instagram-login.md §1). */
export const INSTAGRAM_LOGIN_PUBLISH_PERMISSION = 'instagram_business_content_publish';

/** A connection as publishing sees it: no token, only what decides whether a reel may go. */
export interface PublishingAccount {
  id: number;
  userId: number;
  igUserId: string;
  username: string | null;
  /** Which Graph host publishes for it: graph.facebook.com (Page token) or graph.instagram.com (Instagram user token). */
  loginType: LoginType;
  status: ConnectionState;
  /** Connected with a stored token and not waiting for the user. */
  usable: boolean;
  canPublish: boolean;
}

function toPublishingAccount(row: Connection): PublishingAccount {
  return {
    id: row.id,
    userId: row.userId,
    igUserId: row.igUserId,
    username: row.instagramUsername,
    loginType: row.loginType,
    status: row.status,
    usable: row.isConnected && row.isValid && !!row.accessToken && (row.status === 'active' || row.status === 'expiring'),
    canPublish: (row.permissions ?? []).includes(
      row.loginType === 'instagram' ? INSTAGRAM_LOGIN_PUBLISH_PERMISSION : PUBLISH_PERMISSION,
    ),
  };
}

/**
 * Publishing's read of the user's accounts (DESIGN.md §8): the route's target (an id of the
 * user's, else ACCOUNT_NOT_FOUND; or the default) and the usernames reels show. No token.
 */
@Injectable()
export class ReadPublishingAccounts {
  constructor(private readonly connections: ConnectionRepository) {}

  async target(userId: number, accountId: number | 'default'): Promise<PublishingAccount> {
    const row = await this.connections.target(userId, accountId);
    if (!row) throw new DomainError(ErrorCode.NOT_CONNECTED, 'No Instagram account is connected.');
    return toPublishingAccount(row);
  }

  async byId(accountId: number): Promise<PublishingAccount | null> {
    const row = await this.connections.findById(accountId);
    return row ? toPublishingAccount(row) : null;
  }

  /** The user's accounts by id (usernames for the reels list), disconnected ones included. */
  async usernames(userId: number): Promise<Map<number, string | null>> {
    return new Map((await this.connections.listVisible(userId)).map((r) => [r.id, r.instagramUsername]));
  }
}

/** The decrypted token a publishing step needs, for one Graph call; never stored, logged or queued. */
export interface PublishingCredentials {
  account: PublishingAccount;
  token: string;
}

/**
 * Opens an account's token for the publishing worker. Decryption stays inside the connections
 * module; the caller hands the token straight to the Graph client. null: the account cannot
 * publish now (gone, disconnected, waiting for a reconnect).
 */
@Injectable()
export class OpenPublishingCredentials {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly vault: TokenVault,
  ) {}

  async execute(accountId: number): Promise<PublishingCredentials | null> {
    const row = await this.connections.findById(accountId);
    if (!row) return null;
    const account = toPublishingAccount(row);
    if (!account.usable || !row.accessToken) return { account, token: '' };
    // The Page token: IG content publishing with Facebook Login acts through the Page (graph-api.md §11);
    // Instagram Login keeps its one Instagram user token in the same column (instagram-login.md §7)
    const token = this.vault.decrypt(row.accessToken, tokenAad('instagram_tokens', row.id, 'access_token'));
    return { account, token };
  }
}
