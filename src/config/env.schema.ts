import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const urlOpts = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** Every environment variable the product reads. Defaults serve development with zero configuration. */
export class EnvSchema {
  @IsIn(['development', 'test', 'production'])
  ENVIRONMENT: 'development' | 'test' | 'production' = 'development';

  @Transform(toBool)
  @IsBoolean()
  DEBUG = false;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 8000;

  @IsString()
  @MinLength(16)
  SECRET_KEY = 'dev-insecure-secret-key-change-me';

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

  @IsString()
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'TOKEN_REFRESH_CRON must be a 5- or 6-field cron expression' })
  TOKEN_REFRESH_CRON = '0 * * * *';

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

  @IsString()
  @Matches(/^\d+(kb|mb)$/i, { message: 'BODY_LIMIT must look like 100kb' })
  BODY_LIMIT = '100kb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Write JSON logs to this file instead of stdout. */
  @IsOptional()
  @IsString()
  LOG_FILE?: string;
}

export const WEAK_SECRETS = ['dev-insecure-secret-key-change-me', 'changeme', 'secret', 'your-secret-key'];

/** Validates the environment; returns every problem at once so one boot attempt names them all. */
export function validateEnv(raw: Record<string, unknown>): EnvSchema {
  const cleaned: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) cleaned[k] = v === '' ? undefined : v;
  const env = plainToInstance(EnvSchema, cleaned, { exposeDefaultValues: true });
  const problems: string[] = [];
  for (const err of validateSync(env, { skipMissingProperties: false })) {
    problems.push(`${err.property}: ${Object.values(err.constraints ?? {}).join('; ')}`);
  }
  if (env.ENVIRONMENT === 'production') {
    if (WEAK_SECRETS.includes(env.SECRET_KEY) || env.SECRET_KEY.length < 32)
      problems.push('SECRET_KEY: a strong secret of at least 32 characters is required in production');
    if (!env.TOKEN_ENCRYPTION_KEYS) problems.push('TOKEN_ENCRYPTION_KEYS: a key ring is required in production');
    if (!env.FACEBOOK_APP_ID) problems.push('FACEBOOK_APP_ID: required in production (sandbox mode is for development)');
    if (!env.FACEBOOK_APP_SECRET) problems.push('FACEBOOK_APP_SECRET: required in production');
    if (env.DEBUG) problems.push('DEBUG: must be off in production');
    if (!env.SMTP_URL) problems.push('SMTP_URL: required in production (expiry alerts are e-mailed)');
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
