import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { validateCronExpression } from 'cron';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET, SANDBOX_INSTAGRAM_APP_ID, SANDBOX_INSTAGRAM_APP_SECRET } from './app-config';

const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
/** A 5-field (minutes) or 6-field (seconds) cron expression that the scheduler's cron library accepts. */
const IsCron = (name: string): PropertyDecorator =>
  ValidateBy({
    name: 'isCron',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'string' && /^(\S+\s+){4,5}\S+$/.test(v.trim()) && validateCronExpression(v.trim()).valid,
      defaultMessage: () => `${name} must be a valid 5- or 6-field cron expression (e.g. "0 * * * *")`,
    },
  });
const urlOpts = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** Every environment variable the product reads. Defaults serve development with zero configuration. */
export class EnvSchema {
  /** Secure by default: a built role is production unless told otherwise (npm start, tests and dev scripts say so). */
  @IsIn(['development', 'test', 'production'])
  ENVIRONMENT: 'development' | 'test' | 'production' = 'production';

  @Transform(toBool)
  @IsBoolean()
  DEBUG = false;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 8000;

  /** No default on purpose: npm start generates one for development (.data/dev-secret, see scripts/dev-env.js). */
  @IsString()
  @MinLength(16)
  SECRET_KEY!: string;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/autoreels';

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379/0';

  /** Prefix of every Redis key this deployment writes (throttler, queues), so environments can share a Redis. */
  @IsString()
  @Matches(/^[\w:-]{1,40}$/, { message: 'REDIS_KEY_PREFIX must be 1-40 letters, digits, : _ or -' })
  REDIS_KEY_PREFIX = 'autoreels';

  @IsString()
  ALLOWED_ORIGINS = 'http://localhost:3000,http://localhost:3002';

  @IsUrl(urlOpts)
  FRONTEND_URL = 'http://localhost:3002';

  /** Where browsers and Meta reach this API (links in e-mails, callback URLs); default http://localhost:PORT. */
  @IsOptional()
  @IsUrl(urlOpts)
  PUBLIC_API_URL?: string;

  /** Empty means sandbox mode: the local Meta Graph sandbox stands in for Meta. */
  @IsOptional()
  @IsString()
  @Matches(/^\d{5,20}$/, { message: 'FACEBOOK_APP_ID must be digits' })
  FACEBOOK_APP_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  FACEBOOK_APP_SECRET?: string;

  @IsOptional()
  @IsUrl(urlOpts)
  FACEBOOK_REDIRECT_URI?: string;

  @IsOptional()
  @IsUrl(urlOpts)
  FACEBOOK_GRAPH_URL?: string;

  @IsOptional()
  @IsUrl(urlOpts)
  FACEBOOK_DIALOG_URL?: string;

  /** Meta's resumable-upload host for Reels bytes; defaults to the sandbox in sandbox mode. */
  @IsOptional()
  @IsUrl(urlOpts)
  FACEBOOK_RUPLOAD_URL?: string;

  /** Instagram Login (DESIGN.md section 9): the Instagram app's id, not the Meta app's. Empty: the sandbox's. */
  @IsOptional()
  @IsString()
  @Matches(/^\d{5,20}$/, { message: 'INSTAGRAM_APP_ID must be digits' })
  INSTAGRAM_APP_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  INSTAGRAM_APP_SECRET?: string;

  /** Default `${FRONTEND_URL}/settings/social-accounts/callback/instagram`. */
  @IsOptional()
  @IsUrl(urlOpts)
  INSTAGRAM_REDIRECT_URI?: string;

  /** https://www.instagram.com (the dialog); may carry a path prefix. */
  @IsOptional()
  @IsUrl(urlOpts)
  INSTAGRAM_DIALOG_URL?: string;

  /** https://api.instagram.com (code exchange); may carry a path prefix. */
  @IsOptional()
  @IsUrl(urlOpts)
  INSTAGRAM_API_URL?: string;

  /** https://graph.instagram.com (tokens, /me, publishing); may carry a path prefix. */
  @IsOptional()
  @IsUrl(urlOpts)
  INSTAGRAM_GRAPH_URL?: string;

