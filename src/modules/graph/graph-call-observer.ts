import type { GraphErrorKind } from './graph-error';

export interface GraphCallInfo {
  /** Our operation name, e.g. `listPages`; never a URL (URLs can carry tokens). */
  operation: string;
  durationMs: number;
  outcome: 'ok' | GraphErrorKind;
  code?: number;
}

/** Optional hook (metrics, tracing): provide it in a module and the Graph client reports every call. */
export abstract class GraphCallObserver {
  abstract onCall(info: GraphCallInfo): void;
}
