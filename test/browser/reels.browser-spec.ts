/// <reference lib="dom" />
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import { ACME_COFFEE_IG, ACME_COFFEE_PAGE, ACME_ROASTERY_PAGE, ALEX_ID, control } from '../helpers/sandbox';
import { ROOT, collectCspViolations, collectPageErrors, snap, startWorld, type BrowserWorld } from './harness';

/**
 * Issue 12: publishing a Reel from the settings screen in real Chromium, with the api, a worker
 * and the Meta sandbox behind it. Asserts what the user sees: the link on the account card, the
 * caption counts, the upload's progress bar, the status turning "Published" by itself, the link to
 * the permalink, and the quota line; then a scheduled reel cancelled from the list, and a reel
 * published with a cover image, an audio name and a collaborator from "More options". The tests
 * share one user and run in order.
 */

const TIMEOUT = 30_000;
const VIDEO_URL = 'https://cdn.example.com/reels/launch.mp4';

let world: BrowserWorld;
let ctx: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
const cspViolations: string[] = [];
const email = `reels${Date.now()}@example.com`;
const password = 'a-good-password';

const byTestId = (id: string): Locator => page.getByTestId(id);

/** The normalised text of the first match once it matches `pattern` (waits up to TIMEOUT). */
async function expectText(l: Locator, pattern: RegExp, timeout = TIMEOUT): Promise<string> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (
      (await l
        .first()
        .textContent()
        .catch(() => null)) ?? ''
    )
      .replace(/\s+/g, ' ')
      .trim();
    if (pattern.test(last)) return last;
    await page.waitForTimeout(100);
  }
  const screen = (
    (await page
      .locator('main')
      .textContent()
      .catch(() => '')) ?? ''
  ).replace(/\s+/g, ' ');
  throw new Error(`expected text ${pattern} but saw ${JSON.stringify(last)}; the screen says: ${screen}`);
}

async function onSettings(): Promise<void> {
  await page.waitForURL((u) => u.pathname === '/settings/social-accounts', { timeout: TIMEOUT });
  await page.getByText('Loading your accounts…').waitFor({ state: 'detached', timeout: TIMEOUT });
}

async function onReelsScreen(): Promise<void> {
  await page.waitForURL((u) => /^\/settings\/social-accounts\/\d+\/reels$/.test(u.pathname), { timeout: TIMEOUT });
  await page.getByRole('heading', { name: 'Reels for @acme.coffee', level: 1 }).waitFor({ timeout: TIMEOUT });
}

interface SandboxMedia {
  id: string;
  permalink: string;
  caption: string | null;
  video_url: string | null;
  upload_size: number | null;
}

async function publishedMedia(): Promise<SandboxMedia[]> {
  return (await control<{ data: SandboxMedia[] }>(world.stack.sandbox, 'GET', `/reels/media?ig_user_id=${ACME_COFFEE_IG}`)).data;
}

interface SandboxContainer {
  video_url: string | null;
  cover_url: string | null;
  thumb_offset: number | null;
  audio_name: string | null;
  collaborators: string[];
}

/** Every container Meta (the sandbox) was asked to make for @acme.coffee. */
async function containers(): Promise<SandboxContainer[]> {
  return (
    await control<{ data: SandboxContainer[] }>(world.stack.sandbox, 'GET', `/reels/containers?ig_user_id=${ACME_COFFEE_IG}`)
  ).data;
}

beforeAll(async () => {
  world = await startWorld({
    worker: true,
    env: { REELS_POLL_INITIAL_MS: '250', REELS_POLL_MAX_MS: '1000', REELS_RETRY_INITIAL_MS: '250' },
  });
  // Instagram takes a moment to process a video: long enough to see the status move.
  await control(world.stack.sandbox, 'POST', '/reels/config', { processing_seconds: 2 });
  ctx = await world.newContext();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  pageErrors = collectPageErrors(page);
  collectCspViolations(page, cspViolations);
}, 120_000);

afterAll(async () => {
  await world?.close();
});

afterEach(() => {
  const errors = pageErrors.splice(0);
  expect(errors).toEqual([]);
});

