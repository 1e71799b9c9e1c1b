import { aReel } from '../../../testing/reels.fixtures';
import { type LoadedReels, laterCopy, withNewest, withOlder, withReel } from './reel-paging';
import type { Reel } from './reels.model';

const at = (minute: number): string => `2026-06-15T12:${String(minute).padStart(2, '0')}:00.000Z`;
const reel = (id: number, overrides: Partial<Reel> = {}): Reel =>
  aReel({ id, updated_at: at(0), ...overrides });
const ids = (l: LoadedReels): Array<number | string> => l.reels.map((r) => r.id);

describe('reel-paging', () => {
  it('should keep the later copy of a reel when an older answer arrives after a newer one', () => {
    const cancelled = reel(1, { status: 'cancelled', updated_at: at(5) });
    const stale = reel(1, { status: 'scheduled', updated_at: at(1) });
    expect(laterCopy(cancelled, stale)).toBe(cancelled);
    expect(laterCopy(stale, cancelled)).toBe(cancelled);
    const same = reel(1, { status: 'queued', updated_at: at(5) });
    expect(laterCopy(cancelled, same)).toBe(same);
  });

  it('should add an older page below and take its cursor', () => {
    const held: LoadedReels = { reels: [reel(30), reel(29)], nextCursor: '29' };
    const next = withOlder(held, { reels: [reel(28), reel(27)], next_cursor: '27' });
    expect(ids(next)).toEqual([30, 29, 28, 27]);
    expect(next.nextCursor).toBe('27');
    expect(withOlder(next, { reels: [reel(26)], next_cursor: null }).nextCursor).toBeNull();
  });

  it('should refresh the newest page without dropping the older reels loaded below it', () => {
    const held: LoadedReels = {
      reels: [reel(30, { status: 'queued' }), reel(29), reel(12), reel(11)],
      nextCursor: '11',
    };
    const next = withNewest(held, {
      reels: [reel(31), reel(30, { status: 'published', updated_at: at(2) }), reel(29)],
      next_cursor: '29',
    });
    expect(ids(next)).toEqual([31, 30, 29, 12, 11]);
    expect(next.reels[1].status).toBe('published');
    // the page did not reach down to reel 11: the cursor below it stays
    expect(next.nextCursor).toBe('11');
  });

  it('should take the fresh cursor only when the fresh page covers every reel held', () => {
    // a reel arrived from elsewhere and pushed reel 1 off the page: nothing is below reel 1 yet
    const held: LoadedReels = { reels: [reel(2), reel(1)], nextCursor: null };
    const next = withNewest(held, { reels: [reel(3), reel(2)], next_cursor: '2' });
    expect(ids(next)).toEqual([3, 2, 1]);
    expect(next.nextCursor).toBeNull();
    const covered = withNewest(
      { reels: [reel(3), reel(2)], nextCursor: null },
      { reels: [reel(4), reel(3), reel(2)], next_cursor: '2' },
    );
    expect(covered.nextCursor).toBe('2');
  });

  it('should keep a reel submitted after the poll left, on top', () => {
    const held: LoadedReels = { reels: [reel(5), reel(4)], nextCursor: null };
    const next = withNewest(held, { reels: [reel(4)], next_cursor: null });
    expect(ids(next)).toEqual([5, 4]);
  });

  it('should put one reel in its place, or on top when new, keeping the cursor', () => {
    const held: LoadedReels = {
      reels: [reel(3), reel(2, { status: 'scheduled' })],
      nextCursor: '2',
    };
    const cancelled = withReel(held, reel(2, { status: 'cancelled', updated_at: at(3) }));
    expect(ids(cancelled)).toEqual([3, 2]);
    expect(cancelled.reels[1].status).toBe('cancelled');
    expect(cancelled.nextCursor).toBe('2');
    expect(ids(withReel(held, reel(9)))).toEqual([9, 3, 2]);
  });
});
