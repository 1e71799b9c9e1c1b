/// <reference lib="dom" />
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { verifySignature } from '../../src/modules/integrations/domain/webhook-signature';
import { startReceiver } from '../helpers/webhook-receiver';
import { collectPageErrors, snap, startWorld, type BrowserWorld } from './harness';

/**
 * Issue 14 in real Chromium: a signed-in user creates an API key (shown once) and a webhook
 * endpoint, then sends a test event that a real local receiver gets, signed with the secret the
 * screen showed once.
 */
const TIMEOUT = 30_000;

let world: BrowserWorld;
let ctx: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const byTestId = (id: string): Locator => page.getByTestId(id);

beforeAll(async () => {
  receiver = await startReceiver();
  world = await startWorld();
  ctx = await world.newContext();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  pageErrors = collectPageErrors(page);
}, 120_000);

afterAll(async () => {
  await world?.close();
  await receiver?.close();
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

describe('integrations settings in a real browser', () => {
  test('create an API key, copy it once, and see it listed by prefix only', async () => {
    await page.goto(`${world.clientUrl}/register`);
    await byTestId('register-email').fill(`integrator${Date.now()}@example.com`);
    await byTestId('register-password').fill('a-good-password');
    await byTestId('register-submit').click();
    await page.waitForURL((u) => u.pathname === '/settings/social-accounts', { timeout: TIMEOUT });

    await byTestId('nav-api-keys').click();
    await page.waitForURL((u) => u.pathname === '/settings/api-keys', { timeout: TIMEOUT });
    await byTestId('api-key-name').fill('Publishing backend');
    await byTestId('api-key-write').check();
    await byTestId('api-key-create').click();
    const key = ((await byTestId('secret-value').textContent({ timeout: TIMEOUT })) ?? '').trim();
    expect(key).toMatch(/^ark_[A-Za-z0-9_-]{43}$/);
    await snap(page, 'api-keys-created');
    // the key works as a bearer right away
    const me = await fetch(`${world.apiUrl}/auth/me`, { headers: { Authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);

    await byTestId('secret-done').click();
    await byTestId('secret-reveal').waitFor({ state: 'detached', timeout: TIMEOUT });
    const row = byTestId('api-key-row').first();
    await expect(row.textContent()).resolves.toContain(key.slice(0, 12));
    expect(await page.content()).not.toContain(key);
  });

  test('register a webhook endpoint and send a signed test event to a local receiver', async () => {
    await byTestId('nav-webhooks').click();
    await page.waitForURL((u) => u.pathname === '/settings/webhooks', { timeout: TIMEOUT });
    await byTestId('webhook-url').fill(receiver.url);
    await byTestId('event-connection.revoked').waitFor({ timeout: TIMEOUT });
    await byTestId('webhook-create').click();
    const secret = ((await byTestId('secret-value').textContent({ timeout: TIMEOUT })) ?? '').trim();
    expect(secret).toMatch(/^whsec_/);
    await byTestId('secret-done').click();
    await expect(byTestId('webhook-endpoint-url').first().textContent()).resolves.toBe(receiver.url);

    await byTestId('webhook-test').click();
    await byTestId('webhook-delivery-status').first().waitFor({ timeout: TIMEOUT });
    await expect(byTestId('webhook-delivery-status').first().textContent()).resolves.toBe('delivered');
    await snap(page, 'webhooks-test-sent');

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got.headers['x-autoreels-event']).toBe('webhook.test');
    expect(JSON.parse(got.raw)).toMatchObject({ type: 'webhook.test', data: { message: expect.any(String) } });
    expect(verifySignature(secret, String(got.headers['x-autoreels-signature']), got.raw, Math.floor(Date.now() / 1000))).toBe(
      true,
    );
  });
});
