import type { Reel, ReelList } from './reels.model';

/*
 * What the Reels screen holds: the reels loaded so far (newest first, as the API pages them: by
 * id, descending) and the cursor for the page below them. Pure, so the merge rules are tested
 * without a screen.
 */

export interface LoadedReels {
  reels: readonly Reel[];
  /** The API's `next_cursor` for the page below the oldest loaded reel; null when there is none. */
  nextCursor: string | null;
}

/**
 * The later of two copies of one reel. A poll that left before a cancel can answer after it: the
 * copy with the later `updated_at` wins, so the screen never steps back to "Scheduled".
 */
export function laterCopy(held: Reel, fresh: Reel): Reel {
  return Date.parse(held.updated_at) > Date.parse(fresh.updated_at) ? held : fresh;
}

/** Both lists as one, each reel once (its later copy), newest first. */
function union(held: readonly Reel[], fresh: readonly Reel[]): Reel[] {
  const byId = new Map(held.map((r) => [String(r.id), r]));
  for (const r of fresh) {
    const old = byId.get(String(r.id));
    byId.set(String(r.id), old ? laterCopy(old, r) : r);
  }
  return [...byId.values()].sort((a, b) => Number(b.id) - Number(a.id));
}

/**
 * A fresh page of the newest reels (a poll). Reels missing from it stay: newer ones were submitted
 * after the poll left, older ones are below the page. The cursor is the page's when the page
 * reaches down to the oldest reel held.
 */
export function withNewest(held: LoadedReels, page: ReelList): LoadedReels {
  const reels = union(held.reels, page.reels);
  const oldest = reels[reels.length - 1];
  const reachesBottom = oldest !== undefined && page.reels.some((r) => r.id === oldest.id);
  return { reels, nextCursor: reachesBottom ? page.next_cursor : held.nextCursor };
}

/** The page below the reels held ("Show older"). */
export function withOlder(held: LoadedReels, page: ReelList): LoadedReels {
  return { reels: union(held.reels, page.reels), nextCursor: page.next_cursor };
}

/** One reel as the API just gave it (submitted, cancelled, fetched), in its place or on top. */
export function withReel(held: LoadedReels, reel: Reel): LoadedReels {
  return { reels: union(held.reels, [reel]), nextCursor: held.nextCursor };
}
