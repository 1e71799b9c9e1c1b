/** Database ids: numbers today (bigint ones may arrive as strings); only ever echoed back. */
export type EntityId = number | string;

export type AccountStatus = 'active' | 'expiring' | 'needs_reconnect' | 'revoked' | 'disconnected';

/** How an account was connected: Facebook Login (through a Page) or Instagram Login (no Page). */
export type LoginType = 'facebook' | 'instagram';

export interface Account {
  id: EntityId;
  ig_user_id: string;
  login_type: LoginType;
  instagram_username: string;
  instagram_name: string | null;
  profile_picture_url: string | null;
  /** null for Instagram-Login accounts. */
  facebook_page_id: string | null;
  facebook_page_name: string | null;
  status: AccountStatus;
  is_token_valid: boolean;
  is_default: boolean;
  token_expires_at: string | null;
  token_issued_at: string | null;
  data_access_expires_at: string | null;
  days_until_expiry: number | null;
  last_checked_at: string | null;
  last_refreshed_at: string | null;
  last_error_code: string | null;
  status_reason: string | null;
  connected_at: string | null;
  is_connected: boolean;
  next_check_at: string | null;
  permissions: string[];
}

export interface AccountsResponse {
  accounts: Account[];
}

export interface ConnectionStatus {
  is_connected: boolean;
  login_type: LoginType | null;
  instagram_username: string | null;
  facebook_page_name: string | null;
  token_expires_at: string | null;
  is_token_valid: boolean;
  status: AccountStatus | null;
  days_until_expiry: number | null;
  profile_picture_url: string | null;
  last_refreshed_at: string | null;
  last_checked_at: string | null;
  account_id: EntityId | null;
  accounts_count: number;
}

export interface LoginUrlResponse {
  login_url: string;
  state: string;
  expires_at: string;
}

export interface Candidate {
  ig_user_id: string;
  username: string;
  name: string | null;
  profile_picture_url: string | null;
  page_id: string;
  page_name: string | null;
  already_connected: boolean;
}

export interface ConnectedResult {
  status: 'connected';
  accounts: Account[];
  message: string;
}

export interface NeedsSelectionResult {
  status: 'needs_selection';
  state: string;
  candidates: Candidate[];
  expires_at: string;
}

export type CallbackResult = ConnectedResult | NeedsSelectionResult;

export interface RefreshResult {
  success: boolean;
  message: string;
  new_expires_at: string | null;
  extended: boolean;
  status: AccountStatus;
  account_id: EntityId;
  next_check_at: string | null;
}

export interface DisconnectResult {
  success: boolean;
  message: string;
  disconnected: boolean;
  revoked_at_facebook: boolean;
  account_id: EntityId | null;
}

export interface TokenEvent {
  id: EntityId;
  type: string;
  outcome: string;
  actor: string;
  message: string | null;
  error_code: string | null;
  graph_error_code: number | null;
  graph_error_subcode: number | null;
  created_at: string;
}

export interface EventsResponse {
  events: TokenEvent[];
}

export type AlertKind = 'expiring' | 'expired' | 'token_invalid' | 'revoked' | 'webhook_disabled';

export interface AccountAlert {
  id: EntityId;
  account_id: EntityId | null;
  kind: AlertKind;
  threshold_days: number | null;
  message: string;
  instagram_username: string | null;
  token_expires_at: string | null;
  created_at: string;
  read_at: string | null;
  emailed_at: string | null;
}

export interface AlertsResponse {
  alerts: AccountAlert[];
}
