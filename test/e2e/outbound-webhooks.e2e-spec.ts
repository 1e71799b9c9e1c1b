import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { CheckConnection } from '../../src/modules/connections/use-cases/check-connection.use-case';
import { WebhookRepository } from '../../src/modules/integrations/persistence/webhook.repository';
import { PublishWebhookEvent } from '../../src/modules/integrations/use-cases/publish-webhook-event.use-case';
import { SweepWebhookDeliveries } from '../../src/modules/integrations/use-cases/sweep-webhook-deliveries.use-case';
import { guardedLookup } from '../../src/modules/integrations/webhook-sender';
import { startApi, type TestApi } from '../helpers/api-app';
import { startWorkerRole, waitFor } from '../helpers/lifecycle';
import { OffsetClock } from '../helpers/offset-clock';
import { control } from '../helpers/sandbox';
import { callback, dialog, newPerson, newUser, startStack, type Stack } from '../helpers/stack';
import { startReceiver, type ReceivedDelivery } from '../helpers/webhook-receiver';

// deliveries go through the real worker, retries wait real (short) backoffs
jest.setTimeout(30_000);

type Verify = (rawBody: string, header: string, secret: string, toleranceSeconds?: number) => boolean;

/** The README's verification snippet, exactly as printed there. */
function readmeVerifier(): Verify {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- verify-snippet:start -->\s*```js\n([\s\S]*?)```\s*<!-- verify-snippet:end -->/.exec(readme);
  if (!block) throw new Error('README has no verify snippet');
  return runInNewContext(`${block[1]}\nverifyAutoReelsSignature`, { require, Buffer, Date }) as Verify;
}

const ALL_CONNECTION_EVENTS = [
  'connection.connected',
  'connection.expiring',
  'connection.needs_reconnect',
  'connection.revoked',
  'connection.recovered',
  'connection.disconnected',
];
const DAY_S = 86_400;

