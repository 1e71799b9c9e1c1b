import type { Account, Candidate } from '../features/social-accounts/data/social-accounts.model';

/** A healthy account as GET /social/accounts returns it; override what a test cares about. */
export function anAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: 'acc-1',
    ig_user_id: '1784',
    instagram_username: 'alice',
    instagram_name: 'Alice',
    profile_picture_url: 'https://cdn.example.com/alice.jpg',
    facebook_page_id: 'page-1',
    facebook_page_name: 'Alice Page',
    status: 'active',
    is_token_valid: true,
    is_default: true,
    token_expires_at: '2026-08-04T12:00:00Z',
    token_issued_at: '2026-06-05T12:00:00Z',
    data_access_expires_at: '2026-09-13T12:00:00Z',
    days_until_expiry: 50,
    last_checked_at: '2026-06-15T09:00:00Z',
    last_refreshed_at: '2026-06-13T12:00:00Z',
    last_error_code: null,
    status_reason: null,
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
