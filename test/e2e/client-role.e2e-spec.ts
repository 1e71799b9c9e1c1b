import { once } from 'node:events';
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { AppConfig } from '../../src/config/app-config';
import { validateEnv } from '../../src/config/env.schema';
import { createClientServer } from '../../src/roles/client';
import { baseEnv } from '../helpers/api-app';

/** Issue 15: the client role sends the bundle compressed, caches hashed files for good and never index.html. */
describe('client role: compression and caching (e2e)', () => {
  const dist = mkdtempSync(join(tmpdir(), 'autoreels-client-'));
  // an ng build layout: content-hashed bundles, index.html, an unhashed favicon
  const bundle = `/* bundle */\n${'export function component(){return "settings social accounts";}\n'.repeat(2000)}`;
  writeFileSync(join(dist, 'main-6D3P3MQZ.js'), bundle);
  writeFileSync(join(dist, 'styles-RTZJAELV.css'), `body{margin:0}\n`.repeat(500));
  writeFileSync(join(dist, 'index.html'), `<!doctype html><html><body><app-root></app-root>${' '.repeat(2000)}</body></html>`);
  writeFileSync(join(dist, 'favicon.ico'), 'icon');
  const config = new AppConfig(validateEnv(baseEnv({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/none' })));
  const app = createClientServer(config, 'http://localhost:8000', dist);
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  let server: Server;
  beforeAll(async () => {
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A plain http.get: the bytes as sent (supertest would decompress them). */
  const raw = (path: string, encoding: string) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      get({ host: '127.0.0.1', port, path, headers: { 'Accept-Encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ])('should send a hashed bundle %s-compressed and cached for a year', async (encoding, decompress) => {
    const res = await raw('/main-6D3P3MQZ.js', `${encoding}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    const body = res.body;
    expect(body.length).toBeLessThan(bundle.length / 5);
    expect(decompress(body).toString()).toBe(bundle);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('should prefer brotli when the browser takes both', async () => {
    const res = await raw('/styles-RTZJAELV.css', 'gzip, deflate, br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toMatch(/immutable/);
  });

  it('should send index.html (and the SPA fallback) compressed but always revalidated', async () => {
    for (const path of ['/index.html', '/settings/social-accounts']) {
      const res = await raw(path, 'gzip');
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['cache-control']).not.toMatch(/immutable|max-age=[1-9]/);
    }
  });

  it('should not cache unhashed files for good, nor send them compressed to a client that does not ask', async () => {
    const icon = await raw('/favicon.ico', 'identity');
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).not.toMatch(/immutable/);
    const plain = await raw('/main-6D3P3MQZ.js', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(bundle);
  });
});
