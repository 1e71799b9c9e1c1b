import {
  API_ERROR_CODES,
  ERROR_MESSAGES,
  GENERIC_ERROR_MESSAGE,
  errorMessageFor,
} from './error-messages';

describe('errorMessageFor', () => {
  const specific = API_ERROR_CODES.filter((c) => !['INTERNAL_ERROR', 'UNKNOWN_ERROR'].includes(c));

  it.each(specific)('should give %s its own sentence, not the generic one', (code) => {
    const text = errorMessageFor(code);
    expect(text).toBe(ERROR_MESSAGES[code]);
    expect(text).not.toBe(GENERIC_ERROR_MESSAGE);
    expect(text).toMatch(/[.!]$/);
  });

  it('should cover every code the API contract lists', () => {
    const contract = [
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'PAYLOAD_TOO_LARGE',
      'NOT_FOUND',
      'RATE_LIMITED',
      'INTERNAL_ERROR',
      'SERVICE_UNAVAILABLE',
      'AUTH_REQUIRED',
      'AUTH_TOKEN_INVALID',
      'INVALID_CREDENTIALS',
      'EMAIL_TAKEN',
      'FORBIDDEN',
      'SELECTION_INVALID',
      'ACCOUNT_NOT_FOUND',
      'NOT_CONNECTED',
      'NEEDS_RECONNECT',
      'REFRESH_IN_PROGRESS',
      'ALERT_NOT_FOUND',
      'RECONNECT_LINK_INVALID',
      'META_RATE_LIMITED',
      'META_REQUEST_FAILED',
      'OAUTH_DENIED',
      'OAUTH_STATE_INVALID',
      'OAUTH_STATE_EXPIRED',
      'OAUTH_CODE_INVALID',
      'PERMISSIONS_DECLINED',
      'NO_INSTAGRAM_ACCOUNT',
      'META_UNAVAILABLE',
      'WRONG_INSTAGRAM_ACCOUNT',
      'LOGIN_LOCKED',
    ];
    for (const code of contract) expect(Object.keys(ERROR_MESSAGES)).toContain(code);
  });

  it.each([['SOMETHING_NEW'], [''], [null], [undefined]])(
    'should fall back to the generic sentence when the code is %s',
    (code) => {
      expect(errorMessageFor(code)).toBe(GENERIC_ERROR_MESSAGE);
    },
  );

  it('should tell the user they cancelled, calmly, when the code is OAUTH_DENIED', () => {
    expect(errorMessageFor('OAUTH_DENIED')).toBe(
      'You cancelled the Facebook dialog; nothing was changed.',
    );
  });

  it('should name the declined permissions when PERMISSIONS_DECLINED carries them', () => {
    const text = errorMessageFor('PERMISSIONS_DECLINED', [
      'instagram_content_publish',
      'custom_perm',
    ]);
    expect(text).toContain('instagram_content_publish');
    expect(text).toContain('custom_perm');
    expect(text).toContain('Try again');
  });

  it('should explain the professional-account requirement when NO_INSTAGRAM_ACCOUNT', () => {
    const text = errorMessageFor('NO_INSTAGRAM_ACCOUNT');
    expect(text).toContain('professional (Business or Creator)');
    expect(text).toContain('Facebook Page you manage');
    expect(text).toContain('reconnect');
  });

  it("should say the server can't be reached when NETWORK_ERROR", () => {
    expect(errorMessageFor('NETWORK_ERROR')).toMatch(/^Can't reach the server/);
  });
});
