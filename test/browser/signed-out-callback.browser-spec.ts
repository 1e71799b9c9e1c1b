/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { ReconnectLinkService } from '../../src/modules/alerts/reconnect-link.service';
import { SAM_ID } from '../helpers/sandbox';
import { callback, dialog, newUser } from '../helpers/stack';
import { collectPageErrors, snap, startWorld, type BrowserWorld } from './harness';

/**
 * Issue 10 in real Chromium: a login is completed only by the AutoReels user who started it. A
 * signed-out person who follows an e-mailed reconnect link passes the Facebook dialog, lands on
 * the API's callback (FACEBOOK_REDIRECT_URI pointed at the API), is handed to the client's
 * callback page and asked to sign in (the query kept through the sign-in), and the renewal
 * completes with their bearer. A stranger holding the same link signs in as themselves and
 * connects nothing.
 */

const TIMEOUT = 30_000;
const password = 'a-good-password';
let world: BrowserWorld;

beforeAll(async () => {
  // Facebook sends the browser straight to the API: the hole was that this request alone connected
  world = await startWorld({ callbackAtApi: true });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

/** A user with @sam.studio connected through the API, and a fresh reconnect link for it. */
async function userWithLink(): Promise<{ email: string; auth: string; accountId: number; link: string }> {
  const { auth, email } = await newUser(world.stack);
  const res = await callback(world.stack, auth, await dialog(world.stack, auth, { user: SAM_ID })).expect(200);
  const accountId = res.body.accounts[0].id as number;
  const me = await world.stack.http().get('/auth/me').set('Authorization', auth).expect(200);
  const { url } = await world.stack.api.app.get(ReconnectLinkService).issue(me.body.id as number, accountId);
  // the link names PUBLIC_API_URL; the test api listens on its own port
  return { email, auth, accountId, link: `${world.apiUrl}${new URL(url).pathname}` };
}

/** Opens the link in a fresh, signed-out browser and approves the sandbox's consent page as Sam. */
async function followLinkAndApprove(link: string): Promise<Page> {
  const ctx = await world.newContext();
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(link);
  await page.waitForURL((u) => u.href.startsWith(world.stack.sandbox.url) && u.pathname.endsWith('/dialog/oauth'), {
    timeout: TIMEOUT,
  });
  await page.locator(`#user-${SAM_ID}`).check();
  await page.locator('#approve').click();
  // back at the client, signed out: the callback page sends the person to sign in first
  await page.waitForURL((u) => u.pathname === '/login', { timeout: TIMEOUT });
  return page;
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

async function eventTypes(auth: string, accountId: number): Promise<string[]> {
  const res = await world.stack.http().get(`/social/accounts/${accountId}/events`).set('Authorization', auth).expect(200);
  return (res.body.events as Array<{ type: string }>).map((e) => e.type);
}

test('a signed-out user arriving from an e-mail link signs in and the renewal completes', async () => {
  const { email, auth, accountId, link } = await userWithLink();
  const page = await followLinkAndApprove(link);
  const errors = collectPageErrors(page);

  // the query (code and state) is kept through the sign-in
  const returnUrl = new URL(page.url()).searchParams.get('returnUrl') ?? '';
  expect(returnUrl.startsWith('/settings/social-accounts/callback?')).toBe(true);
  expect(new URLSearchParams(returnUrl.split('?')[1]).has('code')).toBe(true);
  expect(await page.getByTestId('login-reason').textContent()).toContain('Sign in to finish connecting');
  await snap(page, 'signed-out-callback-login');

  await signIn(page, email);
  await page.waitForURL((u) => u.pathname === '/settings/social-accounts', { timeout: TIMEOUT });
  await page.getByTestId('flash-message').waitFor({ timeout: TIMEOUT });
  expect(await page.getByTestId('flash-message').textContent()).toMatch(/Connected @sam\.studio/);
  expect(await eventTypes(auth, accountId)).toEqual(['reconnect', 'connect']);

  // the connect through the link completed: following it again lands on a clear error
  await page.goto(link);
  await page.waitForURL((u) => u.searchParams.get('error') === 'RECONNECT_LINK_INVALID', { timeout: TIMEOUT });
  expect(errors).toEqual([]);
});

test('a stranger holding the link and the code signs in as themselves and connects nothing', async () => {
  const { auth, accountId, link } = await userWithLink();
  const stranger = await newUser(world.stack);
  const page = await followLinkAndApprove(link);
  const errors = collectPageErrors(page);

  await signIn(page, stranger.email);
  await page.waitForURL((u) => u.pathname === '/settings/social-accounts', { timeout: TIMEOUT });
  await page.getByTestId('flash-message').waitFor({ timeout: TIMEOUT });
  expect(await page.getByTestId('flash-message').textContent()).toMatch(
    /not valid for the AutoReels account you are signed in to/,
  );
  await snap(page, 'signed-out-callback-stranger');

  const accounts = await world.stack.http().get('/social/accounts').set('Authorization', stranger.auth).expect(200);
  expect(accounts.body.accounts).toEqual([]);
  // the owner's account was not renewed either
  expect(await eventTypes(auth, accountId)).toEqual(['connect']);
  expect(errors).toEqual([]);
});
