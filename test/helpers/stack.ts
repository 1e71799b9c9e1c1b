import { randomInt } from 'node:crypto';
import request from 'supertest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server';
import { control } from './sandbox';
import { startApi, type StartOptions, type TestApi } from './api-app';

export interface Stack {
  api: TestApi;
  sandbox: RunningSandbox;
  http(): request.Agent;
  close(): Promise<void>;
}

/** The api role against a fresh database and an in-process Meta Graph sandbox on a free port. */
export async function startStack(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({ port: 0, redirectUris: ['http://localhost:3002/settings/social-accounts/callback'] });
  const api = await startApi(
    {
      FACEBOOK_GRAPH_URL: sandbox.url,
      FACEBOOK_DIALOG_URL: sandbox.url,
      // reels' resumable uploads go to the same sandbox (its /rupload), not to a fixed port
      FACEBOOK_RUPLOAD_URL: `${sandbox.url}/rupload`,
      // Instagram Login: the sandbox serves the three Instagram hosts under prefixes
      INSTAGRAM_DIALOG_URL: `${sandbox.url}/instagram/www`,
      INSTAGRAM_API_URL: `${sandbox.url}/instagram/api`,
      INSTAGRAM_GRAPH_URL: `${sandbox.url}/instagram/graph`,
      ...env,
    },
    undefined,
    opts,
  );
  return {
    api,
    sandbox,
    http: () => request.agent(api.app.getHttpServer()),
    close: async () => {
      await api.close();
      await sandbox.close();
    },
  };
}

let counter = 0;
/** Registers and signs in a fresh user; returns the bearer header value. */
export async function newUser(
  stack: Stack,
  email = `user${Date.now()}-${counter++}@example.com`,
): Promise<{ auth: string; email: string }> {
  const password = 'a-good-password';
  await stack.http().post('/auth/register').send({ email, password }).expect(201);
  const res = await stack.http().post('/auth/login').send({ email, password }).expect(200);
  return { auth: `Bearer ${res.body.access_token as string}`, email };
}

export interface DialogChoice {
  user?: string;
  pages?: string[];
  decline?: string[];
  deny?: boolean;
}

/**
 * Starts a login through the API, lets the sandbox's dialog approve (or deny) it, and returns
 * the callback query string Facebook would send the browser back with.
 */
export async function dialog(
  stack: Stack,
  auth: string,
  choice: DialogChoice = {},
  body: Record<string, unknown> = {},
): Promise<string> {
  const login = await stack.http().post('/social/facebook/login').set('Authorization', auth).send(body).expect(200);
  const url = new URL(login.body.login_url as string);
  url.searchParams.set('sandbox_auto', choice.deny ? 'deny' : 'approve');
  if (choice.user) url.searchParams.set('sandbox_user', choice.user);
  if (choice.pages) url.searchParams.set('sandbox_pages', choice.pages.join(','));
  if (choice.decline) url.searchParams.set('sandbox_decline', choice.decline.join(','));
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`dialog did not redirect (${res.status})`);
  return new URL(location).search;
}

export function callback(stack: Stack, auth: string | null, search: string): request.Test {
  const req = stack.http().get(`/social/facebook/callback${search}`).set('Accept', 'application/json');
  return auth ? req.set('Authorization', auth) : req;
}

let people = 0;
/**
 * A Facebook user of the sandbox that no other test logs in as, with one Page (and Instagram
 * account) per username: tests about a shared Facebook grant must not see other tests' connections.
 */
export async function newPerson(stack: Stack, igUsernames: string[]): Promise<string> {
  const suffix = `${Date.now().toString(36)}${people++}`;
  // an explicit random id: a sandbox reset restarts its own numbering, but the database keeps rows
  const id = `3${randomInt(1e9, 1e10 - 1)}${randomInt(1e5, 1e6 - 1)}`;
  const person = await control<{ id: string }>(stack.sandbox, 'POST', '/users', { id, name: `Person ${suffix}` });
  for (const username of igUsernames) {
    await control(stack.sandbox, 'POST', '/pages', {
      user_id: person.id,
      name: `${username} Page`,
      instagram: { username: `${username}.${suffix}` },
    });
  }
  return person.id;
}

export interface InstagramDialogChoice {
  /** The sandbox account: professional id, app-scoped id or username (default: the first one). */
  user?: string;
  decline?: string[];
  deny?: boolean;
}

/**
 * Starts an Instagram Login through the API, lets the sandbox's Instagram dialog approve (or deny)
 * it, and returns the callback query string Instagram sends the browser back with (its `#_`
 * fragment is dropped by browsers; `withFragment` keeps it glued to the code, as a pasted URL).
 */
export async function instagramDialog(
  stack: Stack,
  auth: string,
  choice: InstagramDialogChoice = {},
  body: Record<string, unknown> = {},
): Promise<string> {
  const login = await stack.http().post('/social/instagram/login').set('Authorization', auth).send(body).expect(200);
  const url = new URL(login.body.login_url as string);
  url.searchParams.set('sandbox_auto', choice.deny ? 'deny' : 'approve');
  if (choice.user) url.searchParams.set('sandbox_user', choice.user);
  if (choice.decline) url.searchParams.set('sandbox_decline', choice.decline.join(','));
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`Instagram dialog did not redirect (${res.status})`);
  return new URL(location).search;
}

export function instagramCallback(stack: Stack, auth: string | null, search: string): request.Test {
  const req = stack.http().get(`/social/instagram/callback${search}`).set('Accept', 'application/json');
  return auth ? req.set('Authorization', auth) : req;
}
