import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiModule } from '../../src/api.module';
import { configureApp } from '../../src/app.setup';
import { createTestDatabase, type TestDatabase } from './database';

/** A provider to replace in the testing module (e.g. the Clock with an OffsetClock). */
export interface ProviderOverride {
  provide: unknown;
  useValue: unknown;
}

export interface StartOptions {
  overrideProviders?: ProviderOverride[];
}

export interface TestApi {
  app: NestExpressApplication;
  db: TestDatabase;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Environment for one spec: its own database and its own Redis key prefix. */
export function baseEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ENVIRONMENT: 'test',
    SECRET_KEY: `test-secret-${randomBytes(16).toString('hex')}`,
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    ALLOWED_ORIGINS: 'http://localhost:3002',
    THROTTLE_LIMIT: '10000',
    AUTH_THROTTLE_LIMIT: '1000',
    ...overrides,
  };
}

/** Boots the real api role stack (same configureApp as production) against a fresh database. */
export async function startApi(
  overrides: Record<string, string> = {},
  db?: TestDatabase,
  opts: StartOptions = {},
): Promise<TestApi> {
  const database = db ?? (await createTestDatabase());
  const env = baseEnv({ DATABASE_URL: database.url, ...overrides });
  const builder = Test.createTestingModule({ imports: [ApiModule.forRoot({ env })] });
  for (const o of opts.overrideProviders ?? []) builder.overrideProvider(o.provide).useValue(o.useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, rawBody: true });
  configureApp(app);
  await app.init();
  return {
    app,
    db: database,
    env,
    close: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
