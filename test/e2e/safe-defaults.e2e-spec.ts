import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../src/config/app-config';
import { startSandbox } from '../../src/sandbox/sandbox-server';
import { startApi, type TestApi } from '../helpers/api-app';

/**
 * Issue 10: production is safe by default. The roles are spawned as real processes from a
 * directory without `.env`, with nothing but the variables a test gives them.
 */
const ROOT = join(__dirname, '..', '..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a role's entry point (TypeScript, transpiled on the fly) and waits for it to exit. */
function runEntry(entry: string, env: Record<string, string>, timeoutMs = 45_000): Promise<Exit> {
  const cwd = mkdtempSync(join(tmpdir(), 'autoreels-safe-defaults-'));
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, entry)], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      NODE_PATH: join(ROOT, 'node_modules'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

/** The first IPv4 address of this machine that is not loopback, so requests arrive from a non-proxy peer. */
function externalIPv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('safe defaults (e2e)', () => {
  describe('the api role with no ENVIRONMENT (a built role is production)', () => {
    it('should exit 1 at boot and name every missing production setting in one message', async () => {
      const res = await runEntry('src/roles/api.ts', { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/none' });
      expect(res.code).toBe(1);
      expect(res.stdout).not.toMatch(/api role started/);
      const message = res.stderr;
      expect(message).toMatch(/Invalid configuration/);
      for (const name of [
        'SECRET_KEY: required',
        'TOKEN_ENCRYPTION_KEYS',
        'FACEBOOK_APP_ID',
        'FACEBOOK_APP_SECRET',
        'SMTP_URL',
        'PUBLIC_API_URL',
        'FRONTEND_URL',
        'ALLOWED_ORIGINS',
      ])
        expect(message).toContain(name);
    }, 60_000);

    it("should refuse the old public default secret and a Graph URL pointing at the sandbox, like yesterday's compose file", async () => {
      const res = await runEntry('src/roles/api.ts', {
        SECRET_KEY: 'dev-insecure-secret-key-change-me',
        TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        FACEBOOK_APP_ID: '123456789012345',
        FACEBOOK_APP_SECRET: 'a-real-looking-secret',
        INSTAGRAM_APP_ID: '990602627938098',
        INSTAGRAM_APP_SECRET: 'a-real-instagram-secret',
        SMTP_URL: 'smtp://mail.example.com:587',
        PUBLIC_API_URL: 'https://api.autoreels.example',
        FRONTEND_URL: 'https://app.autoreels.example',
        ALLOWED_ORIGINS: 'https://app.autoreels.example',
        FACEBOOK_GRAPH_URL: 'http://sandbox:8090',
        FACEBOOK_DIALOG_URL: 'http://localhost:8090',
      });
      expect(res.code).toBe(1);
      const problems = res.stderr.split('\n  - ').slice(1);
      expect(problems.map((p) => p.split(':')[0])).toEqual(['SECRET_KEY', 'FACEBOOK_GRAPH_URL', 'FACEBOOK_DIALOG_URL']);
    }, 60_000);
  });

  describe('the sandbox process', () => {
    it('should refuse to start in production, its default', async () => {
      const res = await runEntry('src/sandbox/main.ts', { SANDBOX_PORT: '0' });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/ENVIRONMENT: the sandbox never runs in production/);
    }, 60_000);

    it('should name every bad sandbox variable in one message', async () => {
      const res = await runEntry('src/sandbox/main.ts', {
        ENVIRONMENT: 'development',
        SANDBOX_PORT: '80800',
        SANDBOX_HOST: 'not a host!',
        SANDBOX_CONTROL_TOKEN: 'short',
        SANDBOX_REDIRECT_URIS: 'https://app.example/cb,javascript:alert(1)',
        SANDBOX_WEBHOOK_BASE_URL: 'api:8000',
      });
      expect(res.code).toBe(1);
      const problems = res.stderr.split('\n  - ').slice(1);
      expect(problems.map((p) => p.split(':')[0])).toEqual([
        'SANDBOX_PORT',
        'SANDBOX_HOST',
        'SANDBOX_CONTROL_TOKEN',
        'SANDBOX_REDIRECT_URIS',
        'SANDBOX_WEBHOOK_BASE_URL',
      ]);
    }, 60_000);

    it('should refuse to listen beyond loopback without a control token', async () => {
      const res = await runEntry('src/sandbox/main.ts', {
        ENVIRONMENT: 'development',
        SANDBOX_PORT: '0',
        SANDBOX_HOST: '0.0.0.0',
      });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/SANDBOX_CONTROL_TOKEN: required when the sandbox listens beyond loopback/);
      await expect(startSandbox({ port: 0, host: '0.0.0.0' })).rejects.toThrow(/SANDBOX_CONTROL_TOKEN/);
    }, 60_000);

    it('should answer as its own test app and never take a real FACEBOOK_APP_SECRET from the environment', async () => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/sandbox/main.ts')], {
        cwd: tmpdir(),
        env: {
          PATH: process.env.PATH ?? '',
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          NODE_PATH: join(ROOT, 'node_modules'),
          ENVIRONMENT: 'development',
          SANDBOX_PORT: '0',
          FACEBOOK_APP_ID: '123456789012345',
          FACEBOOK_APP_SECRET: 'the-real-meta-app-secret',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /listening on (http:\/\/\S+)/.exec(out);
            if (m) resolve(m[1]);
          });
          child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
        });
        const state = (await (await fetch(`${url}/__sandbox/state`)).json()) as { app: { id: string } };
        expect(state.app.id).toBe(SANDBOX_APP_ID);
        const token = (id: string, secret: string) =>
          fetch(`${url}/oauth/access_token?grant_type=client_credentials&client_id=${id}&client_secret=${secret}`);
        expect((await token(SANDBOX_APP_ID, SANDBOX_APP_SECRET)).status).toBe(200);
        expect((await token('123456789012345', 'the-real-meta-app-secret')).status).toBe(400);
      } finally {
        child.kill('SIGTERM');
      }
    }, 60_000);

    it('should guard the control API with its token, as a bearer or X-Sandbox-Token, and leave Graph routes alone', async () => {
      const controlToken = 'a-control-token-0123456789';
      const sandbox = await startSandbox({ port: 0, controlToken });
      try {
        const state = `${sandbox.url}/__sandbox/state`;
        const refused = await fetch(state);
        expect(refused.status).toBe(401);
        expect(await refused.json()).toEqual({ error: expect.stringMatching(/control token required/) });
        expect((await fetch(state, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
        expect((await fetch(state, { headers: { 'X-Sandbox-Token': controlToken.slice(0, -1) } })).status).toBe(401);
        expect((await fetch(`${sandbox.url}/__sandbox/clock`, { method: 'POST' })).status).toBe(401);
        expect((await fetch(state, { headers: { Authorization: `Bearer ${controlToken}` } })).status).toBe(200);
        expect((await fetch(state, { headers: { 'X-Sandbox-Token': controlToken } })).status).toBe(200);
        // avatars are shown by browsers (no header); they stay readable
        expect((await fetch(`${sandbox.url}/__sandbox/avatar/17841400000000001.svg`)).status).toBe(200);
        // Meta-shaped routes do not know about the control token
        const me = await fetch(`${sandbox.url}/v25.0/me?access_token=garbage`);
        expect(me.status).toBe(400);
        expect(((await me.json()) as { error: { code: number } }).error.code).toBe(190);
      } finally {
        await sandbox.close();
      }
    });
  });

  describe('TRUST_PROXY and the auth rate limit', () => {
    const peer = externalIPv4();
    let api: TestApi | undefined;
    afterEach(async () => {
      await api?.close();
      api = undefined;
    });

    /** Logs in (unknown e-mail, so 401 until limited) from this machine's non-loopback address. */
    async function loginStatuses(forwardedFor: string[]): Promise<number[]> {
      if (!peer) throw new Error('this test needs a non-loopback IPv4 address on this machine');
      const app = api!.app;
      await app.listen(0, '0.0.0.0');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const statuses: number[] = [];
      for (const [i, ip] of forwardedFor.entries()) {
        const res = await request(`http://${peer}:${port}`)
          .post('/auth/login')
          .set('X-Forwarded-For', ip)
          .send({ email: `nobody-${i}-${Date.now()}@example.com`, password: 'whatever-password' });
        statuses.push(res.status);
      }
      return statuses;
    }

    it('should give two forwarded client IPs their own buckets with TRUST_PROXY=1', async () => {
      api = await startApi({ TRUST_PROXY: '1', AUTH_THROTTLE_LIMIT: '2' });
      expect(await loginStatuses(['203.0.113.10', '203.0.113.10', '203.0.113.10', '203.0.113.20'])).toEqual([401, 401, 429, 401]);
    });

    it('should ignore X-Forwarded-For from a peer that is not loopback by default, so spoofed IPs share one bucket', async () => {
      api = await startApi({ AUTH_THROTTLE_LIMIT: '2' });
      expect(await loginStatuses(['203.0.113.10', '203.0.113.20', '203.0.113.30'])).toEqual([401, 401, 429]);
    });
  });

  describe('Content-Security-Policy', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi();
    });
    afterAll(async () => api.close());
    const http = () => request(api.app.getHttpServer());

    const scriptSrc = (csp: string | undefined): string =>
      (csp ?? '')
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith('script-src ')) ?? '';

    it('should allow no inline script on API routes', async () => {
      const res = await http().get('/health');
      expect(scriptSrc(res.headers['content-security-policy'])).toBe("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("object-src 'none'");
    });

    it('should still serve Swagger UI at /docs with only external scripts, under the same strict policy', async () => {
      const page = await http().get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(scriptSrc(page.headers['content-security-policy'])).toBe("script-src 'self'");
      const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThanOrEqual(3);
      for (const [, attrs, body] of scripts) {
        expect(attrs).toMatch(/src="/); // no inline script for the policy to block
        expect(body.trim()).toBe('');
      }
      for (const src of scripts.map(([, attrs]) => /src="([^"]+)"/.exec(attrs)![1])) {
        const js = await http().get(new URL(src, 'http://x/docs').pathname);
        expect(js.status).toBe(200);
        expect(js.headers['content-type']).toMatch(/javascript/);
      }
    });
  });
});
