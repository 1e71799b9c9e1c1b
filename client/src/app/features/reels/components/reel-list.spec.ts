import { type ComponentFixture, TestBed } from '@angular/core/testing';

import { allByTestId, byTestId, settle } from '../../../testing/dom';
import { aPublishedReel, aReel } from '../../../testing/reels.fixtures';
import { TEST_NOW, provideTestApp } from '../../../testing/test-providers';
import type { Reel, ReelStatus } from '../data/reels.model';
import { ReelList } from './reel-list';
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
});
