/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { control } from '../helpers/sandbox';
import { newUser } from '../helpers/stack';
import { collectPageErrors, snap, startWorld, type BrowserWorld } from './harness';

/**
 * Issue 13 in real Chromium: "Connect with Instagram" next to Facebook's button, the sandbox's
 * Instagram dialog, the client's Instagram callback page, and a card that says how the account
 * was connected. Then the same as a signed-out person: the callback page asks for sign-in first.
 */

const TIMEOUT = 30_000;
const LENA_IG = '17841400000000101';
let world: BrowserWorld;

beforeAll(async () => {
  world = await startWorld();
  // the Instagram app's redirect URI: the client's Instagram callback page (INSTAGRAM_REDIRECT_URI's default)
  await control(world.stack.sandbox, 'POST', '/instagram/redirect-uris', {
    uris: [`${world.clientUrl}/settings/social-accounts/callback/instagram`],
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function signIn(page: Page, email: string): Promise<void> {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill('a-good-password');
  await page.getByTestId('login-submit').click();
}

async function approveAsLena(page: Page): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(`${world.stack.sandbox.url}/instagram/www/oauth/authorize`), {
    timeout: TIMEOUT,
  });
  await page.locator(`input[name="ig_user"][value="${LENA_IG}"]`).check();
  await page.locator('#approve').click();
}

test('a signed-in user connects with Instagram and the card says so', async () => {
  const { email, auth } = await newUser(world.stack);
  const ctx = await world.newContext();
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const errors = collectPageErrors(page);
  await page.goto(`${world.clientUrl}/settings/social-accounts`);
  await page.waitForURL((u) => u.pathname === '/login', { timeout: TIMEOUT });
  await signIn(page, email);
  await page.getByTestId('empty-state').waitFor({ state: 'visible', timeout: TIMEOUT });
  // both ways, side by side, each saying when to choose it
  expect(await page.getByTestId('connect-choice-facebook').textContent()).toContain('Connect with Facebook when');
  expect(await page.getByTestId('connect-choice-instagram').textContent()).toContain('no Facebook Page');
  await snap(page, 'instagram-connect-choices');

  await page.getByTestId('connect-instagram-button').click();
  await approveAsLena(page);
  await page.waitForURL((u) => u.pathname === '/settings/social-accounts', { timeout: TIMEOUT });
  const card = page.locator('[data-testid="account-card"][data-username="lena.bakes"]');
  await card.waitFor({ state: 'visible', timeout: TIMEOUT });
  expect(await card.getByTestId('login-type').textContent()).toContain('Connected with Instagram');
  expect(await page.getByTestId('flash-message').textContent()).toContain('Connected @lena.bakes');
  // the single-use code is not left in the address bar
  expect(page.url()).not.toContain('code=');
  await snap(page, 'instagram-connected-card');

  const accounts = await world.stack.http().get('/social/accounts').set('Authorization', auth).expect(200);
  expect(accounts.body.accounts).toMatchObject([{ login_type: 'instagram', ig_user_id: LENA_IG, facebook_page_name: null }]);
  expect(errors).toEqual([]);
}, 90_000);

test('a signed-out browser landing on the Instagram callback page signs in first, then the login completes', async () => {
  const { email, auth } = await newUser(world.stack);
  const login = await world.stack.http().post('/social/instagram/login').set('Authorization', auth).send({}).expect(200);
  const ctx = await world.newContext();
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(login.body.login_url as string);
  await approveAsLena(page);
  await page.waitForURL((u) => u.pathname === '/login', { timeout: TIMEOUT });
  const returnUrl = new URL(page.url()).searchParams.get('returnUrl') ?? '';
  expect(returnUrl.startsWith('/settings/social-accounts/callback/instagram?')).toBe(true);
  await signIn(page, email);
  await page.waitForURL((u) => u.pathname === '/settings/social-accounts', { timeout: TIMEOUT });
  await page.locator('[data-testid="account-card"][data-username="lena.bakes"]').waitFor({ state: 'visible', timeout: TIMEOUT });
}, 90_000);
