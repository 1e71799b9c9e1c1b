import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectStatusRefreshDisconnect } from '../contract/client-flow';
import { conformsTo, OpenApiContract } from '../helpers/openapi-contract';
import { control, SAM_ID } from '../helpers/sandbox';
import { callback, dialog, instagramCallback, instagramDialog, newUser, startStack, type Stack } from '../helpers/stack';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const DOC_FILE = join(ROOT, 'artifacts', 'openapi', 'openapi.json');
const GENERATED = join(ROOT, 'test', 'contract', 'generated', 'openapi.d.ts');

interface Op {
  security: Array<Record<string, unknown>>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Op>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, object> };
}

/**
 * The OpenAPI document is a contract (issue 14): every answer the API gives here must be a
 * status the document lists for that operation, with a body its schema accepts; a client
 * generated from it type-checks and drives the real connect flow; Redocly's recommended rules pass.
 */
describe('OpenAPI document as a contract (e2e)', () => {
  let stack: Stack;
  let doc: Doc;
  let contract: OpenApiContract;
  let baseUrl: string;

  beforeAll(async () => {
    stack = await startStack();
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    doc = (await stack.http().get('/docs-json').expect(200)).body as Doc;
    contract = new OpenApiContract(doc);
    mkdirSync(join(ROOT, 'artifacts', 'openapi'), { recursive: true });
    writeFileSync(DOC_FILE, JSON.stringify(doc, null, 2));
    const server = stack.api.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('should pass `redocly lint` with the recommended rules (exceptions justified in .redocly.lint-ignore.yaml)', () => {
    const out = execFileSync(join(BIN, 'redocly'), ['lint', 'artifacts/openapi/openapi.json', '--format=stylish'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).not.toMatch(/\b(error|warning)\b.*rule/i);
  }, 60_000);

  it('should declare both security schemes, 401 on every bearer route, and the error shapes everywhere', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api_key', 'bearer']);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, security: Array.isArray(op.security) }).toEqual({ where, security: true });
        const status = Object.keys(op.responses);
        const needsBearer = op.security.some((s: object) => Object.keys(s).length > 0);
        if (needsBearer) expect({ where, has401: status.includes('401') }).toEqual({ where, has401: true });
        expect(op.responses['400'].content?.['application/json']?.schema?.$ref).toBe(
          '#/components/schemas/ValidationErrorBodyDto',
        );
        // readiness keeps Terminus' per-dependency report in its 503 (documented with its own schema)
        for (const s of status.filter((x) => Number(x) >= 401 && !(where === 'GET /health/ready' && x === '503'))) {
          const ref = op.responses[s].content?.['application/json']?.schema?.$ref;
          expect({ where, s, ref }).toEqual({ where, s, ref: '#/components/schemas/ErrorBodyDto' });
        }
      }
    }
  });

  it('should hold no real secret in any example', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/ark_(?!EXAMPLE)[A-Za-z0-9_-]{43}/);
    expect(text).not.toMatch(/whsec_(?!EXAMPLE)[A-Za-z0-9_-]{43}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}/); // a whole JWT
    expect(text).not.toMatch(/EAA[A-Za-z0-9]{30,}/); // a Meta token
    expect(text).not.toMatch(/IGAA[A-Za-z0-9]{30,}/); // an Instagram token
  });

  it('should answer only what the document lists, with bodies its schemas accept, on every route', async () => {
    const ok = conformsTo(contract);
    const http = () => stack.http();
    const { auth } = await newUser(stack);
    const key = (await http().post('/auth/api-keys').set('Authorization', auth).send({ name: 'contract' }).expect(ok)).body;
    const readKey = `Bearer ${key.key as string}`;

    // auth and keys
    await http().post('/auth/register').send({ email: 'x' }).expect(ok);
    await http().post('/auth/login').send({ email: 'nobody@example.com', password: 'wrong-password' }).expect(ok);
    await http().get('/auth/me').expect(ok);
    await http().get('/auth/me').set('Authorization', auth).expect(ok);
    await http().get('/auth/me').set('Authorization', readKey).expect(ok);
    await http().get('/auth/api-keys').set('Authorization', auth).expect(ok);
    await http().get('/auth/api-keys').set('Authorization', readKey).expect(ok);
    await http().delete('/auth/api-keys/999999').set('Authorization', auth).expect(ok);
    await http().get('/auth/me?x=1&x=2').set('Authorization', auth).expect(ok); // repeated query key: 400

    // connect, status, accounts, refresh, alerts, disconnect
    await http().post('/social/facebook/login').set('Authorization', readKey).send({}).expect(ok); // 403 scope
    const search = await dialog(stack, auth, { user: SAM_ID });
    await callback(stack, null, search).expect(ok); // 401
    const connected = await callback(stack, auth, search).expect(ok);
    const id = connected.body.accounts[0].id as number;
    await http()
      .post('/social/facebook/select')
      .set('Authorization', auth)
      .send({ state: 'nope', ig_user_ids: ['1'] })
      .expect(ok);
    await http().get('/social/status').set('Authorization', auth).expect(ok);
    await http().get('/social/accounts').set('Authorization', auth).expect(ok);
    await http().get(`/social/accounts/${id}`).set('Authorization', auth).expect(ok);
    await http().get('/social/accounts/999999').set('Authorization', auth).expect(ok);
    await http().patch(`/social/accounts/${id}`).set('Authorization', auth).send({ is_default: true }).expect(ok);
    await http().get(`/social/accounts/${id}/events`).set('Authorization', auth).expect(ok);
    await http().post('/social/refresh-token').set('Authorization', auth).expect(ok);
    await http().post(`/social/accounts/${id}/refresh-token`).set('Authorization', auth).expect(ok);
    await http().get('/social/alerts').set('Authorization', auth).expect(ok);
    await http().post('/social/alerts/999999/read').set('Authorization', auth).expect(ok);
    await http().get('/social/reconnect/not-a-token').expect(ok);

    // Instagram Login
    await http().post('/social/instagram/login').set('Authorization', readKey).send({}).expect(ok); // 403 scope
    const igSearch = await instagramDialog(stack, auth, { user: '17841400000000101' });
    await instagramCallback(stack, null, igSearch).expect(ok); // 401
    await instagramCallback(stack, auth, '?error=access_denied&error_reason=user_denied').expect(ok); // 400
    await instagramCallback(stack, auth, igSearch).expect(ok);

    // reels and uploads (the worker is not running here: a reel stays where the api left it)
    await http().get(`/social/accounts/${id}/publishing-limit`).set('Authorization', auth).expect(ok);
    await http().get('/social/accounts/999999/publishing-limit').set('Authorization', auth).expect(ok);
    await http()
      .post('/social/reels')
      .set('Authorization', auth)
      .send({ account_id: id, caption: 'x'.repeat(2201) })
      .expect(ok);
    const reel = (
      await http()
        .post('/social/reels')
        .set('Authorization', auth)
        .set('Idempotency-Key', 'contract-1')
        .send({
          account_id: id,
          video_url: 'https://cdn.example.com/a.mp4',
          publish_at: new Date(Date.now() + 86_400_000).toISOString(),
        })
        .expect(ok)
    ).body;
    await http()
      .post('/social/reels')
      .set('Authorization', auth)
      .set('Idempotency-Key', 'contract-1')
      .send({ account_id: id, video_url: 'https://cdn.example.com/a.mp4', publish_at: reel.publish_at })
      .expect(ok); // 200: the same reel again
    await http().get('/social/reels').set('Authorization', readKey).expect(ok);
    await http()
      .get(`/social/reels/${reel.id as number}`)
      .set('Authorization', auth)
      .expect(ok);
    await http().get('/social/reels/999999').set('Authorization', auth).expect(ok);
    await http()
      .delete(`/social/reels/${reel.id as number}`)
      .set('Authorization', auth)
      .expect(ok);
    await http()
      .post('/social/uploads')
      .set('Authorization', auth)
      .attach('file', Buffer.from('not really a video'), { filename: 'clip.mp4', contentType: 'video/mp4' })
      .expect(ok);
    await http()
      .post('/social/uploads')
      .set('Authorization', auth)
      .attach('file', Buffer.from('text'), { filename: 'a.txt', contentType: 'text/plain' })
      .expect(ok);

    await http().delete(`/social/accounts/${id}`).set('Authorization', auth).expect(ok);
    await http().delete('/social/disconnect').set('Authorization', auth).expect(ok);

    // outbound webhooks
    await http().post('/integrations/webhooks').set('Authorization', auth).send({ url: 'nope', events: [] }).expect(ok);
    const endpoint = (
      await http()
        .post('/integrations/webhooks')
        .set('Authorization', auth)
        .send({ url: 'http://127.0.0.1:9/unreachable', events: ['connection.revoked'] })
        .expect(ok)
    ).body;
    await http().get('/integrations/webhooks').set('Authorization', readKey).expect(ok);
    await http()
      .post(`/integrations/webhooks/${endpoint.id as number}/test`)
      .set('Authorization', auth)
      .expect(ok);
    await http()
      .get(`/integrations/webhooks/${endpoint.id as number}/deliveries`)
      .set('Authorization', auth)
      .expect(ok);
    await http()
      .delete(`/integrations/webhooks/${endpoint.id as number}`)
      .set('Authorization', auth)
      .expect(ok);
    await http()
      .delete(`/integrations/webhooks/${endpoint.id as number}`)
      .set('Authorization', auth)
      .expect(ok);

    // public routes: health, Meta's callbacks (unsigned: refused as documented)
    await http().get('/health').expect(ok);
    await http().get('/health/ready').expect(ok);
    await http().post('/webhooks/facebook/deauthorize').type('form').send({ signed_request: 'x.y' }).expect(ok);
    await http().post('/webhooks/facebook/data-deletion').type('form').send({ signed_request: 'x.y' }).expect(ok);
    await http().get('/webhooks/facebook/data-deletion/UNKNOWN').expect(ok);
    await http().post('/webhooks/instagram/deauthorize').type('form').send({ signed_request: 'x.y' }).expect(ok);
    await http().post('/webhooks/instagram/data-deletion').type('form').send({ signed_request: 'x.y' }).expect(ok);
    await http().get('/webhooks/instagram/data-deletion/UNKNOWN').expect(ok);
    // the signed URL Meta fetches an Instagram-Login upload from (unsigned: refused as documented)
    await http().get('/media/uploads/3f6c2a8e-4b1d-4c8a-9a53-2f0e6b7d1c90?exp=1&sig=x').expect(ok);
    await http().get('/webhooks/instagram?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1').expect(ok);
    await http().post('/webhooks/instagram').send({ object: 'instagram', entry: [] }).expect(ok);

    await http().post('/auth/logout-all').set('Authorization', readKey).expect(ok); // 403 session only
    await http().post('/auth/logout-all').set('Authorization', auth).expect(ok);

    const seen = new Set(contract.seen.map((c) => `${c.method} ${c.path}`));
    expect(contract.operations().filter((op) => !seen.has(op))).toEqual([]);
  }, 60_000);

  it('should catch an answer the document does not promise (the check itself can fail)', () => {
    expect(() => contract.check('GET', '/health', 418, {}, 'application/json')).toThrow(/does not list/);
    expect(() => contract.check('GET', '/auth/api-keys', 200, [{ id: 'one' }], 'application/json')).toThrow(/does not match/);
    expect(() => contract.check('GET', '/nowhere', 200, {}, 'application/json')).toThrow(/not in the document/);
  });

  it('should generate a typed client from /docs-json that type-checks and drives connect → status → refresh → disconnect', async () => {
    const fresh = join(ROOT, 'artifacts', 'openapi', 'openapi.d.ts');
    execFileSync(join(BIN, 'openapi-typescript'), [DOC_FILE, '-o', fresh], { cwd: ROOT, stdio: 'pipe' });
    // the checked-in client is the one the document generates now (UPDATE_OPENAPI_CLIENT=1 refreshes it)
    if (process.env.UPDATE_OPENAPI_CLIENT === '1') writeFileSync(GENERATED, readFileSync(fresh));
    expect(readFileSync(GENERATED, 'utf8')).toBe(readFileSync(fresh, 'utf8'));
    // tsc on the generated file + the usage file, strict
    execFileSync(
      join(BIN, 'tsc'),
      [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node',
        '--target',
        'ES2022',
        '--esModuleInterop',
        'test/contract/client-flow.ts',
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
    const { auth } = await newUser(stack);
    const result = await connectStatusRefreshDisconnect(baseUrl, auth, await dialog(stack, auth, { user: SAM_ID }));
    expect(result).toEqual({
      accountId: expect.any(Number),
      username: 'sam.studio',
      statusConnected: true,
      refreshSuccess: true,
      disconnected: true,
      statusAfter: false,
    });
  }, 120_000);
});