  /**
   * Facebook Login for Business: the configuration id (App Dashboard > Facebook Login for Business >
   * Configurations). When set, the dialog sends `config_id` and no `scope`, as Meta requires.
   */
  @IsOptional()
  @IsString()
  @Matches(/^\d{5,25}$/, { message: 'FACEBOOK_LOGIN_CONFIG_ID must be the digits of a Login for Business configuration id' })
  FACEBOOK_LOGIN_CONFIG_ID?: string;

  @Matches(/^v\d+\.\d+$/, { message: 'FACEBOOK_GRAPH_VERSION must look like v25.0' })
  FACEBOOK_GRAPH_VERSION = 'v25.0';

  @IsOptional()
  @IsString()
  @MinLength(8)
  FACEBOOK_WEBHOOK_VERIFY_TOKEN?: string;

  /** Key ring `id:base64key,...`; the first key encrypts, all decrypt. */
  @IsOptional()
  @IsString()
  TOKEN_ENCRYPTION_KEYS?: string;

  @IsCron('TOKEN_REFRESH_CRON')
  TOKEN_REFRESH_CRON = '0 * * * *';

  /** The scheduler's housekeeping (abandoned logins, lost deletion jobs, old deliveries); hourly by default. */
  @IsCron('HOUSEKEEPING_CRON')
  HOUSEKEEPING_CRON = '0 * * * *';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(59)
  TOKEN_REFRESH_WINDOW_DAYS = 10;

  @IsString()
  @Matches(/^\d+(,\d+)*$/, { message: 'ALERT_THRESHOLDS_DAYS must be a comma list of whole days' })
  ALERT_THRESHOLDS_DAYS = '14,7,2';

  @IsOptional()
  @IsString()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = 'AutoReels <no-reply@autoreels.local>';

  /** Port of the local Meta Graph sandbox (sandbox mode only). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  SANDBOX_PORT = 8090;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  GRAPH_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  WORKER_CONCURRENCY = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  JOB_ATTEMPTS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  JOB_BACKOFF_MS = 5000;

  /** Where `POST /social/uploads` streams videos (created if missing); files go after publish, failure or expiry. */
  @IsString()
  @MinLength(1)
  UPLOAD_DIR = '.data/uploads';

