import { DEFAULT_AFTER_LOGIN, safeReturnUrl } from './return-url';

describe('safeReturnUrl', () => {
  it.each([
    ['/settings/social-accounts', '/settings/social-accounts'],
    [
      '/settings/social-accounts/callback?code=a&state=b',
      '/settings/social-accounts/callback?code=a&state=b',
    ],
    ['/settings/social-accounts?x=1#top', '/settings/social-accounts?x=1#top'],
  ])('should keep %s when it is a path inside the app', (input, expected) => {
    expect(safeReturnUrl(input)).toBe(expected);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['https://evil.example.com'],
    ['//evil.example.com'],
    ['/\\evil.example.com'],
    ['javascript:alert(1)'],
    ['settings'],
    ['/\t/evil.example.com'],
    ['/login'],
    ['/register?returnUrl=/x'],
  ])('should fall back to the settings page when the returnUrl is %s', (input) => {
    expect(safeReturnUrl(input)).toBe(DEFAULT_AFTER_LOGIN);
  });
});
