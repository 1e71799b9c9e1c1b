import { hkdfSync } from 'node:crypto';
import { parseTrustProxy, type EnvSchema } from './env.schema';

/** The app id and secret the Meta Graph sandbox answers to when no real Meta app is configured. */
export const SANDBOX_APP_ID = '1000000000000001';
export const SANDBOX_APP_SECRET = 'sandbox-app-secret-not-for-production';
/** The Instagram app (Instagram Login has its own app id and secret) the sandbox answers to. */
export const SANDBOX_INSTAGRAM_APP_ID = '990000000000001';
export const SANDBOX_INSTAGRAM_APP_SECRET = 'sandbox-instagram-secret-not-for-production';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * Typed, validated configuration. Built once at boot from the environment (see env.schema.ts);
 * every provider reads settings from here, never from process.env.
 */
export class AppConfig {
  readonly environment: EnvSchema['ENVIRONMENT'];
  readonly isProduction: boolean;
  readonly debug: boolean;
  readonly port: number;
  readonly secretKey: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  readonly allowedOrigins: string[];
  readonly frontendUrl: string;
  readonly publicApiUrl: string;
  readonly sandboxMode: boolean;
  readonly sandboxPort: number;
  readonly facebook: {
    appId: string;
    appSecret: string;
    redirectUri: string;
    graphUrl: string;
    dialogUrl: string;
    graphVersion: string;
    /** Facebook Login for Business configuration id; undefined: classic Facebook Login with `scope`. */
    loginConfigId: string | undefined;
    webhookVerifyToken: string | undefined;
    timeoutMs: number;
    ruploadUrl: string;
  };
  /**
   * Instagram Login (DESIGN.md section 9); sandbox mode when INSTAGRAM_APP_ID is unset, except in
   * production, where it is then simply off (`enabled: false`).
   */
  readonly instagram: {
    enabled: boolean;
    sandboxMode: boolean;
    appId: string;
    appSecret: string;
    redirectUri: string;
    dialogUrl: string;
    apiUrl: string;
    graphUrl: string;
  };
  readonly uploads: { dir: string; maxBytes: number; ttlMs: number };
  readonly reels: {
    pollInitialMs: number;
    pollMaxMs: number;
    retryInitialMs: number;
    maxRetries: number;
    quotaRecheckMs: number;
    sweepCron: string;
  };
  readonly encryptionKeys: EncryptionKey[];
  readonly tokens: {
    refreshCron: string;
    refreshWindowDays: number;
    alertThresholdsDays: number[];
    /** Row lease of one check (CHECK_LEASE_MS). */
    checkLeaseMs: number;
  };
  readonly queue: { concurrency: number; attempts: number; backoffMs: number; lockMs: number };
  /** HOUSEKEEPING_CRON: when the scheduler role runs its housekeeping. */
  readonly housekeepingCron: string;
  readonly workerMetricsPort: number | undefined;
  readonly mail: { smtpUrl: string | undefined; from: string };
  readonly jwt: { expiresInSeconds: number; issuer: string; audience: string };
  readonly throttle: { authLimit: number; limit: number };
  /** express `trust proxy`: hop count or addresses/CIDRs/names (TRUST_PROXY). */
  readonly trustProxy: number | string[];
  readonly loginLockout: { maxFailures: number; lockSeconds: number; maxLockSeconds: number };
  readonly authUserCacheMs: number;
  /** GET /social/status answers kept per user, evicted by NOTIFY on any change (STATUS_CACHE_MS). */
  readonly statusCacheMs: number;
  readonly webhooks: { retryInitialMs: number; maxAttempts: number; timeoutMs: number; ssrfGuard: boolean };
  readonly metricsToken: string | undefined;
  readonly bodyLimit: string;
  readonly logLevel: string;
  readonly logFile: string | undefined;
  readonly heartbeatFile: string | undefined;
  /** Readable log lines (pino-pretty): only outside production, and only to stdout. */
  readonly prettyLogs: boolean;