  /** Largest accepted upload; Meta's Reels limit is 300 MB (instagram-login.md R5). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(2_000_000_000)
  UPLOAD_MAX_BYTES = 300_000_000;

  /** An upload no reel used is deleted after this long. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  UPLOAD_TTL_HOURS = 24;

  /** First wait before asking Meta again whether a Reels container is ready; doubles up to REELS_POLL_MAX_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(600000)
  REELS_POLL_INITIAL_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(3600000)
  REELS_POLL_MAX_MS = 60000;

  /** First wait after a transient Meta failure while publishing; doubles with jitter. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(3600000)
  REELS_RETRY_INITIAL_MS = 5000;

  /** Transient failures in a row before a reel fails for good. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  REELS_MAX_RETRIES = 8;

  /** With the publishing quota used up and no known moment the window frees: look again this much later. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(86400000)
  REELS_QUOTA_RECHECK_MS = 900000;

  /** How often the scheduler looks for reels that are due (scheduled ones, and any a lost Redis dropped). */
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'REELS_SWEEP_CRON must be a 5- or 6-field cron expression' })
  REELS_SWEEP_CRON = '*/15 * * * * *';

  /**
   * How long one check may hold its account (the row lease) before another run may take it over:
   * after a worker dies mid-check, its accounts wait this long. Longer than a check can take.
   */
  @Transform(toInt)
  @IsInt()
  @Min(5000)
  @Max(600000)
  CHECK_LEASE_MS = 60000;

  /** BullMQ job lock: a worker that dies holds its jobs this long before another takes them over. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  JOB_LOCK_MS = 30000;

  /** When set, the worker serves Prometheus metrics on this port (the api serves them at /metrics). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_METRICS_PORT?: number;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_EXPIRES_IN_SECONDS = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_THROTTLE_LIMIT = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  THROTTLE_LIMIT = 300;

  /** Failed logins per account (e-mail) before it is locked; the counting window is LOGIN_LOCK_MAX_SECONDS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  /** First lock of an account after LOGIN_MAX_FAILURES failures; doubles with each further failure. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_LOCK_SECONDS = 60;

  /** Cap of the doubling lock, and the window in which failures are counted. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_LOCK_MAX_SECONDS = 900;

  /** How long an api instance caches a user's role and token version (0 = read PostgreSQL on every request). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  AUTH_USER_CACHE_MS = 5000;

  /**
   * How long an api instance may keep a user's GET /social/status answer (0 = read PostgreSQL on
   * every request). Every change to the user's connections evicts it at once (PostgreSQL NOTIFY,
   * from any process); this bound only matters if a notification could be missed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300000)
  STATUS_CACHE_MS = 60000;

  /** Outbound webhooks: delay before the first retry; each next one doubles (DESIGN.md section 10). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  WEBHOOK_RETRY_INITIAL_MS = 5000;

  /** Attempts per delivery before it fails for good and its endpoint is disabled (15 with 5 s ≈ 23 h). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(25)
  WEBHOOK_MAX_ATTEMPTS = 15;

  /** A receiver must answer 2xx within this long. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30000)
  WEBHOOK_TIMEOUT_MS = 10000;

  /**
   * SSRF protection of outbound webhooks: https only, and no private, loopback or link-local
   * target (also after DNS resolution, at send time). Default: on in production, off elsewhere;
   * production refuses to turn it off.
   */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_SSRF_GUARD?: boolean;

  /** When set, /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset, /metrics is 404 in production. */
  @IsOptional()
  @IsString()
  @MinLength(8)
  METRICS_TOKEN?: string;

  /**
   * Which proxies in front of the API are trusted for X-Forwarded-For (so rate limits see real
   * client IPs): a hop count (`1`), or a comma list of addresses, CIDRs and the names loopback,
   * linklocal, uniquelocal. Parsed by parseTrustProxy.
   */
  @IsString()
  TRUST_PROXY = 'loopback';

  @IsString()
  @Matches(/^\d+(kb|mb)$/i, { message: 'BODY_LIMIT must look like 100kb' })
  BODY_LIMIT = '100kb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * json (default, production's only format) or pretty: readable colored lines through pino-pretty
   * (a development dependency; `npm start` sets it). Ignored in production and with LOG_FILE.
   */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Write JSON logs to this file instead of stdout. */
  @IsOptional()
  @IsString()
  LOG_FILE?: string;

  /**
   * Worker and scheduler: touch this file every 10 s while the role runs and Redis answers; the
   * container healthcheck (`node dist/src/cli/healthcheck.js`) checks it is fresh.
   */
  @IsOptional()
  @IsString()
  HEARTBEAT_FILE?: string;
}

export const WEAK_SECRETS = ['dev-insecure-secret-key-change-me', 'changeme', 'secret', 'your-secret-key'];

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY → the value for express's `trust proxy`: a hop count, or a list of addresses,
 * CIDRs and proxy-addr's names. `true` (trust anyone, so any client could pick its own IP) is refused.
 */
export function parseTrustProxy(value: string): number | string[] {
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new Error('a hop count must be 0-10');
    return hops;
  }
  const entries = v.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (TRUST_PROXY_NAMES.includes(entry)) continue;
    const [addr, bits, ...rest] = entry.split('/');
    const family = isIP(addr ?? '');
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!family || !bitsOk || rest.length)
      throw new Error(`"${entry}" is not a hop count, an IP address, a CIDR or one of ${TRUST_PROXY_NAMES.join(', ')}`);
  }
  return entries;
}

const LOCAL_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|\[::\])$/i;
const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
};
const isHttps = (url: string | undefined): boolean => !!url && /^https:\/\//i.test(url) && !!hostOf(url);

