/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { AppConfig } from '../../src/config/app-config';
import { validateEnv } from '../../src/config/env.schema';
import { createClientServer } from '../../src/roles/client';
import { deleteRedisPrefix, startWorkerRole } from '../helpers/lifecycle';
import { startStack, type Stack } from '../helpers/stack';
import { control } from '../helpers/sandbox';

/**
 * One real product for the browser specs: the api role (fresh PostgreSQL database) listening on a
 * real port, the in-process Meta Graph sandbox, and the built Angular client served by the client
 * role, all on free ports on localhost; plus Chromium driven by playwright-core.
 */

export const ROOT = resolve(__dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'artifacts', 'screenshots');
/** The `ng build` output (src/roles/client.ts's CLIENT_DIST assumes it runs from dist/). */
export const CLIENT_DIST = join(ROOT, 'client', 'dist', 'client', 'browser');
export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function chromeBin(): string {
  return process.env.CHROME_BIN ?? '/usr/bin/chromium';
}

function listen(server: Server): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, () => ok((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.closeAllConnections();
    server.close(() => ok());
  });
}

export interface BrowserWorld {
  stack: Stack;
  /** e.g. http://localhost:41234 — where the user's browser opens the app. */
  clientUrl: string;
  apiUrl: string;
  callbackUrl: string;
  /** A fresh browser profile (own user-data dir). */
  newContext(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** A free local port (the api must know its own URL before it listens: it is the redirect URI). */
function freePort(): Promise<number> {
  const probe = createServer();
  return listen(probe).then((port) => close(probe).then(() => port));
}

export interface WorldOptions {
  /** Point FACEBOOK_REDIRECT_URI at the API's callback instead of the client's callback page. */
  callbackAtApi?: boolean;
  /** Also run the worker role in-process (reels get published), with uploads in a temp dir. */
  worker?: boolean;
  /** More environment for the api (and worker), e.g. REELS_POLL_INITIAL_MS. */
  env?: Record<string, string>;
}

export async function startWorld(opts: WorldOptions = {}): Promise<BrowserWorld> {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw new Error(`no client build at ${CLIENT_DIST}: run npm run build:client (test/browser/run.js does it)`);
  }
  const bin = chromeBin();
  if (!existsSync(bin)) throw new Error(`Chromium not found at ${bin} (set CHROME_BIN or apt-get install chromium)`);

  // The client's port must be known before the api boots (FRONTEND_URL, CORS, redirect URI):
  // bind the socket first, attach the express app once the api's URL is known.
  let clientApp: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const clientServer = createServer((req, res) => {
    if (clientApp) clientApp(req, res);
    else res.writeHead(503).end('starting');
  });
  const clientPort = await listen(clientServer);
  const clientUrl = `http://localhost:${clientPort}`;
  const apiPort = await freePort();
  const apiUrl = `http://localhost:${apiPort}`;
  const callbackUrl = opts.callbackAtApi
    ? `${apiUrl}/social/facebook/callback`
    : `${clientUrl}/settings/social-accounts/callback`;

  const uploadDir = opts.worker ? mkdtempSync(join(tmpdir(), 'autoreels-uploads-')) : null;
  const stack = await startStack({
    FRONTEND_URL: clientUrl,
    ALLOWED_ORIGINS: clientUrl,
    FACEBOOK_REDIRECT_URI: callbackUrl,
    PUBLIC_API_URL: apiUrl,
    ...(uploadDir ? { UPLOAD_DIR: uploadDir } : {}),
    ...opts.env,
  });
  await control(stack.sandbox, 'POST', '/apps/redirect-uris', {
    uris: [callbackUrl],
  });
  await stack.api.app.listen(apiPort);
  const config = new AppConfig(validateEnv(stack.api.env));
  clientApp = createClientServer(config, apiUrl, CLIENT_DIST);
  const worker = opts.worker ? await startWorkerRole(stack.api.env) : null;

  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });

  return {
    stack,
    clientUrl,
    apiUrl,
    callbackUrl,
    async newContext(viewport = { width: 1280, height: 900 }) {
      const dir = mkdtempSync(join(tmpdir(), 'autoreels-chromium-'));
      profiles.push(dir);
      const ctx = await chromium.launchPersistentContext(dir, {
        executablePath: bin,
        args: CHROME_ARGS,
        headless: true,
        viewport,
        locale: 'en-GB',
      });
      contexts.push(ctx);
      return ctx;
    },
    async close() {
      for (const ctx of contexts) await ctx.close().catch(() => undefined);
      for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
      await close(clientServer);
      await worker?.close();
      await stack.close();
      if (worker) await deleteRedisPrefix(stack.api.env.REDIS_URL, stack.api.env.REDIS_KEY_PREFIX);
      if (uploadDir) rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** Full-page screenshot under artifacts/screenshots/<name>.png. */
export async function snap(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Uncaught exceptions in the page: a broken screen must fail the spec. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  return errors;
}

/** Everything the client role's Content-Security-Policy blocked (Chromium reports it on the console). */
export function collectCspViolations(page: Page, into: string[] = []): string[] {
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) into.push(`${page.url()}: ${msg.text()}`);
  });
  return into;
}

/** Whether the app's global stylesheet (src/styles.css → styles-*.css) is in effect on this page. */
export function globalStylesheetState(page: Page): Promise<{ href: string; media: string; applies: boolean }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')]
      .filter((l) => /\/styles-[^/]*\.css$/.test(l.href))
      .map((l) => ({
        href: l.href,
        media: l.media,
        applies: !!l.sheet && (l.media === '' || matchMedia(l.media).matches),
      })),
  );
}
