import {
  daysUntil,
  expiryText,
  humanize,
  relativeTime,
  statusBadge,
  tokenLifeLeft,
} from './account-view';
import type { Account } from '../data/social-accounts.model';

const NOW = new Date('2026-06-15T12:00:00Z');

describe('statusBadge', () => {
  const cases: [
    string,
    Pick<Account, 'status' | 'days_until_expiry' | 'token_expires_at'>,
    string,
    string,
  ][] = [
    [
      'active',
      { status: 'active', days_until_expiry: 50, token_expires_at: '2026-08-04T12:00:00Z' },
      'Connected',
      'ok',
    ],
    [
      'expiring in 5 days',
      { status: 'expiring', days_until_expiry: 5, token_expires_at: null },
      'Expires in 5 days',
      'warn',
    ],
    [
      'expiring in 1 day',
      { status: 'expiring', days_until_expiry: 1, token_expires_at: null },
      'Expires in 1 day',
      'warn',
    ],
    [
      'expiring today',
      { status: 'expiring', days_until_expiry: 0, token_expires_at: null },
      'Expires today',
      'warn',
    ],
    [
      'expiring, days computed from the date',
      { status: 'expiring', days_until_expiry: null, token_expires_at: '2026-06-22T13:00:00Z' },
      'Expires in 7 days',
      'warn',
    ],
    [
      'expiring without any date',
      { status: 'expiring', days_until_expiry: null, token_expires_at: null },
      'Expiring soon',
      'warn',
    ],
    [
      'needs_reconnect',
      { status: 'needs_reconnect', days_until_expiry: null, token_expires_at: null },
      'Needs reconnect',
      'danger',
    ],
    [
      'revoked',
      { status: 'revoked', days_until_expiry: null, token_expires_at: null },
      'Revoked',
      'muted',
    ],
  ];
  it.each(cases)(
    'should show the right label and tone when the account is %s',
    (_n, account, label, tone) => {
      expect(statusBadge(account, NOW)).toEqual({ label, tone });
    },
  );
});

describe('tokenLifeLeft', () => {
  it.each([
    ['half-way through', '2026-06-05T12:00:00Z', '2026-06-25T12:00:00Z', 50],
    ['just issued', '2026-06-15T12:00:00Z', '2026-08-14T12:00:00Z', 100],
    ['already expired', '2026-04-01T12:00:00Z', '2026-06-01T12:00:00Z', 0],
    ['issued in the future (clock skew)', '2026-06-16T12:00:00Z', '2026-08-14T12:00:00Z', 100],
    ['no issue date: assume 60 days, 15 left', null, '2026-06-30T12:00:00Z', 25],
    ['one day of 60 left', '2026-04-17T12:00:00Z', '2026-06-16T12:00:00Z', 2],
  ])('should give the percentage of life left when %s', (_n, issued, expires, expected) => {
    expect(tokenLifeLeft(issued, expires, NOW)).toBe(expected);
  });

  it.each([[null], [''], ['not a date']])(
    'should hide the bar (null) when the expiry is %s',
    (expires) => {
      expect(tokenLifeLeft('2026-06-01T00:00:00Z', expires, NOW)).toBeNull();
    },
  );
});

describe('daysUntil', () => {
  it.each([
    ['2026-06-25T12:00:00Z', 10],
    ['2026-06-16T11:00:00Z', 0],
    ['2026-06-14T12:00:00Z', -1],
    [null, null],
  ])('should count whole days to %s', (iso, expected) => {
    expect(daysUntil(iso, NOW)).toBe(expected);
  });
});

describe('expiryText', () => {
  it.each([
    ['2027-01-12T12:00:00Z', 'Expires 12 Jan 2027'],
    ['2026-06-01T12:00:00Z', 'Expired 1 Jun 2026'],
    [null, 'No expiry date'],
  ])('should describe the expiry %s', (iso, expected) => {
    expect(expiryText(iso, NOW)).toBe(expected);
  });
});

describe('relativeTime', () => {
  it.each([
    ['2026-06-15T09:00:00Z', '3 hours ago'],
    ['2026-06-15T11:59:30Z', 'just now'],
    ['2026-06-15T11:55:00Z', '5 minutes ago'],
    ['2026-06-13T12:00:00Z', '2 days ago'],
    ['2026-06-14T11:00:00Z', '1 day ago'],
    ['2026-03-15T12:00:00Z', '3 months ago'],
    ['2024-06-01T12:00:00Z', '2 years ago'],
    ['2026-06-17T12:00:00Z', 'in 2 days'],
    [null, 'Never'],
  ])('should say %s relative to now as "%s"', (iso, expected) => {
    expect(relativeTime(iso, NOW)).toBe(expected);
  });
});

describe('humanize', () => {
  it('should turn event types into words', () => {
    expect(humanize('token_refreshed')).toBe('Token refreshed');
    expect(humanize('RECONNECT.REQUIRED')).toBe('Reconnect required');
  });
});
