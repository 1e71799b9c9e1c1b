import { AppConfig } from './app-config';
import { validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('should boot with zero configuration in development', () => {
    const config = new AppConfig(validateEnv({}));
    expect(config.port).toBe(8000);
    expect(config.sandboxMode).toBe(true);
    expect(config.facebook.redirectUri).toBe('http://localhost:3002/settings/social-accounts/callback');
    expect(config.tokens.alertThresholdsDays).toEqual([14, 7, 2]);
    expect(config.encryptionKeys[0].key).toHaveLength(32);
  });

  it('should name every bad variable in one message when several are malformed', () => {
    expect(() => validateEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', FRONTEND_URL: 'not a url' })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*FRONTEND_URL/,
    );
  });

  it('should refuse weak secrets and a missing key ring when ENVIRONMENT is production', () => {
    let message = '';
    try {
      validateEnv({ ENVIRONMENT: 'production' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('SECRET_KEY');
    expect(message).toContain('TOKEN_ENCRYPTION_KEYS');
    expect(message).toContain('FACEBOOK_APP_ID');
    expect(message).toContain('SMTP_URL');
  });

  it('should turn on debug logs when DEBUG is set and refuse it in production', () => {
    expect(new AppConfig(validateEnv({ DEBUG: 'true' })).logLevel).toBe('debug');
    expect(new AppConfig(validateEnv({ DEBUG: 'true', LOG_LEVEL: 'warn' })).logLevel).toBe('warn');
    expect(() => validateEnv({ ENVIRONMENT: 'production', DEBUG: 'true' })).toThrow(/DEBUG/);
  });

  it('should accept a complete production configuration', () => {
    const env = validateEnv({
      ENVIRONMENT: 'production',
      SECRET_KEY: 'k'.repeat(40),
      TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      FACEBOOK_APP_ID: '123456789012345',
      FACEBOOK_APP_SECRET: 'a-real-looking-secret',
      SMTP_URL: 'smtp://mail.example.com:587',
    });
    const config = new AppConfig(env);
    expect(config.sandboxMode).toBe(false);
    expect(config.facebook.graphUrl).toBe('https://graph.facebook.com');
  });

  it('should reject a key ring entry that is not 32 bytes', () => {
    expect(() => validateEnv({ TOKEN_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toThrow(/TOKEN_ENCRYPTION_KEYS/);
  });

  it('should treat empty values as unset so .env.example copies work', () => {
    expect(new AppConfig(validateEnv({ FACEBOOK_APP_ID: '', SMTP_URL: '' })).sandboxMode).toBe(true);
  });
});