describe('publish a Reel from the settings screen in a real browser', () => {
  test('register and connect @acme.coffee through the consent page', async () => {
    await page.goto(`${world.clientUrl}/register`);
    await byTestId('register-email').fill(email);
    await byTestId('register-password').fill(password);
    await byTestId('register-submit').click();
    await onSettings();
    await byTestId('empty-state').waitFor({ timeout: TIMEOUT });

    await byTestId('connect-button').click();
    await page.waitForURL((u) => u.href.startsWith(world.stack.sandbox.url) && u.pathname.endsWith('/dialog/oauth'), {
      timeout: TIMEOUT,
    });
    await page.locator(`#user-${ALEX_ID}`).check();
    // only the Page whose Instagram account we publish to: no picker in between
    await page.locator(`#page-${ACME_COFFEE_PAGE}`).check();
    await page.locator(`#page-${ACME_ROASTERY_PAGE}`).uncheck();
    await page.locator('#approve').click();

    await onSettings();
    await expectText(byTestId('flash-message'), /Connected @acme\.coffee/);
    const card = page.locator('[data-testid="account-card"][data-username="acme.coffee"]');
    await card.waitFor({ timeout: TIMEOUT });
    await expectText(card.getByTestId('account-status'), /^Connected$/);
  });

  test('publish by video URL: counts and warning while typing, then "Published" with the permalink', async () => {
    const card = page.locator('[data-testid="account-card"][data-username="acme.coffee"]');
    await expectText(card.getByTestId('publish-reel-link'), /^Publish a Reel$/);
    await card.getByTestId('publish-reel-link').click();
    await onReelsScreen();
    await expectText(byTestId('reel-quota'), /^0 of 100 posts in the last 24 h$/);
    await expectText(byTestId('reels-empty'), /No reels yet/);

    await byTestId('reel-video-url').fill(VIDEO_URL);
    const caption = 'Launch day ☕ #coffee #roast #beans #espresso #morning #fresh';
    await byTestId('reel-caption').fill(caption);
    await expectText(byTestId('caption-count'), /^60 \/ 2,200 characters · 6 hashtags$/);
    await expectText(byTestId('caption-hashtag-warning'), /Instagram shows at most 5 hashtags/);
    // five is fine
    await byTestId('reel-caption').fill('Launch day ☕ #coffee #roast #beans #espresso #morning');
    await expectText(byTestId('caption-count'), /^53 \/ 2,200 characters · 5 hashtags$/);
    expect(await byTestId('caption-hashtag-warning').count()).toBe(0);

    // a double click must not make two reels
    await byTestId('reel-submit').dblclick();
    await expectText(byTestId('reel-notice'), /Sent to Instagram/);
    const item = byTestId('reel-item');
    await item.first().waitFor({ timeout: TIMEOUT });
    expect(await item.count()).toBe(1);
    const first = await expectText(item.first().getByTestId('reel-status'), /./);
    expect(first).not.toBe('Published');
    await snap(page, 'reels-pending');

    // the screen polls by itself: no reload
    await expectText(item.first().getByTestId('reel-status'), /^Published$/);
    const link = item.first().getByTestId('reel-permalink');
    await expectText(link, /^View on Instagram$/);
    const media = await publishedMedia();
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({
      video_url: VIDEO_URL,
      caption: 'Launch day ☕ #coffee #roast #beans #espresso #morning',
    });
    expect(await link.getAttribute('href')).toBe(media[0].permalink);
    expect(media[0].permalink).toMatch(/^https:\/\/www\.instagram\.com\/reel\//);
    await expectText(byTestId('reel-quota'), /^1 of 100 posts in the last 24 h$/);
    expect(await byTestId('reel-item').count()).toBe(1);
    await snap(page, 'reels-published');
  });

  test('publish by file upload: the progress bar moves, then the reel is published from those bytes', async () => {
    await byTestId('reel-source-file').check();
    const size = 1024 * 1024;
    const bytes = Buffer.alloc(size);
    // "mp4-like": an ftyp box up front, the rest filler (the sandbox accepts any bytes)
    Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex').copy(bytes);
    await byTestId('reel-file').setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: bytes });
    await byTestId('reel-caption').fill('Straight from the roastery #coffee');

    // Slow the upload down (DevTools throttling) so the bar is seen part-way, as on a real link.
    const cdp: CDPSession = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    const seen = new Set<number>();
    let snapped = false;
    try {
      await byTestId('reel-submit').click();
      const bar = byTestId('upload-progress');
      await bar.waitFor({ timeout: TIMEOUT });
      await expectText(byTestId('upload-progress-text'), /^Uploading clip\.mp4/);
      const deadline = Date.now() + TIMEOUT;
      while (Date.now() < deadline) {
        const now = await bar.getAttribute('aria-valuenow', { timeout: 200 }).catch(() => null);
        if (now !== null && now !== '') seen.add(Number(now));
        if (!snapped && [...seen].some((v) => v > 0 && v < 100)) {
          snapped = true;
          await snap(page, 'reels-uploading');
        }
        if (seen.has(100) || (await bar.count()) === 0) break;
        await page.waitForTimeout(50);
      }
    } finally {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await cdp.detach();
    }
    // the bar showed the upload going, not just a jump from nothing to done
    expect([...seen].some((v) => v > 0 && v < 100)).toBe(true);

    await expectText(byTestId('reel-notice'), /Sent to Instagram/);
    const newest = byTestId('reel-item').first();
    await expectText(newest.getByTestId('reel-item-caption'), /^Straight from the roastery #coffee$/);
    await expectText(newest, /Uploaded video/);
    await expectText(newest.getByTestId('reel-status'), /^Published$/);
    expect(await byTestId('reel-item').count()).toBe(2);
    const media = await publishedMedia();
    expect(media).toHaveLength(2);
    // newest first: the sandbox received the very bytes chosen in the browser
    expect(media[0]).toMatchObject({ caption: 'Straight from the roastery #coffee', upload_size: size });
    expect(await newest.getByTestId('reel-permalink').getAttribute('href')).toBe(media[0].permalink);
    await expectText(byTestId('reel-quota'), /^2 of 100 posts in the last 24 h$/);
    expect(await byTestId('upload-progress').count()).toBe(0);
    await snap(page, 'reels-uploaded');
  });

  test('schedule a reel for later, then cancel it from the list: "Cancelled", and Instagram never hears of it', async () => {
    const before = (await containers()).length;
    await byTestId('reel-source-url').check();
    await byTestId('reel-video-url').fill('https://cdn.example.com/reels/friday.mp4');
    await byTestId('reel-caption').fill('Friday drop #coffee');
    // two days ahead in the browser's own time zone, as a person picks it
    const later = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 86_400_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await byTestId('reel-publish-at').fill(later);
    await expectText(byTestId('reel-submit'), /^Schedule Reel$/);
    await byTestId('reel-submit').click();
    await expectText(byTestId('reel-notice'), /^Scheduled for /);

    const newest = byTestId('reel-item').first();
    await expectText(newest.getByTestId('reel-item-caption'), /^Friday drop #coffee$/);
    await expectText(newest.getByTestId('reel-status'), /^Scheduled$/);
    // a real button, named after the reel it cancels; none on the published reels
    const cancel = page.getByRole('button', { name: /^Cancel the reel scheduled for .+, "Friday drop #coffee"$/ });
    expect(await cancel.count()).toBe(1);
    expect(await byTestId('reel-cancel').count()).toBe(1);
    await snap(page, 'reels-scheduled');

    await cancel.click();
    await expectText(newest.getByTestId('reel-status'), /^Cancelled$/);
    expect(await newest.getByTestId('reel-cancel').count()).toBe(0);
    expect(await newest.getByTestId('reel-cancel-error').count()).toBe(0);
    await expectText(byTestId('reels-announcement'), /^Cancelled the reel scheduled for .+"Friday drop #coffee"\.$/);
    await snap(page, 'reels-cancelled');

    // the API kept it cancelled: a reload says the same, and no container was ever asked of Meta
    await page.reload();
    await onReelsScreen();
    const again = byTestId('reel-item').first();
    await expectText(again.getByTestId('reel-item-caption'), /^Friday drop #coffee$/);
    await expectText(again.getByTestId('reel-status'), /^Cancelled$/);
    expect(await byTestId('reel-cancel').count()).toBe(0);
    expect(await containers()).toHaveLength(before);
  });

  test('publish with a cover image, an audio name and a collaborator from "More options"', async () => {
    await byTestId('reel-video-url').fill('https://cdn.example.com/reels/together.mp4');
    await byTestId('reel-caption').fill('Roasted together #coffee');
    const more = byTestId('reel-more-toggle');
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    expect(await byTestId('reel-collaborators').count()).toBe(0);
    await more.click();
    await byTestId('reel-more-options').waitFor({ timeout: TIMEOUT });
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    await byTestId('reel-cover-image').check();
    await byTestId('reel-cover-url').fill('https://cdn.example.com/reels/together-cover.jpg');
    await byTestId('reel-audio-name').fill('Acme morning mix');
    // the API's rule, checked before anything is sent
    await byTestId('reel-collaborators').fill('@acme.roastery, not-a-name');
    const containersBefore = (await containers()).length;
    await byTestId('reel-submit').click();
    await expectText(byTestId('reel-collaborators-error'), /^"not-a-name" is not an Instagram username/);
    // the keyboard lands on the field to fix
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'reel-collaborators', null, {
      timeout: 5000,
    });
    expect(await byTestId('reel-notice').count()).toBe(0);

    await byTestId('reel-collaborators').fill('@acme.roastery');
    await byTestId('reel-collaborators-error').waitFor({ state: 'detached', timeout: TIMEOUT });
    await snap(page, 'reels-more-options');
    await byTestId('reel-submit').click();
    await expectText(byTestId('reel-notice'), /Sent to Instagram/);
    const newest = byTestId('reel-item').first();
    await expectText(newest.getByTestId('reel-item-caption'), /^Roasted together #coffee$/);
    await expectText(newest.getByTestId('reel-status'), /^Published$/);

    // Meta was asked for exactly that: the cover, the audio's name, the collaborator without "@"
    const made = (await containers()).filter((c) => c.video_url === 'https://cdn.example.com/reels/together.mp4');
    expect(made).toHaveLength(1);
    expect((await containers()).length).toBe(containersBefore + 1);
    expect(made[0]).toMatchObject({
      cover_url: 'https://cdn.example.com/reels/together-cover.jpg',
      thumb_offset: null,
      audio_name: 'Acme morning mix',
      collaborators: ['acme.roastery'],
    });
    const media = await publishedMedia();
    expect(media[0]).toMatchObject({ caption: 'Roasted together #coffee', collaborators: ['acme.roastery'] });
    await expectText(byTestId('reel-quota'), /^3 of 100 posts in the last 24 h$/);
    // the form is ready for the next reel
    expect(await byTestId('reel-collaborators').inputValue()).toBe('');
  });

  test('at 360px the reels screen does not overflow and Publish is reachable', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      await page.reload();
      await onReelsScreen();
      await byTestId('reel-item').first().waitFor({ timeout: TIMEOUT });
      expect(await page.evaluate(() => document.scrollingElement?.scrollWidth ?? -1)).toBeLessThanOrEqual(360);
      const submit = byTestId('reel-submit');
      await submit.scrollIntoViewIfNeeded();
      const box = await submit.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(360);
      await snap(page, 'reels-mobile-360');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('the reels screen is styled and the CSP blocked nothing', () => {
    expect([...new Set(cspViolations.map((v) => v.replace(/^\S+: /, '')))]).toEqual([]);
  });
});

afterAll(() => {
  // The README's screenshot, refreshed on request only: UPDATE_DOCS_SCREENSHOTS=1 node test/browser/run.js
  if (!process.env.UPDATE_DOCS_SCREENSHOTS) return;
  const docs = join(ROOT, 'docs', 'screenshots');
  mkdirSync(docs, { recursive: true });
  try {
    copyFileSync(join(ROOT, 'artifacts', 'screenshots', 'reels-uploading.png'), join(docs, 'reels.png'));
  } catch {
    /* the screen was never reached: that test already failed */
  }
});
