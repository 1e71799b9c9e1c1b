import { type ComponentFixture, TestBed } from '@angular/core/testing';

import { allByTestId, byTestId, settle } from '../../../testing/dom';
import { aPublishedReel, aReel } from '../../../testing/reels.fixtures';
import { TEST_NOW, provideTestApp } from '../../../testing/test-providers';
import type { Reel, ReelStatus } from '../data/reels.model';
import { type CancelState, ReelList } from './reel-list';
import { formatDateTime } from './reel-view';

describe('ReelList', () => {
  let fixture: ComponentFixture<ReelList>;
  let el: HTMLElement;

  async function show(reels: Reel[]): Promise<HTMLElement[]> {
    fixture.componentRef.setInput('reels', reels);
    await settle(fixture);
    return allByTestId(el, 'reel-item');
  }
  const textOf = (root: ParentNode, id: string): string | null =>
    byTestId(root, id)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideTestApp()] });
    fixture = TestBed.createComponent(ReelList);
    fixture.componentRef.setInput('now', TEST_NOW);
    el = fixture.nativeElement as HTMLElement;
  });

  it('should say there are none yet when the account has no reels', async () => {
    expect(await show([])).toHaveLength(0);
    expect(textOf(el, 'reels-empty')).toContain('No reels yet');
  });

  it.each<[ReelStatus, string]>([
    ['scheduled', 'Scheduled'],
    ['queued', 'Queued'],
    ['uploading', 'Uploading to Instagram'],
    ['processing', 'Processing at Instagram'],
    ['publishing', 'Publishing'],
    ['published', 'Published'],
    ['failed', 'Failed'],
    ['cancelled', 'Cancelled'],
  ])('should label a %s reel "%s"', async (status, label) => {
    const [item] = await show([aReel({ status })]);
    expect(textOf(item, 'reel-status')).toBe(label);
  });

  it('should link to the post on Instagram when published, and nowhere before', async () => {
    const [done, waiting] = await show([
      aPublishedReel({ id: 2, permalink: 'https://www.instagram.com/reel/C0ffee123/' }),
      aReel({ id: 1, status: 'processing' }),
    ]);
    const link = byTestId<HTMLAnchorElement>(done, 'reel-permalink')!;
    expect(link.textContent!.trim()).toBe('View on Instagram');
    expect(link.href).toBe('https://www.instagram.com/reel/C0ffee123/');
    expect(link.target).toBe('_blank');
    expect(link.rel).toContain('noopener');
    expect(byTestId(waiting, 'reel-permalink')).toBeNull();
    expect(byTestId(waiting, 'reel-error')).toBeNull();
  });

  it("should give the reason of a failure in the API's words", async () => {
    const [item] = await show([
      aReel({
        status: 'failed',
        error_code: 'MEDIA_ERROR_2207026',
        error_message:
          'The video format is not supported. Use MP4 or MOV with H.264 or HEVC video and AAC audio.',
      }),
    ]);
    expect(textOf(item, 'reel-error')).toBe(
      'The video format is not supported. Use MP4 or MOV with H.264 or HEVC video and AAC audio.',
    );
    expect(byTestId(item, 'reel-permalink')).toBeNull();
  });

  it('should fall back to our own sentence when a failure carries only a code', async () => {
    const [item] = await show([
      aReel({ status: 'failed', error_code: 'NEEDS_RECONNECT', error_message: null }),
    ]);
    expect(textOf(item, 'reel-error')).toContain('Facebook no longer accepts this connection.');
  });

  it('should say when a scheduled reel goes out and when a queued one waits for the quota', async () => {
    const at = '2026-06-20T09:00:00.000Z';
    const later = '2026-06-15T14:30:00.000Z';
    const [scheduled, waiting] = await show([
      aReel({ id: 2, status: 'scheduled', publish_at: at }),
      aReel({ id: 1, status: 'queued', next_attempt_at: later }),
    ]);
    expect(textOf(scheduled, 'reel-when')).toBe(`Publishes ${formatDateTime(at)}`);
    expect(textOf(waiting, 'reel-when')).toBe(
      `Waiting for Instagram's publishing limit; next try ${formatDateTime(later)}`,
    );
  });

  it('should show the caption and where the video comes from', async () => {
    const [byUrl, uploaded] = await show([
      aReel({ id: 2, caption: 'Hello #coffee', video_url: 'https://cdn.example.com/a.mp4?sig=1' }),
      aReel({ id: 1, caption: null, video_url: null, upload_id: 'u-1', share_to_feed: false }),
    ]);
    expect(textOf(byUrl, 'reel-item-caption')).toBe('Hello #coffee');
    expect(byUrl.textContent).toContain('Video: cdn.example.com/a.mp4');
    expect(textOf(uploaded, 'reel-item-caption')).toBe('No caption');
    expect(uploaded.textContent).toContain('Uploaded video');
    expect(uploaded.textContent).toContain('Reels tab only');
  });

  describe('cancel', () => {
    const at = '2026-06-20T09:00:00.000Z';
    const scheduled = (overrides: Partial<Reel> = {}): Reel =>
      aReel({
        id: 7,
        status: 'scheduled',
        publish_at: at,
        caption: 'Launch day #coffee',
        ...overrides,
      });
    const cancelButton = (root: ParentNode): HTMLButtonElement | null =>
      byTestId<HTMLButtonElement>(root, 'reel-cancel');

    it('should offer Cancel only on a reel still scheduled, named after that reel', async () => {
      const items = await show([
        scheduled(),
        aReel({ id: 6, status: 'queued' }),
        aPublishedReel({ id: 5 }),
        aReel({ id: 4, status: 'cancelled' }),
      ]);
      const button = cancelButton(items[0])!;
      expect(button.tagName).toBe('BUTTON');
      expect(button.type).toBe('button');
      expect(button.textContent!.trim()).toBe('Cancel');
      expect(button.getAttribute('aria-label')).toBe(
        `Cancel the reel scheduled for ${formatDateTime(at)}, "Launch day #coffee"`,
      );
      expect(items.slice(1).map((i) => cancelButton(i))).toEqual([null, null, null]);
    });

    it("should offer Cancel on a reel waiting for Instagram's publishing limit, not on one about to start", async () => {
      const later = new Date(TEST_NOW.getTime() + 3_600_000).toISOString();
      const earlier = new Date(TEST_NOW.getTime() - 1_000).toISOString();
      const items = await show([
        aReel({ id: 9, status: 'queued', next_attempt_at: later, caption: 'Friday drop' }),
        aReel({ id: 8, status: 'queued', next_attempt_at: earlier }),
        aReel({ id: 6, status: 'queued', next_attempt_at: later, container_id: '1790001' }),
      ]);
      expect(cancelButton(items[0])!.getAttribute('aria-label')).toBe(
        `Cancel the reel waiting for Instagram's publishing limit, "Friday drop"`,
      );
      expect(items.slice(1).map((i) => cancelButton(i))).toEqual([null, null]);
    });

    it('should ask the page to cancel that reel, once, and show it in flight', async () => {
      const asked: Reel[] = [];
      fixture.componentInstance.cancelReel.subscribe((r) => asked.push(r));
      const [item] = await show([scheduled()]);
      cancelButton(item)!.click();
      expect(asked.map((r) => r.id)).toEqual([7]);

      fixture.componentRef.setInput(
        'cancels',
        new Map<number, CancelState>([[7, { busy: true, error: null }]]),
      );
      await settle(fixture);
      const busy = cancelButton(item)!;
      expect(busy.disabled).toBe(true);
      expect(busy.textContent!.trim()).toBe('Cancelling…');
      busy.click();
      expect(asked).toHaveLength(1);
    });

    it('should show why a cancel was refused as an alert, with the button usable again', async () => {
      fixture.componentRef.setInput(
        'cancels',
        new Map<number, CancelState>([[7, { busy: false, error: 'Too late.' }]]),
      );
      const [item] = await show([scheduled()]);
      const alert = byTestId(item, 'reel-cancel-error')!;
      expect(alert.getAttribute('role')).toBe('alert');
      expect(alert.textContent!.trim()).toBe('Too late.');
      expect(cancelButton(item)!.disabled).toBe(false);
    });

    it('should keep the keyboard on the reel when its Cancel button goes away', async () => {
      document.body.appendChild(el);
      try {
        const [item] = await show([scheduled()]);
        const button = cancelButton(item)!;
        button.focus();
        button.click();
        fixture.componentRef.setInput(
          'cancels',
          new Map<number, CancelState>([[7, { busy: true, error: null }]]),
        );
        await settle(fixture);
        button.blur(); // what a browser does to a focused button that gets disabled
        fixture.componentRef.setInput('cancels', new Map<number, CancelState>());
        fixture.componentRef.setInput('reels', [scheduled({ status: 'cancelled' })]);
        await settle(fixture);
        const [after] = allByTestId(el, 'reel-item');
        expect(textOf(after, 'reel-status')).toBe('Cancelled');
        expect(cancelButton(after)).toBeNull();
        expect(document.activeElement).toBe(after);
      } finally {
        el.remove();
      }
    });

    it('should tell screen readers how the cancel went', async () => {
      fixture.componentRef.setInput('announcement', 'Cancelled the reel scheduled for soon.');
      await show([]);
      const live = byTestId(el, 'reels-announcement')!;
      expect(live.getAttribute('aria-live')).toBe('polite');
      expect(live.textContent!.trim()).toBe('Cancelled the reel scheduled for soon.');
    });
  });

  describe('show older', () => {
    it('should offer "Show older" only when there is a page below', async () => {
      await show([aReel()]);
      expect(byTestId(el, 'reels-show-older')).toBeNull();
      fixture.componentRef.setInput('older', { available: true, loading: false, error: null });
      await settle(fixture);
      expect(byTestId(el, 'reels-show-older')!.textContent!.trim()).toBe('Show older');
    });

    it('should ask once while loading and say when it failed', async () => {
      let asked = 0;
      fixture.componentInstance.showOlder.subscribe(() => asked++);
      fixture.componentRef.setInput('older', { available: true, loading: false, error: null });
      await show([aReel()]);
      byTestId<HTMLButtonElement>(el, 'reels-show-older')!.click();
      expect(asked).toBe(1);
      fixture.componentRef.setInput('older', { available: true, loading: true, error: null });
      await settle(fixture);
      const button = byTestId<HTMLButtonElement>(el, 'reels-show-older')!;
      expect(button.disabled).toBe(true);
      expect(button.textContent!.trim()).toBe('Loading older reels…');
      fixture.componentRef.setInput('older', {
        available: true,
        loading: false,
        error: 'Offline.',
      });
      await settle(fixture);
      expect(byTestId(el, 'reels-older-error')!.getAttribute('role')).toBe('alert');
      expect(textOf(el, 'reels-older-error')).toBe('Offline.');
    });

    it('should move the keyboard to the first older reel once they are shown', async () => {
      document.body.appendChild(el);
      try {
        fixture.componentRef.setInput('older', { available: true, loading: false, error: null });
        await show([aReel({ id: 3 })]);
        const button = byTestId<HTMLButtonElement>(el, 'reels-show-older')!;
        button.focus();
        button.click();
        fixture.componentRef.setInput('older', { available: true, loading: true, error: null });
        await settle(fixture);
        button.blur();
        fixture.componentRef.setInput('older', { available: false, loading: false, error: null });
        await show([aReel({ id: 3 }), aReel({ id: 2 }), aReel({ id: 1 })]);
        expect(document.activeElement).toBe(allByTestId(el, 'reel-item')[1]);
        expect(byTestId(el, 'reels-show-older')).toBeNull();
      } finally {
        el.remove();
      }
    });
  });
});