  constructor(env: EnvSchema) {
    this.environment = env.ENVIRONMENT;
    this.isProduction = env.ENVIRONMENT === 'production';
    this.debug = env.DEBUG;
    this.port = env.PORT;
    this.secretKey = env.SECRET_KEY;
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.redisKeyPrefix = env.REDIS_KEY_PREFIX;
    this.allowedOrigins = env.ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    this.frontendUrl = env.FRONTEND_URL.replace(/\/+$/, '');
    this.publicApiUrl = (env.PUBLIC_API_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    this.sandboxMode = !env.FACEBOOK_APP_ID;
    this.sandboxPort = env.SANDBOX_PORT;
    const sandboxUrl = `http://localhost:${env.SANDBOX_PORT}`;
    this.facebook = {
      appId: env.FACEBOOK_APP_ID ?? SANDBOX_APP_ID,
      appSecret: env.FACEBOOK_APP_SECRET ?? SANDBOX_APP_SECRET,
      redirectUri: env.FACEBOOK_REDIRECT_URI ?? `${this.frontendUrl}/settings/social-accounts/callback`,
      graphUrl: (env.FACEBOOK_GRAPH_URL ?? (this.sandboxMode ? sandboxUrl : 'https://graph.facebook.com')).replace(/\/+$/, ''),
      dialogUrl: (env.FACEBOOK_DIALOG_URL ?? (this.sandboxMode ? sandboxUrl : 'https://www.facebook.com')).replace(/\/+$/, ''),
      graphVersion: env.FACEBOOK_GRAPH_VERSION,
      loginConfigId: env.FACEBOOK_LOGIN_CONFIG_ID || undefined,
      webhookVerifyToken: env.FACEBOOK_WEBHOOK_VERIFY_TOKEN,
      timeoutMs: env.GRAPH_TIMEOUT_MS,
      ruploadUrl: (
        env.FACEBOOK_RUPLOAD_URL ?? (this.sandboxMode ? `${sandboxUrl}/rupload` : 'https://rupload.facebook.com')
      ).replace(/\/+$/, ''),
    };
    // production never talks to the sandbox: without an Instagram app it simply has no Instagram Login
    const igSandbox = !env.INSTAGRAM_APP_ID && !this.isProduction;
    const igUrl = (value: string | undefined, prefix: string, real: string): string =>
      (value ?? (igSandbox ? `${sandboxUrl}/instagram/${prefix}` : real)).replace(/\/+$/, '');
    this.instagram = {
      enabled: !!env.INSTAGRAM_APP_ID || !this.isProduction,
      sandboxMode: igSandbox,
      appId: env.INSTAGRAM_APP_ID ?? SANDBOX_INSTAGRAM_APP_ID,
      appSecret: env.INSTAGRAM_APP_SECRET ?? SANDBOX_INSTAGRAM_APP_SECRET,
      redirectUri: env.INSTAGRAM_REDIRECT_URI ?? `${this.frontendUrl}/settings/social-accounts/callback/instagram`,
      dialogUrl: igUrl(env.INSTAGRAM_DIALOG_URL, 'www', 'https://www.instagram.com'),
      apiUrl: igUrl(env.INSTAGRAM_API_URL, 'api', 'https://api.instagram.com'),
      graphUrl: igUrl(env.INSTAGRAM_GRAPH_URL, 'graph', 'https://graph.instagram.com'),
    };
    this.uploads = { dir: env.UPLOAD_DIR, maxBytes: env.UPLOAD_MAX_BYTES, ttlMs: env.UPLOAD_TTL_HOURS * 3_600_000 };
    this.reels = {
      pollInitialMs: env.REELS_POLL_INITIAL_MS,
      pollMaxMs: Math.max(env.REELS_POLL_MAX_MS, env.REELS_POLL_INITIAL_MS),
      retryInitialMs: env.REELS_RETRY_INITIAL_MS,
      maxRetries: env.REELS_MAX_RETRIES,
      quotaRecheckMs: env.REELS_QUOTA_RECHECK_MS,
      sweepCron: env.REELS_SWEEP_CRON,
    };
    this.encryptionKeys = env.TOKEN_ENCRYPTION_KEYS
      ? env.TOKEN_ENCRYPTION_KEYS.split(',').map((entry) => {
          const [id, key] = entry.split(':');
          return { id, key: Buffer.from(key, 'base64') };
        })
      : // Development only (production refuses to boot without a ring): a key derived from SECRET_KEY.
        [{ id: 'dev', key: Buffer.from(hkdfSync('sha256', env.SECRET_KEY, 'autoreels', 'token-encryption', 32)) }];
    this.tokens = {
      refreshCron: env.TOKEN_REFRESH_CRON,
      refreshWindowDays: env.TOKEN_REFRESH_WINDOW_DAYS,
      alertThresholdsDays: env.ALERT_THRESHOLDS_DAYS.split(',')
        .map(Number)
        .sort((a, b) => b - a),
      checkLeaseMs: env.CHECK_LEASE_MS,
    };
    this.queue = {
      concurrency: env.WORKER_CONCURRENCY,
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      lockMs: env.JOB_LOCK_MS,
    };
    this.housekeepingCron = env.HOUSEKEEPING_CRON;
    this.workerMetricsPort = env.WORKER_METRICS_PORT;
    this.mail = { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM };
    this.jwt = { expiresInSeconds: env.JWT_EXPIRES_IN_SECONDS, issuer: 'autoreels-connect', audience: 'autoreels-api' };
    this.throttle = { authLimit: env.AUTH_THROTTLE_LIMIT, limit: env.THROTTLE_LIMIT };
    this.trustProxy = parseTrustProxy(env.TRUST_PROXY);
    this.loginLockout = {
      maxFailures: env.LOGIN_MAX_FAILURES,
      lockSeconds: env.LOGIN_LOCK_SECONDS,
      maxLockSeconds: Math.max(env.LOGIN_LOCK_MAX_SECONDS, env.LOGIN_LOCK_SECONDS),
    };
    this.authUserCacheMs = env.AUTH_USER_CACHE_MS;
    this.statusCacheMs = env.STATUS_CACHE_MS;
    this.webhooks = {
      retryInitialMs: env.WEBHOOK_RETRY_INITIAL_MS,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      ssrfGuard: env.WEBHOOK_SSRF_GUARD ?? this.isProduction,
    };
    this.metricsToken = env.METRICS_TOKEN;
    this.bodyLimit = env.BODY_LIMIT;
    // DEBUG raises the default log level; an explicit LOG_LEVEL wins
    this.logLevel = env.DEBUG && env.LOG_LEVEL === 'info' ? 'debug' : env.LOG_LEVEL;
    this.logFile = env.LOG_FILE;
    this.heartbeatFile = env.HEARTBEAT_FILE || undefined;
    this.prettyLogs = env.LOG_FORMAT === 'pretty' && env.ENVIRONMENT !== 'production' && !env.LOG_FILE;
  }
}
