import type { Connection, ConnectionEvent, ConnectionSummary } from '../connections/connection.repository';
import { daysUntil } from '../connections/domain/connection-policy';
import type { AccountDto, StatusDto, TokenEventDto } from './dto/account.dto';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Public fields only: ciphertext columns never leave the server. */
export function toAccountDto(row: Connection, now: Date): AccountDto {
  return {
    id: row.id,
    ig_user_id: row.igUserId,
    login_type: row.loginType,
    instagram_username: row.instagramUsername,
    instagram_name: row.instagramName,
    profile_picture_url: row.igProfilePicture,
    facebook_page_id: row.fbPageId,
    facebook_page_name: row.fbPageName,
    status: row.status,
    is_token_valid: row.isValid,
    is_connected: row.isConnected,
    is_default: row.isDefault,
    token_expires_at: iso(row.expiresAt),
    token_issued_at: iso(row.tokenIssuedAt),
    data_access_expires_at: iso(row.dataAccessExpiresAt),
    days_until_expiry: row.isConnected ? daysUntil(row.expiresAt, now) : null,
    last_checked_at: iso(row.lastCheckedAt),
    last_refreshed_at: iso(row.lastRefreshedAt),
    next_check_at: iso(row.nextCheckAt),
    last_error_code: row.lastErrorCode,
    status_reason: row.statusReason,
    permissions: row.permissions ?? [],
    connected_at: iso(row.connectedAt),
  };
}

export function toStatusDto(row: ConnectionSummary | null, count: number, now: Date): StatusDto {
  if (!row) {
    return {
      is_connected: false,
      login_type: null,
      instagram_username: null,
      facebook_page_name: null,
      token_expires_at: null,
      is_token_valid: false,
      status: null,
      days_until_expiry: null,
      profile_picture_url: null,
      last_refreshed_at: null,
      last_checked_at: null,
      account_id: null,
      accounts_count: 0,
    };
  }
  return {
    is_connected: row.isConnected,
    login_type: row.loginType,
    instagram_username: row.instagramUsername,
    facebook_page_name: row.fbPageName,
    token_expires_at: iso(row.expiresAt),
    is_token_valid: row.isValid && row.isConnected,
    status: row.status,
    days_until_expiry: row.isConnected ? daysUntil(row.expiresAt, now) : null,
    profile_picture_url: row.igProfilePicture,
    last_refreshed_at: iso(row.lastRefreshedAt),
    last_checked_at: iso(row.lastCheckedAt),
    account_id: row.id,
    accounts_count: count,
  };
}

export function toEventDto(e: ConnectionEvent): TokenEventDto {
  return {
    id: String(e.id),
    type: e.type,
    outcome: e.outcome,
    actor: e.actor,
    message: e.message,
    error_code: e.errorCode,
    graph_error_code: e.graphErrorCode,
    graph_error_subcode: e.graphErrorSubcode,
    created_at: e.createdAt.toISOString(),
  };
}
