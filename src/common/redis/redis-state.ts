import { Logger } from '@nestjs/common';

/**
 * What a role says about Redis: one line when it becomes unreachable, one when it is back,
 * nothing in between (ioredis retries every second or so, on every connection of every queue).
 * Pure rules first (table-tested), then the one process-wide tracker every client reports to.
 */

export type RedisState = 'up' | 'down';
export type RedisSignal = { kind: 'error'; connectionError: boolean } | { kind: 'ready' };
export type RedisLog = 'lost' | 'restored' | 'error' | null;

/** Network-level failures: the ones that mean "Redis is not reachable", not "this command failed". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = [
  /connection is closed/i,
  /stream isn't writeable/i,
  /max retries per request/i,
  /connect etimedout/i,
];

export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return CONNECTION_MESSAGES.some((re) => re.test(err.message));
}

/** The next state and what to log (null: nothing, the state did not change). */
export function nextRedisState(state: RedisState, signal: RedisSignal): { state: RedisState; log: RedisLog } {
  if (signal.kind === 'ready') return state === 'down' ? { state: 'up', log: 'restored' } : { state, log: null };
  if (!signal.connectionError) return { state, log: 'error' }; // a real error, always worth a line
  return state === 'up' ? { state: 'down', log: 'lost' } : { state, log: null };
}

/** The process-wide tracker: every Redis client, Queue and Worker of the role reports here. */
export class RedisStateTracker {
  private state: RedisState = 'up';
  private readonly logger = new Logger('Redis');
  private closing = false;

  get current(): RedisState {
    return this.state;
  }

  error(source: string, err: unknown): void {
    if (this.closing) return;
    const next = nextRedisState(this.state, { kind: 'error', connectionError: isConnectionError(err) });
    this.state = next.state;
    const message = err instanceof Error ? err.message : String(err);
    if (next.log === 'lost') this.logger.error({ source, err: message }, 'Redis unreachable; retrying quietly until it is back');
    else if (next.log === 'error') this.logger.error({ source, err: message }, 'Redis error');
  }

  ready(source: string): void {
    const next = nextRedisState(this.state, { kind: 'ready' });
    this.state = next.state;
    if (next.log === 'restored') this.logger.log({ source }, 'Redis reachable again');
  }

  /** Shutdown: connections closing on purpose are not an outage. */
  shuttingDown(): void {
    this.closing = true;
  }
}

export const redisState = new RedisStateTracker();

interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Routes an emitter's 'error' events (a Queue, a Worker, an ioredis client) to the tracker. */
export function reportRedisErrors(source: string, emitter: ErrorEmitter): void {
  emitter.on('error', (err: Error) => redisState.error(source, err));
}
