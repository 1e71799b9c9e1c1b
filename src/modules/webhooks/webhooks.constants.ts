/** Queue of Meta data-deletion requests. Jobs carry the request id only, never a Facebook id. */
export const DATA_DELETION_QUEUE = 'data-deletion';

export interface DataDeletionJob {
  requestId: number;
}

/** Deterministic, so a repeated request of the same user collapses into one job. */
export const dataDeletionJobId = (requestId: number): string => `deletion-${requestId}`;

/** Options of every deletion job (from the callback and from the scheduler's re-enqueue of stuck requests). */
export function dataDeletionJobOptions(requestId: number, q: { attempts: number; backoffMs: number }) {
  return {
    jobId: dataDeletionJobId(requestId),
    attempts: q.attempts,
    backoff: { type: 'exponential', delay: q.backoffMs },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
