import type { ReelStatus } from './domain/reel-policy';
import type { ReelEntity } from './persistence/reel.entity';
import type { ReelEventEntity } from './persistence/reel-event.entity';
import type { ReelUploadEntity } from './persistence/reel-upload.entity';

export type Reel = ReelEntity;
export type ReelUpload = ReelUploadEntity;
export type ReelEvent = ReelEventEntity;

/** What a new reel is made of (validated, account resolved). */
export type ReelDraft = Pick<
  Reel,
  | 'userId'
  | 'accountId'
  | 'status'
  | 'videoUrl'
  | 'uploadId'
  | 'caption'
  | 'shareToFeed'
  | 'coverUrl'
  | 'thumbOffset'
  | 'audioName'
  | 'collaborators'
  | 'locationId'
  | 'publishAt'
  | 'nextAttemptAt'
  | 'idempotencyKey'
  | 'requestHash'
>;

/** The columns one pipeline step writes (absent: unchanged). */
export type ReelPatch = Partial<
  Pick<
    Reel,
    | 'status'
    | 'nextAttemptAt'
    | 'containerId'
    | 'containersMade'
    | 'bytesSent'
    | 'polls'
    | 'transientFailures'
    | 'publishRequestedAt'
    | 'mediaId'
    | 'permalink'
    | 'errorCode'
    | 'errorMessage'
    | 'publishedAt'
    | 'leaseUntil'
  >
>;

export interface ReelEventDraft {
  type: string;
  message?: string;
  errorCode?: string;
  graph?: { code?: number; subcode?: number };
  details?: Record<string, unknown>;
}

export interface DueReel {
  id: number;
  dueAtMs: number;
}

export interface ReelListQuery {
  accountId?: number;
  status?: ReelStatus;
  limit: number;
  /** Reels older than this id (newest first). */
  beforeId?: number;
}

/**
 * The one owner of `reels`, `reel_events` and `reel_uploads` (STYLE.md: each table has one
 * owner). Ownership is built into the user-facing reads: another user's id is not found.
 */
export abstract class ReelRepository {
  // --- reels -----------------------------------------------------------------------------------
  /** Inserts the reel with its first event, or, for a (user, Idempotency-Key) already used, returns that reel. */
  abstract insert(draft: ReelDraft, event: ReelEventDraft): Promise<{ reel: Reel; created: boolean }>;
  abstract findByIdempotencyKey(userId: number, key: string): Promise<Reel | null>;
  abstract findOwned(userId: number, id: number): Promise<Reel | null>;
  abstract findById(id: number): Promise<Reel | null>;
  abstract list(userId: number, q: ReelListQuery): Promise<Reel[]>;
  /** Cancels if still cancellable and no run holds it; the row as it is afterwards. */
  abstract cancel(userId: number, id: number, now: Date): Promise<Reel | null>;
  /** Takes the reel for one pipeline run (conditional UPDATE, attempts + 1), or null while another run holds it. */
  abstract acquire(id: number, now: Date, leaseMs: number): Promise<Reel | null>;
  /** Writes one step (version-checked) with its events; the new row, or null when the version moved. */
  abstract update(row: Reel, patch: ReelPatch, events: ReelEventDraft[]): Promise<Reel | null>;
  /** Ends the run's lease on the row as the run last wrote it; null when it changed since (look again). */
  abstract release(row: Reel): Promise<Reel | null>;
  abstract events(reelId: number): Promise<ReelEvent[]>;
  /** Reels in the pipeline whose next_attempt_at has come (the scheduler's sweep). */
  abstract due(now: Date, limit: number): Promise<DueReel[]>;
  /** When our reels on this account were published since `since` (quota window). */
  abstract publishedSince(accountId: number, since: Date): Promise<Date[]>;
  /** Media ids our reels of this account already hold (to recognise a PUBLISHED container's media). */
  abstract claimedMediaIds(accountId: number): Promise<Set<string>>;

  // --- uploads ---------------------------------------------------------------------------------
  abstract insertUpload(u: Omit<ReelUpload, 'createdAt' | 'deletedAt' | 'reelId' | 'user'>): Promise<ReelUpload>;
  /** The user's upload still on disk and not used by another reel. */
  abstract findUsableUpload(userId: number, id: string, now: Date): Promise<ReelUpload | null>;
  abstract findUpload(id: string): Promise<ReelUpload | null>;
  abstract markUploadDeleted(id: string, now: Date): Promise<void>;
  /** Uploads whose file should go: expired and unused, or used by a reel that is done. */
  abstract uploadsToDelete(now: Date, limit: number): Promise<ReelUpload[]>;
}
