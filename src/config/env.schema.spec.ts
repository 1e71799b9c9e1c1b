import {
  AppConfig,
  SANDBOX_APP_ID,
  SANDBOX_APP_SECRET,
  SANDBOX_INSTAGRAM_APP_ID,
  SANDBOX_INSTAGRAM_APP_SECRET,
} from './app-config';
import { parseTrustProxy, validateEnv } from './env.schema';

/** What `npm start` gives a laptop (scripts/dev-env.js): development and a generated secret. */
const dev = (env: Record<string, string> = {}) => ({
  ENVIRONMENT: 'development',
  SECRET_KEY: 'generated-dev-secret-0123456789',
  ...env,
});

/** A complete production configuration: every refusal test breaks exactly one of these. */
const PRODUCTION: Record<string, string> = {
  ENVIRONMENT: 'production',
  SECRET_KEY: 'Qm9vdHN0cmFwLXJhbmRvbS1zZWNyZXQtZm9yLXRlc3Rz-x7Pq',
  TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  FACEBOOK_APP_ID: '123456789012345',
  FACEBOOK_APP_SECRET: 'a-real-looking-secret',
  INSTAGRAM_APP_ID: '990602627938098',
  INSTAGRAM_APP_SECRET: 'a-real-instagram-secret',
  SMTP_URL: 'smtp://mail.example.com:587',
  PUBLIC_API_URL: 'https://api.autoreels.example',
  FRONTEND_URL: 'https://app.autoreels.example',
  ALLOWED_ORIGINS: 'https://app.autoreels.example',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
    return [];
  } catch (e) {
    return (e as Error).message
      .split('\n  - ')
      .slice(1)
      .map((line) => line.split(':')[0]);
  }
}

describe('validateEnv', () => {
  it('should boot with zero configuration in development', () => {
    const config = new AppConfig(validateEnv(dev()));
    expect(config.port).toBe(8000);
    expect(config.sandboxMode).toBe(true);
    expect(config.facebook.redirectUri).toBe('http://localhost:3002/settings/social-accounts/callback');
    expect(config.tokens.alertThresholdsDays).toEqual([14, 7, 2]);
    expect(config.encryptionKeys[0].key).toHaveLength(32);
  });

  it.each([
    ['', undefined, []],
    ['1234567890123456', '1234567890123456', []],
    ['not-an-id', undefined, ['FACEBOOK_LOGIN_CONFIG_ID']],
    ['12 34', undefined, ['FACEBOOK_LOGIN_CONFIG_ID']],
  ])('should take FACEBOOK_LOGIN_CONFIG_ID=%j as %j (problems: %j)', (value, configId, problems) => {
    expect(problemsOf(dev({ FACEBOOK_LOGIN_CONFIG_ID: value }))).toEqual(problems);
    if (!problems.length)
      expect(new AppConfig(validateEnv(dev({ FACEBOOK_LOGIN_CONFIG_ID: value }))).facebook.loginConfigId).toBe(configId);
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
    expect(new AppConfig(validateEnv(dev({ DEBUG: 'true' }))).logLevel).toBe('debug');
    expect(new AppConfig(validateEnv(dev({ DEBUG: 'true', LOG_LEVEL: 'warn' }))).logLevel).toBe('warn');
    expect(() => validateEnv({ ENVIRONMENT: 'production', DEBUG: 'true' })).toThrow(/DEBUG/);
  });

  it('should accept a complete production configuration', () => {
    const env = validateEnv(PRODUCTION);
    const config = new AppConfig(env);
    expect(config.sandboxMode).toBe(false);
    expect(config.facebook.graphUrl).toBe('https://graph.facebook.com');
  });

  it('should reject a key ring entry that is not 32 bytes', () => {
    expect(() => validateEnv(dev({ TOKEN_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }))).toThrow(/TOKEN_ENCRYPTION_KEYS/);
  });

  it('should treat empty values as unset so .env.example copies work', () => {
    expect(new AppConfig(validateEnv(dev({ FACEBOOK_APP_ID: '', SMTP_URL: '', TRUST_PROXY: '' }))).sandboxMode).toBe(true);
  });
});

