import type {
  Account,
  AccountAlert,
  Candidate,
  DisconnectResult,
  LoginUrlResponse,
  RefreshResult,
  TokenEvent,
} from '../features/social-accounts/data/social-accounts.model';

/*
 * Answers shaped exactly like the API's OpenAPI document (src/modules/social/dto/account.dto.ts,
 * connect.dto.ts, alerts/alerts.controller.ts): numeric ids, every field present.
 * A spec overrides only what it is about.
 */

/** A healthy account as GET /social/accounts returns it. */
export function anAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: 1,
    ig_user_id: '1784',
    login_type: 'facebook',
    instagram_username: 'alice',
    instagram_name: 'Alice',
    profile_picture_url: 'https://cdn.example.com/alice.jpg',
    facebook_page_id: 'page-1',
    facebook_page_name: 'Alice Page',
    status: 'active',
    is_token_valid: true,
    is_connected: true,
    is_default: true,
    token_expires_at: '2026-08-04T12:00:00Z',
    token_issued_at: '2026-06-05T12:00:00Z',
    data_access_expires_at: '2026-09-13T12:00:00Z',
    days_until_expiry: 50,
    last_checked_at: '2026-06-15T09:00:00Z',
    last_refreshed_at: '2026-06-13T12:00:00Z',
    next_check_at: '2026-06-16T09:00:00Z',
    last_error_code: null,
    status_reason: null,
    permissions: ['instagram_basic', 'instagram_content_publish', 'pages_show_list'],
    connected_at: '2026-06-05T12:00:00Z',
    ...overrides,
  };
}

export function aCandidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    ig_user_id: '1784',
    username: 'alice',
    name: 'Alice',
    profile_picture_url: null,
    page_id: 'page-1',
    page_name: 'Alice Page',
    already_connected: false,
    ...overrides,
  };
}

/** POST /social/facebook/login. */
export function aLoginUrl(loginUrl = 'https://facebook.example/dialog'): LoginUrlResponse {
  return { login_url: loginUrl, state: 'st-1', expires_at: '2026-06-15T12:10:00Z' };
}

/** POST /social/accounts/:id/refresh-token: a verified connection whose expiry did not move. */
export function aRefreshResult(overrides: Partial<RefreshResult> = {}): RefreshResult {
  return {
    success: true,
    message:
      'Connection verified. Facebook keeps this token until 4 Aug 2026; reconnect before then to extend it.',
    new_expires_at: '2026-08-04T12:00:00Z',
    extended: false,
    status: 'active',
    account_id: 1,
    next_check_at: '2026-06-16T12:00:00Z',
    ...overrides,
  };
}

/** DELETE /social/accounts/:id. */
export function aDisconnectResult(overrides: Partial<DisconnectResult> = {}): DisconnectResult {
  return {
    success: true,
    message: 'Disconnected @alice.',
    disconnected: true,
    revoked_at_facebook: true,
    account_id: 1,
    ...overrides,
  };
}

/** One row of GET /social/alerts. */
export function anAlert(overrides: Partial<AccountAlert> = {}): AccountAlert {
  return {
    id: 3,
    account_id: 1,
    kind: 'expiring',
    threshold_days: 14,
    message: "@alice's Facebook access ends on 4 Aug 2026. Reconnect to keep posting.",
    instagram_username: 'alice',
    token_expires_at: '2026-08-04T12:00:00Z',
    created_at: '2026-06-15T10:00:00Z',
    read_at: null,
    emailed_at: null,
    ...overrides,
  };
}

/** One row of GET /social/accounts/:id/events (bigint ids arrive as strings). */
export function anEvent(overrides: Partial<TokenEvent> = {}): TokenEvent {
  return {
    id: '41',
    type: 'refresh',
    outcome: 'success',
    actor: 'user',
    message: null,
    error_code: null,
    graph_error_code: null,
    graph_error_subcode: null,
    created_at: '2026-06-15T11:00:00Z',
    ...overrides,
  };
}
