/**
 * Pure queue rules: deterministic job ids and the retry delay. No Nest, no BullMQ, no I/O, so
 * they are tested table-driven.
 */

/** Retries spread over ±JITTER of the exponential delay so a Meta outage is not hit in lockstep. */
export const BACKOFF_JITTER = 0.25;

/**
 * One job per account per due time: two schedulers (or two sweeps) collapse onto the same id,
 * while a later next_check_at gives a new one. BullMQ ids may not contain ':' nor be integers.
 */
export function maintenanceJobId(accountId: number, dueAtMs: number): string {
  return `check-${accountId}-${dueAtMs}`;
}

/** The due time a job was enqueued for (null for ids made by other callers). */
export function dueAtOfJobId(jobId: string | undefined): number | null {
  const m = /^check-\d+-(\d+)$/.exec(jobId ?? '');
  return m ? Number(m[1]) : null;
}

export function alertJobId(alertId: number): string {
  return `alert-${alertId}`;
}

/**
 * Delay before retry `attemptsMade` (1 = first retry): exponential from `baseMs` with jitter,
 * and never shorter than what Meta asked for (`minDelayMs`, from the usage headers).
 */
export function retryDelayMs(p: {
  attemptsMade: number;
  baseMs: number;
  jitter?: number;
  minDelayMs?: number;
  random?: () => number;
}): number {
  const jitter = p.jitter ?? BACKOFF_JITTER;
  const exp = p.baseMs * 2 ** Math.max(0, p.attemptsMade - 1);
  const r = (p.random ?? Math.random)();
  const jittered = Math.round(exp * (1 - jitter + 2 * jitter * r));
  return Math.max(jittered, p.minDelayMs ?? 0);
}

/** Name of our custom backoff (the worker's settings.backoffStrategy computes it with retryDelayMs). */
export const LIFECYCLE_BACKOFF = 'lifecycle';

/** Kept for inspection, trimmed so Redis memory stays bounded (reliability.md §6.1). */
export const REMOVE_ON_COMPLETE = { count: 1000, age: 24 * 3600 };
export const REMOVE_ON_FAIL = { count: 10000, age: 7 * 24 * 3600 };

/** Options of every token-check job: attempts and base delay from config (JOB_ATTEMPTS, JOB_BACKOFF_MS). */
export function maintenanceJobOptions(jobId: string, q: { attempts: number; backoffMs: number }) {
  return {
    jobId,
    attempts: q.attempts,
    backoff: { type: LIFECYCLE_BACKOFF, delay: q.backoffMs },
    removeOnComplete: REMOVE_ON_COMPLETE,
    removeOnFail: REMOVE_ON_FAIL,
  };
}

/** Options of every alert e-mail job (raised by AlertsService, re-sent by the sweep): one job per alert. */
export function notificationJobOptions(alertId: number, q: { attempts: number; backoffMs: number }) {
  return {
    jobId: alertJobId(alertId),
    attempts: q.attempts,
    backoff: { type: 'exponential', delay: q.backoffMs, jitter: BACKOFF_JITTER },
    removeOnComplete: REMOVE_ON_COMPLETE,
    removeOnFail: REMOVE_ON_FAIL,
  };
}

/** One job per reel per due time (next_attempt_at): the sweep and the pipeline collapse onto it. */
export function reelJobId(reelId: number, dueAtMs: number): string {
  return `reel-${reelId}-${dueAtMs}`;
}

/** A reel's pipeline retries Meta's failures itself (next_attempt_at); BullMQ's attempts cover our own (database, Redis). */
export function reelJobOptions(reelId: number, dueAtMs: number, nowMs: number, q: { attempts: number; backoffMs: number }) {
  return {
    jobId: reelJobId(reelId, dueAtMs),
    delay: Math.max(0, dueAtMs - nowMs),
    attempts: q.attempts,
    backoff: { type: 'exponential', delay: q.backoffMs, jitter: BACKOFF_JITTER },
    removeOnComplete: REMOVE_ON_COMPLETE,
    removeOnFail: REMOVE_ON_FAIL,
  };
}