describe('outbound webhooks (e2e)', () => {
  const clock = new OffsetClock();
  const verify = readmeVerifier();
  let stack: Stack;
  let db: DataSource;
  let worker: Awaited<ReturnType<typeof startWorkerRole>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    stack = await startStack(
      { WEBHOOK_RETRY_INITIAL_MS: '200', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_TIMEOUT_MS: '2000' },
      { overrideProviders: [{ provide: Clock, useValue: clock }] },
    );
    db = stack.api.app.get(DataSource);
    worker = await startWorkerRole(stack.api.env);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    clock.offsetMs = 0;
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const http = () => stack.http();
  const register = async (auth: string, events: string[], url = receiver.url) =>
    (await http().post('/integrations/webhooks').set('Authorization', auth).send({ url, events }).expect(201)).body as {
      id: number;
      secret: string;
    };
  const bodyOf = (d: ReceivedDelivery) =>
    JSON.parse(d.raw) as { id: string; type: string; created_at: string; data: Record<string, unknown> };
  const received = (n: number) => waitFor(`${n} deliveries`, () => Promise.resolve(receiver.received.length >= n), 15_000);

  it('should deliver every connection event, signed (checked with the README snippet), with ids and no token', async () => {
    const { auth } = await newUser(stack);
    const endpoint = await register(auth, ALL_CONNECTION_EVENTS);
    const person = await newPerson(stack, ['hooked']);
    const check = stack.api.app.get(CheckConnection);

    // connected
    const connected = await callback(stack, auth, await dialog(stack, auth, { user: person })).expect(200);
    const accountId = connected.body.accounts[0].id as number;
    await received(1);
    // 50 days later the token has 10 days left: expiring; back to today: recovered
    clock.advance(50 * DAY_S);
    await check.execute(accountId, 'worker');
    await received(2);
    clock.offsetMs = 0;
    await check.execute(accountId, 'worker');
    await received(3);
    // Facebook kills the session (password changed): needs_reconnect; a reconnect: connected + recovered
    await control(stack.sandbox, 'POST', `/users/${person}/invalidate`, { subcode: 460 });
    await check.execute(accountId, 'worker');
    await received(4);
    await callback(stack, auth, await dialog(stack, auth, { user: person })).expect(200);
    await received(6);
    // the app removed at Facebook (458): revoked; then the user disconnects
    await control(stack.sandbox, 'POST', `/users/${person}/invalidate`, { subcode: 458 });
    await check.execute(accountId, 'worker');
    await received(7);
    await http().delete(`/social/accounts/${accountId}`).set('Authorization', auth).expect(200);
    await received(8);
    await new Promise((r) => setTimeout(r, 300)); // nothing more comes

    const deliveries = receiver.received;
    expect(deliveries.map((d) => bodyOf(d).type)).toEqual([
      'connection.connected',
      'connection.expiring',
      'connection.recovered',
      'connection.needs_reconnect',
      'connection.connected',
      'connection.recovered',
      'connection.revoked',
      'connection.disconnected',
    ]);
    const rows = await db.query<Array<{ id: string; event_id: string }>>(
      `SELECT id, event_id FROM webhook_event_deliveries WHERE endpoint_id = $1`,
      [endpoint.id],
    );
    for (const d of deliveries) {
      const body = bodyOf(d);
      expect(verify(d.raw, String(d.headers['x-autoreels-signature']), endpoint.secret)).toBe(true);
      expect(verify(d.raw, String(d.headers['x-autoreels-signature']), 'whsec_wrong')).toBe(false);
      expect(verify(d.raw.replace('"data"', '"data" '), String(d.headers['x-autoreels-signature']), endpoint.secret)).toBe(false);
      expect(d.headers['x-autoreels-event']).toBe(body.type);
      expect(rows).toContainEqual({ id: d.headers['x-autoreels-delivery'], event_id: body.id });
      expect(d.headers['content-type']).toBe('application/json');
      expect(body.data).toMatchObject({ account_id: accountId, instagram_user_id: expect.any(String) });
      // ids, names, statuses, dates, reasons: never a token
      expect(Object.keys(body.data).filter((k) => /token|secret/.test(k) && k !== 'token_expires_at')).toEqual([]);
    }
    expect(bodyOf(deliveries[3]).data).toMatchObject({
      status: 'needs_reconnect',
      previous_status: 'active',
      error_code: expect.any(String),
    });
    // no token value of the account anywhere in what was sent
    const sent = deliveries.map((d) => d.raw).join('\n');
    const tokens = await control<{ tokens?: Array<{ token: string }> }>(stack.sandbox, 'GET', '/tokens').catch(() => ({
      tokens: [],
    }));
    for (const t of tokens.tokens ?? []) expect(sent).not.toContain(t.token);
    expect(sent).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
  });

  it('should not send events the endpoint did not ask for, nor another user’s', async () => {
    const a = await newUser(stack);
    const b = await newUser(stack);
    await register(a.auth, ['connection.revoked']);
    await register(b.auth, ['connection.connected'], receiver.url.replace('/hook', '/other'));
    const person = await newPerson(stack, ['quiet']);
    await callback(stack, a.auth, await dialog(stack, a.auth, { user: person })).expect(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toEqual([]);
  });

  it('should retry a failing endpoint with growing delays until it answers 2xx, with the same delivery id and body', async () => {
    const { auth, email } = await newUser(stack);
    await register(auth, ['reel.published']);
    receiver.setRespond((n) => (n < 3 ? 500 : 204));
    const [{ id: userId }] = await db.query<Array<{ id: number }>>(`SELECT id FROM users WHERE email = $1`, [email]);
    // the Reels publisher's call
    await stack.api.app
      .get(PublishWebhookEvent)
      .reelPublished(userId, { reel_id: 'r-1', account_id: 1, instagram_user_id: '178', instagram_media_id: 'm-1' });
    await received(3);
    const [first, second, third] = receiver.received;
    expect(new Set(receiver.received.map((d) => d.headers['x-autoreels-delivery'])).size).toBe(1);
    expect(second.raw).toBe(first.raw);
    expect(third.raw).toBe(first.raw);
    // 200 ms ±10 %, then 400 ms ±10 %
    expect(second.at - first.at).toBeGreaterThanOrEqual(170);
    expect(third.at - second.at).toBeGreaterThanOrEqual(350);
    const endpoints = (await http().get('/integrations/webhooks').set('Authorization', auth)).body as Array<{ id: number }>;
    const log = await waitFor('delivered', async () => {
      const res = await http().get(`/integrations/webhooks/${endpoints[0].id}/deliveries`).set('Authorization', auth).expect(200);
      return res.body.deliveries[0]?.status === 'delivered' ? res.body.deliveries : null;
    });
    expect(log[0]).toMatchObject({
      event: 'reel.published',
      status: 'delivered',
      attempts: 3,
      last_status_code: 204,
      next_retry_at: null,
    });
  });

  it('should disable an endpoint after repeated failure, alert its owner, and turn it back on after a good test send', async () => {
    const { auth, email } = await newUser(stack);
    const endpoint = await register(auth, ['reel.failed']);
    receiver.setRespond(() => 503);
    const [{ id: userId }] = await db.query<Array<{ id: number }>>(`SELECT id FROM users WHERE email = $1`, [email]);
    const publish = stack.api.app.get(PublishWebhookEvent);
    await publish.reelFailed(userId, { reel_id: 'r-2', account_id: 1, instagram_user_id: '178', error_code: 'MEDIA_INVALID' });
    await received(3);
    const disabled = await waitFor('disabled', async () => {
      const [e] = (await http().get('/integrations/webhooks').set('Authorization', auth)).body as Array<{ enabled: boolean }>;
      return e.enabled ? null : e;
    });
    expect(disabled).toMatchObject({
      enabled: false,
      disabled_at: expect.any(String),
      disabled_reason: expect.stringContaining('3'),
    });
    const log = (await http().get(`/integrations/webhooks/${endpoint.id}/deliveries`).set('Authorization', auth)).body.deliveries;
    expect(log[0]).toMatchObject({ status: 'failed', attempts: 3, last_status_code: 503 });
    const alerts = await waitFor('the alert', async () => {
      const res = await http().get('/social/alerts').set('Authorization', auth).expect(200);
      return res.body.alerts.length ? (res.body.alerts as Array<Record<string, unknown>>) : null;
    });
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'webhook_disabled', account_id: null, message: expect.stringContaining('127.0.0.1') }),
    ]);
    // a second delivery failing out at the same time finds it already disabled: no second alert
    expect(await stack.api.app.get(WebhookRepository).disableEndpoint(endpoint.id, 'again', new Date())).toBe(false);

    // a disabled endpoint gets nothing more
    await publish.reelFailed(userId, { reel_id: 'r-3', account_id: 1, instagram_user_id: '178' });
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received).toHaveLength(3);

    // fixed on the integrator's side: a test send succeeds and turns it back on
    receiver.setRespond(() => 200);
    const test = await http().post(`/integrations/webhooks/${endpoint.id}/test`).set('Authorization', auth).expect(200);
    expect(test.body).toMatchObject({ event: 'webhook.test', status: 'delivered', attempts: 1, last_status_code: 200 });
    const last = receiver.received[receiver.received.length - 1];
    expect(verify(last.raw, String(last.headers['x-autoreels-signature']), endpoint.secret)).toBe(true);
    const [again] = (await http().get('/integrations/webhooks').set('Authorization', auth)).body as Array<{ enabled: boolean }>;
    expect(again.enabled).toBe(true);
  });

  it('should deliver a pending delivery whose job was lost once the housekeeping sweep runs (PostgreSQL is the truth)', async () => {
    const { auth } = await newUser(stack);
    const endpoint = await register(auth, ['reel.published']);
    const body = JSON.stringify({
      id: '00000000-0000-4000-8000-000000000001',
      type: 'reel.published',
      created_at: new Date().toISOString(),
      data: {},
    });
    await db.query(
      `INSERT INTO webhook_event_deliveries (id, endpoint_id, event_id, event_type, body, created_at)
       VALUES ('00000000-0000-4000-8000-0000000000aa', $1, '00000000-0000-4000-8000-000000000001', 'reel.published', $2, now() - interval '20 minutes')`,
      [endpoint.id, body],
    );
    const sweep = await stack.api.app.get(SweepWebhookDeliveries).execute();
    expect(sweep.requeued).toBe(1);
    await received(1);
    expect(receiver.received[0].raw).toBe(body);
    expect(receiver.received[0].headers['x-autoreels-delivery']).toBe('00000000-0000-4000-8000-0000000000aa');
  });

  it('should validate endpoints, show the secret once and keep endpoints per user', async () => {
    const { auth } = await newUser(stack);
    const other = await newUser(stack);
    for (const body of [
      { url: receiver.url, events: [] },
      { url: receiver.url, events: ['connection.exploded'] },
      { url: receiver.url },
      { events: ['connection.connected'] },
    ]) {
      expect((await http().post('/integrations/webhooks').set('Authorization', auth).send(body).expect(400)).body.code).toBe(
        'VALIDATION_FAILED',
      );
    }
    const refused = await http()
      .post('/integrations/webhooks')
      .set('Authorization', auth)
      .send({ url: 'file:///etc/passwd', events: ['connection.connected'] })
      .expect(400);
    expect(refused.body.code).toBe('WEBHOOK_URL_REFUSED');
    const created = await register(auth, ['connection.connected']);
    expect(created.secret).toMatch(/^whsec_/);
    const list = await http().get('/integrations/webhooks').set('Authorization', auth).expect(200);
    expect(list.text).not.toContain(created.secret);
    await http().get(`/integrations/webhooks/${created.id}/deliveries`).set('Authorization', other.auth).expect(404);
    await http().post(`/integrations/webhooks/${created.id}/test`).set('Authorization', other.auth).expect(404);
    await http().delete(`/integrations/webhooks/${created.id}`).set('Authorization', other.auth).expect(404);
    await http().delete(`/integrations/webhooks/${created.id}`).set('Authorization', auth).expect(204);
    expect((await http().get('/integrations/webhooks').set('Authorization', auth)).body).toEqual([]);
  });
});

