import request from 'supertest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/config/database';
import { startApi, type TestApi } from '../helpers/api-app';
import { createTestDatabase } from '../helpers/database';

describe('platform: throttling, CORS, health, docs (e2e)', () => {
  let api: TestApi;
  const http = () => request(api.app.getHttpServer());

  beforeAll(async () => {
    // a tight auth limit so the test is quick; the default (10/min) is the same code path
    api = await startApi({ AUTH_THROTTLE_LIMIT: '3' });
  });
  afterAll(async () => api.close());

  it('should answer 429 RATE_LIMITED when one IP exceeds the login limit', async () => {
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await http()
        .post('/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: 'nobody@example.com', password: 'whatever-password' });
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.code).toBe('RATE_LIMITED');
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('should keep counting in Redis so a second api instance shares the limit', async () => {
    const other = await startApi(
      { AUTH_THROTTLE_LIMIT: '3', SECRET_KEY: api.env.SECRET_KEY, REDIS_KEY_PREFIX: api.env.REDIS_KEY_PREFIX },
      api.db,
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const target = i % 2 === 0 ? api : other;
        const res = await request(target.app.getHttpServer())
          .post('/auth/login')
          .send({ email: `shared${Date.now()}@example.com`, password: 'whatever-password' });
        statuses.push(res.status);
      }
      // the previous test used this prefix's budget only from another IP: exactly 3 pass, then 429s
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await other.app.close();
    }
  });

  it('should allow CORS from an allowed origin and refuse a foreign one', async () => {
    const ok = await http()
      .options('/auth/me')
      .set('Origin', 'http://localhost:3002')
      .set('Access-Control-Request-Method', 'GET');
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3002');
    const foreign = await http()
      .options('/auth/me')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('should send security headers on every response', async () => {
    const res = await http().get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('should report liveness and readiness when PostgreSQL and Redis are up', async () => {
    expect((await http().get('/health')).body).toEqual({ status: 'ok' });
    const ready = await http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('should serve the OpenAPI document with the bearer scheme and the auth routes', async () => {
    const res = await http().get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/auth/register', '/auth/login', '/auth/me', '/health/ready']),
    );
    const docs = await http().get('/docs');
    expect(docs.status).toBe(200);
  });
});

describe('PostgreSQL connections dropped under the app (e2e)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('should survive every pooled connection being killed and serve again without a restart', async () => {
    const http = () => request(api.app.getHttpServer());
    await http().post('/auth/register').send({ email: 'pg@example.com', password: 'a-good-password' }).expect(201);
    const { DataSource } = await import('typeorm');
    const ds = api.app.get(DataSource);
    // what a PostgreSQL restart does to idle pooled clients: terminate them from another session
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: api.db.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
      api.db.name,
    ]);
    await admin.end();
    // the first request may meet a dead client: a clear 503, never a 500 or a crash
    const first = await http().post('/auth/login').send({ email: 'pg@example.com', password: 'a-good-password' });
    expect([200, 503]).toContain(first.status);
    if (first.status === 503) expect(first.body.code).toBe('SERVICE_UNAVAILABLE');
    // and the pool recovers by itself
    const again = await http().post('/auth/login').send({ email: 'pg@example.com', password: 'a-good-password' });
    expect(again.status).toBe(200);
    expect(ds.isInitialized).toBe(true);
    expect((await http().get('/health/ready')).status).toBe(200);
  });
});

describe('readiness when Redis is unreachable (e2e)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ REDIS_URL: 'redis://127.0.0.1:6390/0' });
  });
  afterAll(async () => api.close());

  it('should answer 503 with redis down and the database up', async () => {
    const res = await request(api.app.getHttpServer()).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.body.error).toMatchObject({ redis: { status: 'down' } });
    expect(res.body.info).toMatchObject({ database: { status: 'up' } });
  });

  it('should answer 503 SERVICE_UNAVAILABLE, not hang or 500, when a throttled route needs Redis', async () => {
    const started = Date.now();
    const res = await request(api.app.getHttpServer())
      .post('/auth/login')
      .send({ email: 'a@example.com', password: 'whatever-pass' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('should keep liveness green while a dependency is down', async () => {
    expect((await request(api.app.getHttpServer()).get('/health')).status).toBe(200);
  });
});

describe('migrations (e2e)', () => {
  it('should migrate an empty database up and all the way down again', async () => {
    const db = await createTestDatabase({ migrate: false });
    const ds = new DataSource(dataSourceOptions(db.url));
    await ds.initialize();
    try {
      const applied = await ds.runMigrations();
      expect(applied.length).toBeGreaterThan(0);
      const tables = await ds.query<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.map((t) => t.tablename)).toEqual(
        expect.arrayContaining(['users', 'instagram_tokens', 'oauth_states', 'token_events', 'alerts']),
      );
      expect(await ds.showMigrations()).toBe(false); // nothing pending: re-running is a no-op
      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration();
      const left = await ds.query<unknown[]>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
      );
      expect(left).toEqual([]);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
