import { setFlagsFromString } from 'node:v8';

/**
 * Heap growth for the long-running roles. Under load (50 checks in flight in the worker, a few
 * hundred requests in flight in the api) much short-lived garbage survives a scavenge or two and
 * is promoted, and V8's default growing factor (up to 4x the live heap) lets the old space
 * balloon before each major GC although the live heap stays small: RSS ~300 MB for a worker
 * with a ~60 MB live heap, ~260 MB for the api after a burst. Growing 1.5x the live heap keeps
 * both well under their budgets (worker < 250 MB, api < 200 MB) at the same throughput (the
 * marking is incremental/concurrent). An explicit flag from the operator (NODE_OPTIONS or the
 * command line) wins. Must run before the heap grows, i.e. first thing in the role's entry file.
 */
export const HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(): void {
  if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'))) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
}