describe('outbound webhooks: SSRF guard (production mode, e2e)', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    api = await startApi({ WEBHOOK_SSRF_GUARD: 'true', LOG_LEVEL: 'error' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await api?.close();
  });

  it.each([
    'http://hooks.example.com/x',
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://[::1]/x',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.8/x',
    'https://192.168.1.10/x',
    'https://internal-service/x',
  ])('should refuse %s when the endpoint is saved', async (url) => {
    const { default: request } = await import('supertest');
    const http = () => request.agent(api.app.getHttpServer());
    const email = `ssrf${Date.now()}${Math.random().toString(36).slice(2)}@example.com`;
    await http().post('/auth/register').send({ email, password: 'a-good-password' }).expect(201);
    const token = (await http().post('/auth/login').send({ email, password: 'a-good-password' })).body.access_token as string;
    const res = await http()
      .post('/integrations/webhooks')
      .set('Authorization', `Bearer ${token}`)
      .send({ url, events: ['connection.connected'] })
      .expect(400);
    expect(res.body.code).toBe('WEBHOOK_URL_REFUSED');
  });

  it('should refuse at send time a target that became private after it was saved, and send nothing', async () => {
    const { default: request } = await import('supertest');
    const http = () => request.agent(api.app.getHttpServer());
    const email = `ssrf-send${Date.now()}@example.com`;
    await http().post('/auth/register').send({ email, password: 'a-good-password' }).expect(201);
    const token = (await http().post('/auth/login').send({ email, password: 'a-good-password' })).body.access_token as string;
    const auth = `Bearer ${token}`;
    const created = await http()
      .post('/integrations/webhooks')
      .set('Authorization', auth)
      .send({ url: 'https://hooks.example.com/autoreels', events: ['connection.connected'] })
      .expect(201);
    // as if its DNS now pointed inside, or the row were changed: the send-time check still holds
    await api.app.get(DataSource).query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [created.body.id, receiver.url]);
    const res = await http()
      .post(`/integrations/webhooks/${created.body.id as number}/test`)
      .set('Authorization', auth)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'failed', last_status_code: null, last_error: expect.stringMatching(/^Refused/) });
    expect(receiver.received).toEqual([]);
  });

  it('should refuse a host name that resolves to loopback (checked after DNS, at connect time)', async () => {
    const lookup = guardedLookup({ guard: true });
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(err?.code).toBe('WEBHOOK_TARGET_REFUSED');
    const open = guardedLookup({ guard: false });
    const ok = await new Promise<NodeJS.ErrnoException | null>((resolve) => open('localhost', {}, (e) => resolve(e)));
    expect(ok).toBeNull();
  });
});
