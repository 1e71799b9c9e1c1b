import { Controller, Get } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiModule } from '../../src/api.module';
import { configureApp } from '../../src/app.setup';
import { makeAdmin } from '../../src/cli/make-admin';
import { REDIS } from '../../src/common/redis/redis.module';
import { AuthTokenService } from '../../src/modules/auth/auth-token.service';
import { CurrentUser, Roles, type AuthUser } from '../../src/modules/auth/auth.decorators';
import { baseEnv } from '../helpers/api-app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** An admin-only route, to exercise @Roles() through the real global guard. */
@Controller('test-admin-probe')
class AdminProbeController {
  @Get()
  @Roles('admin')
  probe(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}

interface Instance {
  app: NestExpressApplication;
  env: Record<string, string>;
  http(): request.Agent;
}

/** The api role, as startApi builds it, plus the probe controller. */
async function startInstance(db: TestDatabase, overrides: Record<string, string>): Promise<Instance> {
  const env = baseEnv({ DATABASE_URL: db.url, ...overrides });
  const moduleRef = await Test.createTestingModule({
    imports: [ApiModule.forRoot({ env })],
    controllers: [AdminProbeController],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, rawBody: true });
  configureApp(app);
  await app.init();
  return { app, env, http: () => request.agent(app.getHttpServer()) };
}

const CACHE_MS = 1000;
const METRICS_TOKEN = 'metrics-token-'.padEnd(48, 'x');
const PASSWORD = 'a-good-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('auth hardening (e2e)', () => {
  let db: TestDatabase;
  let a: Instance; // METRICS_TOKEN set
  let b: Instance; // a second instance on the same database and Redis, without METRICS_TOKEN
  let ds: DataSource;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = {
      AUTH_USER_CACHE_MS: String(CACHE_MS),
      LOGIN_MAX_FAILURES: '5',
      LOGIN_LOCK_SECONDS: '1',
      LOGIN_LOCK_MAX_SECONDS: '3',
    };
    a = await startInstance(db, { ...shared, METRICS_TOKEN });
    b = await startInstance(db, { ...shared, SECRET_KEY: a.env.SECRET_KEY, REDIS_KEY_PREFIX: a.env.REDIS_KEY_PREFIX });
    ds = a.app.get(DataSource);
  });
  afterAll(async () => {
    await b?.app.close();
    await a?.app.close();
    await db?.drop();
  });

  async function register(email = `hard${Date.now()}-${n++}@example.com`): Promise<{ id: number; email: string }> {
    const res = await a.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
    return { id: res.body.id as number, email };
  }
  async function login(email: string, inst = a): Promise<string> {
    const res = await inst.http().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
    return `Bearer ${res.body.access_token as string}`;
  }
  /** Polls until the request answers `status`; returns the milliseconds it took. */
  async function within(ms: number, status: number, send: () => request.Test): Promise<number> {
    const started = Date.now();
    for (;;) {
      const res = await send();
      if (res.status === status) return Date.now() - started;
      if (Date.now() - started > ms) throw new Error(`still ${res.status} after ${ms} ms: ${JSON.stringify(res.body)}`);
      await sleep(50);
    }
  }

  describe('tokens are checked against the users row', () => {
    it('should carry the token version in the JWT', async () => {
      const { email } = await register();
      const token = (await login(email)).slice('Bearer '.length);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      expect(claims.ver).toBe(0);
    });

    it("should answer 401 AUTH_TOKEN_INVALID for a deleted user's token, on private and public routes", async () => {
      const { id, email } = await register();
      const auth = await login(email);
      await a.http().get('/social/status').set('Authorization', auth).expect(200);
      await ds.query(`DELETE FROM users WHERE id = $1`, [id]);
      const took = await within(CACHE_MS + 1000, 401, () => a.http().get('/social/status').set('Authorization', auth));
      expect(took).toBeLessThanOrEqual(CACHE_MS + 1000);
      const res = await a.http().get('/social/accounts').set('Authorization', auth);
      expect(res.body).toEqual({ statusCode: 401, code: 'AUTH_TOKEN_INVALID', message: expect.any(String) });
      // the optional lookup on a public route (the OAuth callback) uses the same check
      const callback = await a
        .http()
        .get('/social/facebook/callback?code=abc&state=def')
        .set('Accept', 'application/json')
        .set('Authorization', auth);
      expect(callback.status).toBe(401);
      expect(callback.body.code).toBe('AUTH_TOKEN_INVALID');
    });

    it('should take the role from PostgreSQL: a demoted admin loses Bull Board and @Roles routes at once', async () => {
      const { email } = await register();
      expect(await makeAdmin(ds, email)).toBe(true); // the CLI
      const auth = await login(email); // its JWT says role: admin
      await a.http().get('/admin/queues/api/queues').set('Authorization', auth).expect(200);
      const probe = await a.http().get('/test-admin-probe').set('Authorization', auth).expect(200);
      expect(probe.body).toMatchObject({ email, role: 'admin' });
      await a.http().get('/auth/me').set('Authorization', auth).expect(200); // warms the cache with role admin
      await ds.query(`UPDATE users SET role = 'user' WHERE email = $1`, [email]);
      const board = await a.http().get('/admin/queues/api/queues').set('Authorization', auth);
      expect(board.status).toBe(403);
      expect(board.body.code).toBe('FORBIDDEN');
      expect((await a.http().get('/test-admin-probe').set('Authorization', auth)).status).toBe(403);
      expect((await b.http().get('/admin/queues').set('Authorization', auth)).status).toBe(403);
      // the session itself stays valid
      await a.http().get('/auth/me').set('Authorization', auth).expect(200);
    });

    it('should let a user promoted by the CLI in with the token they already hold, and ignore a forged role claim', async () => {
      const { id, email } = await register();
      const auth = await login(email); // JWT says role: user
      await a.http().get('/test-admin-probe').set('Authorization', auth).expect(403);
      await makeAdmin(ds, email);
      await a.http().get('/test-admin-probe').set('Authorization', auth).expect(200);
      await a.http().get('/admin/queues/api/queues').set('Authorization', auth).expect(200);
      // a correctly signed token claiming admin for a user whose row says user is refused
      const other = await register();
      const forged = a.app.get(AuthTokenService).issue({ id: other.id, email: other.email, role: 'admin' });
      await a.http().get('/admin/queues/api/queues').set('Authorization', `Bearer ${forged.token}`).expect(403);
      await a.http().get('/test-admin-probe').set('Authorization', `Bearer ${forged.token}`).expect(403);
      expect(id).toBeGreaterThan(0);
    });
  });

  describe('POST /auth/logout-all', () => {
    it('should kill every existing token of the user, here at once and on another instance within the cache TTL', async () => {
      const { email } = await register();
      const first = await login(email);
      const second = await login(email, b);
      const bystander = await login((await register()).email);
      await b.http().get('/social/status').set('Authorization', first).expect(200); // cached on b
      await a.http().get('/social/status').set('Authorization', second).expect(200); // cached on a
      const out = await a.http().post('/auth/logout-all').set('Authorization', first);
      expect(out.status).toBe(204);
      for (const auth of [first, second]) {
        const res = await a.http().get('/social/status').set('Authorization', auth);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH_TOKEN_INVALID');
        await a.http().post('/auth/logout-all').set('Authorization', auth).expect(401);
      }
      const took = await within(CACHE_MS + 1000, 401, () => b.http().get('/social/status').set('Authorization', first));
      expect(took).toBeLessThanOrEqual(CACHE_MS + 1000);
      await a.http().get('/social/status').set('Authorization', bystander).expect(200);
      // a new sign-in works, on either instance, and carries the new version
      const fresh = await login(email);
      await a.http().get('/auth/me').set('Authorization', fresh).expect(200);
      await b.http().get('/auth/me').set('Authorization', fresh).expect(200);
      const claims = JSON.parse(Buffer.from(fresh.split('.')[1], 'base64url').toString()) as { ver: number };
      expect(claims.ver).toBe(1);
    });

    it('should need a bearer and be documented in Swagger', async () => {
      const res = await a.http().post('/auth/logout-all');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH_REQUIRED');
      const doc = await a.http().get('/docs-json').expect(200);
      const op = doc.body.paths['/auth/logout-all']?.post as { security?: unknown[]; responses: Record<string, unknown> };
      expect(op).toBeDefined();
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['204', '401']));
      const loginOp = doc.body.paths['/auth/login'].post as { responses: Record<string, { description: string }> };
      expect(loginOp.responses['429'].description).toContain('LOGIN_LOCKED');
    });
  });

  describe('per-account login backoff', () => {
    const attempt = (inst: Instance, ip: string, email: string, password: string) =>
      inst.http().post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });

    it('should lock an account after 5 failures from different IPs and instances, before checking the password', async () => {
      const { email } = await register();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await attempt(i % 2 ? b : a, `10.77.0.${i + 1}`, email, 'wrong-password')).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      // the right password, from a fresh IP: refused while locked
      const locked = await attempt(a, '10.77.1.1', email.toUpperCase(), PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body).toEqual({ statusCode: 429, code: 'LOGIN_LOCKED', message: expect.any(String), retry_after: 1 });
      expect(locked.headers['retry-after']).toBe('1');
      // another account is not affected
      const other = await register();
      await attempt(a, '10.77.1.1', other.email, PASSWORD).expect(200);
      // the lock doubles with each failure after it runs out, up to the cap (1 s, 2 s, then 3 s instead of 4)
      await sleep(1100);
      await attempt(b, '10.77.1.2', email, 'wrong-password').expect(401);
      expect((await attempt(a, '10.77.1.3', email, PASSWORD)).headers['retry-after']).toBe('2');
      await sleep(2100);
      await attempt(a, '10.77.1.4', email, 'wrong-password').expect(401);
      expect((await attempt(a, '10.77.1.5', email, PASSWORD)).headers['retry-after']).toBe('3');
      await sleep(3100);
      await attempt(a, '10.77.1.6', email, PASSWORD).expect(200);
    }, 20000);

    it('should treat an unknown e-mail the same way (no enumeration)', async () => {
      const email = `nobody${Date.now()}@example.com`;
      for (let i = 0; i < 5; i++) await attempt(a, `10.78.0.${i + 1}`, email, 'wrong-password').expect(401);
      const locked = await attempt(b, '10.78.1.1', email, 'wrong-password');
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('LOGIN_LOCKED');
      expect(locked.headers['retry-after']).toBe('1');
    });

    it('should reset the count after a successful login', async () => {
      const { email } = await register();
      for (let i = 0; i < 4; i++) await attempt(a, '10.79.0.1', email, 'wrong-password').expect(401);
      await attempt(a, '10.79.0.1', email, PASSWORD).expect(200);
      for (let i = 0; i < 4; i++) await attempt(b, '10.79.0.2', email, 'wrong-password').expect(401);
      await attempt(a, '10.79.0.1', email, PASSWORD).expect(200);
      // control: a fifth failure in a row does lock
      for (let i = 0; i < 5; i++) await attempt(a, '10.79.0.3', email, 'wrong-password').expect(401);
      await attempt(a, '10.79.0.3', email, PASSWORD).expect(429);
    });

    it('should keep the counters in Redis under the key prefix, without the e-mail', async () => {
      const email = `redis-keys${Date.now()}@example.com`;
      await attempt(a, '10.80.0.1', email, 'wrong-password').expect(401);
      const redis = a.app.get<Redis>(REDIS);
      const keys = await redis.keys(`${a.env.REDIS_KEY_PREFIX}:login:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(k).toMatch(new RegExp(`^${a.env.REDIS_KEY_PREFIX}:login:(failures|lock):[0-9a-f]{64}$`));
      expect(keys.join(' ')).not.toContain('redis-keys');
    });
  });

  describe('/metrics', () => {
    it('should need METRICS_TOKEN as a bearer when it is set', async () => {
      const none = await a.http().get('/metrics');
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ statusCode: 401, code: 'AUTH_REQUIRED', message: expect.any(String) });
      const wrong = await a.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}y`);
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('AUTH_TOKEN_INVALID');
      // a user's session is not the metrics token
      const userAuth = await login((await register()).email);
      expect((await a.http().get('/metrics').set('Authorization', userAuth)).status).toBe(401);
      const ok = await a.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('autoreels_token_checks_total');
    });

    it('should stay open in development/test when no METRICS_TOKEN is set, whatever bearer is sent', async () => {
      expect((await b.http().get('/metrics')).status).toBe(200);
      const res = await b.http().get('/metrics').set('Authorization', 'Bearer not-a-jwt');
      expect(res.status).toBe(200);
      expect(res.text).toContain('autoreels_connections');
    });
  });
});