/** Production only: what a deployment must set itself, so a default never reaches the Internet. */
function productionProblems(env: EnvSchema): string[] {
  const problems: string[] = [];
  const secret = env.SECRET_KEY ?? '';
  if (
    env.SECRET_KEY !== undefined && // a missing one is already named
    (WEAK_SECRETS.includes(secret) ||
      secret.length < 32 ||
      new Set(secret).size < 10 ||
      /change.?me|example|secret.?key/i.test(secret))
  )
    problems.push(
      'SECRET_KEY: a strong random secret of at least 32 characters is required in production (openssl rand -base64 48)',
    );
  if (!env.TOKEN_ENCRYPTION_KEYS) problems.push('TOKEN_ENCRYPTION_KEYS: a key ring is required in production');
  if (!env.FACEBOOK_APP_ID || env.FACEBOOK_APP_ID === SANDBOX_APP_ID)
    problems.push('FACEBOOK_APP_ID: a real Meta app is required in production (sandbox mode is for development)');
  if (!env.FACEBOOK_APP_SECRET || env.FACEBOOK_APP_SECRET === SANDBOX_APP_SECRET)
    problems.push("FACEBOOK_APP_SECRET: required in production (the Meta app's secret)");
  // Instagram Login is optional: without its app, production simply does not offer it (never the sandbox)
  if (env.INSTAGRAM_APP_ID === SANDBOX_INSTAGRAM_APP_ID)
    problems.push(
      "INSTAGRAM_APP_ID: the sandbox's app id is not allowed in production (leave it unset to turn Instagram Login off)",
    );
  if (env.INSTAGRAM_APP_ID && (!env.INSTAGRAM_APP_SECRET || env.INSTAGRAM_APP_SECRET === SANDBOX_INSTAGRAM_APP_SECRET))
    problems.push(
      "INSTAGRAM_APP_SECRET: required in production with INSTAGRAM_APP_ID (the Instagram app's secret, not the Meta app's)",
    );
  if (env.DEBUG) problems.push('DEBUG: must be off in production');
  if (env.WEBHOOK_SSRF_GUARD === false)
    problems.push('WEBHOOK_SSRF_GUARD: cannot be turned off in production (webhooks could reach internal addresses)');
  if (!env.SMTP_URL) problems.push('SMTP_URL: required in production (expiry alerts are e-mailed)');
  if (!isHttps(env.PUBLIC_API_URL)) problems.push('PUBLIC_API_URL: an https:// URL is required in production');
  if (!isHttps(env.FRONTEND_URL)) problems.push('FRONTEND_URL: an https:// URL is required in production');
  for (const name of [
    'FACEBOOK_GRAPH_URL',
    'FACEBOOK_DIALOG_URL',
    'FACEBOOK_REDIRECT_URI',
    'INSTAGRAM_REDIRECT_URI',
    'INSTAGRAM_DIALOG_URL',
    'INSTAGRAM_API_URL',
    'INSTAGRAM_GRAPH_URL',
  ] as const) {
    if (env[name] !== undefined && !isHttps(env[name])) problems.push(`${name}: must be an https:// URL in production`);
  }
  const localOrigins = env.ALLOWED_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter((o) => o && LOCAL_HOST.test(hostOf(o) ?? o));
  if (localOrigins.length)
    problems.push(
      `ALLOWED_ORIGINS: no localhost origin in production (${localOrigins.join(', ')}); list your front end's https origin`,
    );
  return problems;
}

/** Validates the environment; returns every problem at once so one boot attempt names them all. */
export function validateEnv(raw: Record<string, unknown>): EnvSchema {
  const cleaned: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) cleaned[k] = v === '' ? undefined : v;
  const env = plainToInstance(EnvSchema, cleaned, { exposeDefaultValues: true });
  const problems: string[] = [];
  for (const err of validateSync(env, { skipMissingProperties: false })) {
    if (err.property === 'SECRET_KEY' && env.SECRET_KEY === undefined)
      problems.push('SECRET_KEY: required, there is no default (npm start makes one for development; openssl rand -base64 48)');
    else problems.push(`${err.property}: ${Object.values(err.constraints ?? {}).join('; ')}`);
  }
  try {
    parseTrustProxy(env.TRUST_PROXY ?? '');
  } catch (e) {
    problems.push(`TRUST_PROXY: ${(e as Error).message}`);
  }
  if (env.ENVIRONMENT === 'production') {
    problems.push(...productionProblems(env));
    if (env.METRICS_TOKEN && env.METRICS_TOKEN.length < 32)
      problems.push('METRICS_TOKEN: at least 32 characters in production (openssl rand -hex 32)');
  }
  if (env.FACEBOOK_APP_ID && !env.FACEBOOK_APP_SECRET) problems.push('FACEBOOK_APP_SECRET: required when FACEBOOK_APP_ID is set');
  if (env.TOKEN_ENCRYPTION_KEYS) {
    for (const entry of env.TOKEN_ENCRYPTION_KEYS.split(',')) {
      const [id, key] = entry.split(':');
      if (!id || !key || Buffer.from(key, 'base64').length !== 32)
        problems.push(`TOKEN_ENCRYPTION_KEYS: entry "${id ?? ''}" must be id:base64 of 32 bytes`);
    }
  }
  if (problems.length) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}