describe('validateEnv: production is safe by default', () => {
  it('should run production without Instagram Login when no Instagram app is configured, never in sandbox mode', () => {
    const config = new AppConfig(validateEnv({ ...PRODUCTION, INSTAGRAM_APP_ID: '', INSTAGRAM_APP_SECRET: '' }));
    expect(config.instagram.enabled).toBe(false);
    expect(config.instagram.graphUrl).toBe('https://graph.instagram.com');
    expect(new AppConfig(validateEnv(PRODUCTION)).instagram.enabled).toBe(true);
    expect(problemsOf({ ...PRODUCTION, INSTAGRAM_APP_SECRET: '' })).toEqual(['INSTAGRAM_APP_SECRET']);
  });

  it('should be production when ENVIRONMENT is unset, and refuse the zero configuration', () => {
    expect(validateEnv({ ...PRODUCTION, ENVIRONMENT: '' }).ENVIRONMENT).toBe('production');
    expect(problemsOf({})).toEqual([
      'SECRET_KEY',
      'TOKEN_ENCRYPTION_KEYS',
      'FACEBOOK_APP_ID',
      'FACEBOOK_APP_SECRET',
      'SMTP_URL',
      'PUBLIC_API_URL',
      'FRONTEND_URL',
      'ALLOWED_ORIGINS',
    ]);
  });

  it('should have no default SECRET_KEY in any environment', () => {
    for (const ENVIRONMENT of ['development', 'test', 'production']) {
      expect(() => validateEnv({ ...PRODUCTION, ENVIRONMENT, SECRET_KEY: '' })).toThrow(
        /SECRET_KEY: required, there is no default/,
      );
    }
  });

  it('should name every problem of a production configuration in one message', () => {
    const problems = problemsOf({
      ENVIRONMENT: 'production',
      SECRET_KEY: 'dev-insecure-secret-key-change-me',
      DEBUG: 'true',
      PUBLIC_API_URL: 'http://api.autoreels.example',
      FRONTEND_URL: 'http://localhost:3002',
      ALLOWED_ORIGINS: 'https://app.autoreels.example,http://localhost:3002',
      FACEBOOK_GRAPH_URL: 'http://sandbox:8090',
      FACEBOOK_DIALOG_URL: 'http://localhost:8090',
      FACEBOOK_REDIRECT_URI: 'http://app.autoreels.example/settings/social-accounts/callback',
      TRUST_PROXY: 'true',
    });
    expect(problems.sort()).toEqual(
      [
        'SECRET_KEY',
        'TOKEN_ENCRYPTION_KEYS',
        'FACEBOOK_APP_ID',
        'FACEBOOK_APP_SECRET',
        'DEBUG',
        'SMTP_URL',
        'PUBLIC_API_URL',
        'FRONTEND_URL',
        'FACEBOOK_GRAPH_URL',
        'FACEBOOK_DIALOG_URL',
        'FACEBOOK_REDIRECT_URI',
        'ALLOWED_ORIGINS',
        'TRUST_PROXY',
      ].sort(),
    );
  });

  it.each<[string, Record<string, string>]>([
    ['SECRET_KEY', { SECRET_KEY: 'dev-insecure-secret-key-change-me' }],
    ['SECRET_KEY', { SECRET_KEY: 'short-but-random-Xq9' }],
    ['SECRET_KEY', { SECRET_KEY: 'k'.repeat(40) }],
    ['SECRET_KEY', { SECRET_KEY: 'please-change-me-before-going-live-2024' }],
    ['TOKEN_ENCRYPTION_KEYS', { TOKEN_ENCRYPTION_KEYS: '' }],
    ['FACEBOOK_APP_ID', { FACEBOOK_APP_ID: '' }],
    ['FACEBOOK_APP_ID', { FACEBOOK_APP_ID: SANDBOX_APP_ID }],
    ['FACEBOOK_APP_SECRET', { FACEBOOK_APP_SECRET: SANDBOX_APP_SECRET }],
    ['INSTAGRAM_APP_ID', { INSTAGRAM_APP_ID: SANDBOX_INSTAGRAM_APP_ID }],
    ['INSTAGRAM_APP_SECRET', { INSTAGRAM_APP_SECRET: SANDBOX_INSTAGRAM_APP_SECRET }],
    ['INSTAGRAM_GRAPH_URL', { INSTAGRAM_GRAPH_URL: 'http://localhost:8090/instagram/graph' }],
    ['SMTP_URL', { SMTP_URL: '' }],
    ['DEBUG', { DEBUG: 'true' }],
    ['PUBLIC_API_URL', { PUBLIC_API_URL: '' }],
    ['PUBLIC_API_URL', { PUBLIC_API_URL: 'http://api.autoreels.example' }],
    ['FRONTEND_URL', { FRONTEND_URL: 'http://app.autoreels.example' }],
    ['FACEBOOK_GRAPH_URL', { FACEBOOK_GRAPH_URL: 'http://sandbox:8090' }],
    ['FACEBOOK_DIALOG_URL', { FACEBOOK_DIALOG_URL: 'http://localhost:8090' }],
    ['FACEBOOK_REDIRECT_URI', { FACEBOOK_REDIRECT_URI: 'http://app.autoreels.example/callback' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://app.autoreels.example,http://localhost:3002' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'http://127.0.0.1:3002' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: '' }],
  ])('should refuse production and name %s when %j', (name, change) => {
    expect(problemsOf({ ...PRODUCTION, ...change })).toEqual([name]);
  });

  it('should accept https Graph, dialog and redirect URLs in production', () => {
    const config = new AppConfig(
      validateEnv({
        ...PRODUCTION,
        FACEBOOK_GRAPH_URL: 'https://graph.facebook.com',
        FACEBOOK_DIALOG_URL: 'https://www.facebook.com',
        FACEBOOK_REDIRECT_URI: 'https://app.autoreels.example/settings/social-accounts/callback',
      }),
    );
    expect(config.facebook.dialogUrl).toBe('https://www.facebook.com');
  });

  it('should keep development lenient: http URLs, localhost origins and sandbox mode are fine there', () => {
    expect(problemsOf(dev({ FRONTEND_URL: 'http://localhost:3002', FACEBOOK_GRAPH_URL: 'http://localhost:8090' }))).toEqual([]);
  });
});

describe('TRUST_PROXY', () => {
  it('should default to loopback only', () => {
    expect(new AppConfig(validateEnv(dev())).trustProxy).toEqual(['loopback']);
  });

  it('should read a hop count as a number and a list as addresses, CIDRs and names', () => {
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('0')).toBe(0);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,loopback, fd00::/8')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      'fd00::/8',
    ]);
    expect(new AppConfig(validateEnv(dev({ TRUST_PROXY: '2' }))).trustProxy).toBe(2);
  });

  it.each(['true', '*', '11', '10.0.0.0/33', 'fd00::/129', 'proxy.internal', '10.0.0.1/8/2', '1,2', ''])(
    'should refuse %j and name TRUST_PROXY',
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow();
      if (value) expect(problemsOf(dev({ TRUST_PROXY: value }))).toEqual(['TRUST_PROXY']);
    },
  );
});

describe('webhook settings', () => {
  it('should guard webhook targets in production only by default, and refuse turning the guard off there', () => {
    expect(new AppConfig(validateEnv({ ENVIRONMENT: 'development', SECRET_KEY: 'x'.repeat(32) })).webhooks).toEqual({
      retryInitialMs: 5000,
      maxAttempts: 15,
      timeoutMs: 10000,
      ssrfGuard: false,
    });
    expect(
      new AppConfig(validateEnv({ ENVIRONMENT: 'test', SECRET_KEY: 'x'.repeat(32), WEBHOOK_SSRF_GUARD: 'true' })).webhooks
        .ssrfGuard,
    ).toBe(true);
    expect(() => validateEnv({ ENVIRONMENT: 'production', WEBHOOK_SSRF_GUARD: 'false' })).toThrow(/WEBHOOK_SSRF_GUARD/);
  });
});
