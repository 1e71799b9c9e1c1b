import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';

/**
 * Reels publishing model of the sandbox (graph-api.md §11 and the Reels corrections R1-R6 of
 * instagram-login.md): containers with a processing time, ERROR / EXPIRED, resumable uploads,
 * the publishing quota window and published media. Pure state; the HTTP surface is in
 * reels-routes.ts and reels-control.ts. Times are milliseconds on the sandbox clock.
 */

export type ContainerStatusCode = 'IN_PROGRESS' | 'FINISHED' | 'PUBLISHED' | 'ERROR' | 'EXPIRED';

export interface ReelsConfig {
  /** Seconds (sandbox clock) from "video available" (creation, or last resumable byte) to FINISHED. */
  processing_seconds: number;
  /** Status reads (`GET /{container}?fields=status_code`) needed before FINISHED, on top of the time. */
  processing_polls: number;
  /** Publishing quota per account (Content Publishing guide: 100 per moving 24 h). */
  quota_total: number;
  quota_duration: number;
  /** Containers not published within this many seconds become EXPIRED (24 h). */
  container_ttl_seconds: number;
  /** `video_url` / `cover_url` must be https (switch off for plain-http local files). */
  require_https: boolean;
}

export const DEFAULT_REELS_CONFIG: ReelsConfig = {
  processing_seconds: 10,
  processing_polls: 0,
  quota_total: 100,
  quota_duration: 86_400,
  container_ttl_seconds: 86_400,
  require_https: true,
};

/** What a container turns into once processing is over (or at once, when forced). */
export interface ContainerFailure {
  subcode: number;
  message?: string;
}

export interface ReelUpload {
  fileSize: number;
  received: number;
  /** Hex SHA-256 of the bytes, set once `received === fileSize`. */
  sha256?: string;
  fileUrl?: string;
  completedAt?: number;
  /** Running hash while chunks arrive (not serialised). */
  hash?: Hash;
  /** A chunk is being received: a second, concurrent one would interleave its bytes. */
  busy?: boolean;
}

/** Meta downloading a container's `video_url` (video-fetch.ts); absent for URLs it does not call. */
export interface VideoFetch {
  state: 'fetching' | 'fetched' | 'failed';
  httpStatus: number | null;
  contentType: string | null;
  contentLength: number | null;
  error?: string;
}

/** What a download of `video_url` gave. */
export interface FetchedVideo {
  ok: boolean;
  httpStatus: number | null;
  contentType: string | null;
  contentLength: number | null;
  size: number;
  sha256: string | null;
  error?: string;
}

export interface ReelContainer {
  id: string;
  igUserId: string;
  mediaType: 'REELS';
  videoUrl?: string;
  resumable: boolean;
  caption?: string;
  shareToFeed: boolean;
  coverUrl?: string;
  thumbOffset?: number;
  audioName?: string;
  collaborators: string[];
  locationId?: string;
  createdAt: number;
  processingSeconds: number;
  processingPolls: number;
  polls: number;
  upload?: ReelUpload;
  /** The download of `video_url`; its bytes land in `upload` (size, sha256) like a resumable upload's. */
  videoFetch?: VideoFetch;
  /** ERROR revealed when processing ends (queued outcome) … */
  failOnFinish?: ContainerFailure;
  /** … or forced now through the control API. */
  forced?: { status: 'ERROR'; failure: ContainerFailure } | { status: 'EXPIRED' };
  mediaId?: string;
  /** Every `media_publish` naming this container, accepted or not. */
  publishAttempts: number;
}

export interface ReelMedia {
  id: string;
  igUserId: string;
  containerId: string;
  caption?: string;
  shortcode: string;
  permalink: string;
  shareToFeed: boolean;
  publishedAt: number;
  collaborators: string[];
  audioName?: string;
  locationId?: string;
  uploadSha256?: string;
  uploadSize?: number;
  videoUrl?: string;
}

/** Meta's `status` sentence for each status_code; the ERROR form is the documented one (R3). */
export function statusText(code: ContainerStatusCode, failure?: ContainerFailure): string {
  switch (code) {
    case 'IN_PROGRESS':
      return 'In Progress: Media is still being processed.';
    case 'FINISHED':
      return 'Finished: Media has been uploaded and it is ready to be published.';
    case 'PUBLISHED':
      return 'Published: Media has been successfully published.';
    case 'EXPIRED':
      return 'Expired: Media was not published within 24 hours of the container creation.';
    case 'ERROR':
      return failure?.message ?? `Error: Media upload has failed with error code ${failure?.subcode ?? 2207026}`;
  }
}

const SHORTCODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

function shortcode(): string {
  return [...randomBytes(11)].map((b) => SHORTCODE_ALPHABET[b % 64]).join('');
}

export class ReelsModel {
  config: ReelsConfig = { ...DEFAULT_REELS_CONFIG };
  containers = new Map<string, ReelContainer>();
  media = new Map<string, ReelMedia>();
  /** igUserId → times (ms) counted against the publishing quota; real publishes and control-set usage. */
  quotaLog = new Map<string, number[]>();
  /** igUserId → quota_total overriding the global one. */
  quotaTotals = new Map<string, number>();
  /** Outcomes applied to the next containers created (any account, or one account). */
  nextOutcomes: Array<{ igUserId?: string; failure: ContainerFailure }> = [];
  private seq = { container: 0, media: 0 };

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.config = { ...DEFAULT_REELS_CONFIG };
    this.containers.clear();
    this.media.clear();
    this.quotaLog.clear();
    this.quotaTotals.clear();
    this.nextOutcomes = [];
    this.seq = { container: 0, media: 0 };
  }

  createContainer(
    input: Omit<
      ReelContainer,
      'id' | 'createdAt' | 'processingSeconds' | 'processingPolls' | 'polls' | 'publishAttempts' | 'mediaType'
    >,
  ): ReelContainer {
    const id = `1789${String(5_000_000_000_000 + ++this.seq.container)}`;
    const i = this.nextOutcomes.findIndex((o) => !o.igUserId || o.igUserId === input.igUserId);
    const queued = i >= 0 ? this.nextOutcomes.splice(i, 1)[0] : undefined;
    const c: ReelContainer = {
      ...input,
      id,
      mediaType: 'REELS',
      createdAt: this.now(),
      processingSeconds: this.config.processing_seconds,
      processingPolls: this.config.processing_polls,
      polls: 0,
      publishAttempts: 0,
      ...(queued ? { failOnFinish: queued.failure } : {}),
    };
    this.containers.set(id, c);
    return c;
  }

  /**
   * When the video became available to Meta: the last byte of a resumable upload or of the
   * `video_url` download, or creation for a `video_url` on an example domain (not downloaded).
   */
  private availableAt(c: ReelContainer): number | undefined {
    if (!c.resumable && !c.videoFetch) return c.createdAt;
    return c.upload?.completedAt;
  }

  status(c: ReelContainer): { code: ContainerStatusCode; failure?: ContainerFailure } {
    if (c.mediaId) return { code: 'PUBLISHED' };
    if (c.forced?.status === 'EXPIRED') return { code: 'EXPIRED' };
    if (c.forced?.status === 'ERROR') return { code: 'ERROR', failure: c.forced.failure };
    if (this.now() >= c.createdAt + this.config.container_ttl_seconds * 1000) return { code: 'EXPIRED' };
    // R6: 2207052 "The media could not be fetched from this uri"
    if (c.videoFetch?.state === 'failed') return { code: 'ERROR', failure: { subcode: 2207052 } };
    const from = this.availableAt(c);
    if (from === undefined) return { code: 'IN_PROGRESS' };
    if (this.now() < from + c.processingSeconds * 1000 || c.polls < c.processingPolls) return { code: 'IN_PROGRESS' };
    if (c.failOnFinish) return { code: 'ERROR', failure: c.failOnFinish };
    return { code: 'FINISHED' };
  }

  // ---- Resumable upload ------------------------------------------------------------------

  /** Starts or continues an upload; throws a message when the headers do not fit the session. */
  beginChunk(c: ReelContainer, offset: number, fileSize: number): ReelUpload {
    if (c.upload?.sha256 !== undefined) throw new Error('upload already completed for this container');
    if (!c.upload) {
      if (offset !== 0) throw new Error(`offset ${offset} does not match the bytes received so far (0)`);
      c.upload = { fileSize, received: 0, hash: createHash('sha256') };
    }
    if (c.upload.busy) throw new Error('another chunk of this upload is still being received');
    if (c.upload.fileSize !== fileSize)
      throw new Error(`file_size ${fileSize} differs from the session's file_size ${c.upload.fileSize}`);
    if (offset !== c.upload.received)
      throw new Error(`offset ${offset} does not match the bytes received so far (${c.upload.received})`);
    return c.upload;
  }

  /** Adds bytes; false when they would go past file_size (nothing is added then). */
  addBytes(upload: ReelUpload, chunk: Buffer): boolean {
    if (upload.received + chunk.length > upload.fileSize) return false;
    upload.hash?.update(chunk);
    upload.received += chunk.length;
    return true;
  }

  /** Completes the upload when every byte is in; the processing time starts then. */
  finishIfComplete(upload: ReelUpload): boolean {
    if (upload.received !== upload.fileSize || upload.sha256 !== undefined) return upload.sha256 !== undefined;
    upload.sha256 = upload.hash?.digest('hex');
    delete upload.hash;
    upload.completedAt = this.now();
    return true;
  }

  /** A `file_url` upload: Meta fetched the bytes itself. */
  completeFromUrl(c: ReelContainer, fileUrl: string, bytes: Buffer): void {
    c.upload = {
      fileSize: bytes.length,
      received: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      fileUrl,
      completedAt: this.now(),
    };
  }

  // ---- Meta downloading video_url (video-fetch.ts) -----------------------------------------

  beginVideoFetch(c: ReelContainer): void {
    c.videoFetch = { state: 'fetching', httpStatus: null, contentType: null, contentLength: null };
  }

  finishVideoFetch(c: ReelContainer, r: FetchedVideo): void {
    c.videoFetch = {
      state: r.ok ? 'fetched' : 'failed',
      httpStatus: r.httpStatus,
      contentType: r.contentType,
      contentLength: r.contentLength,
      ...(r.error ? { error: r.error } : {}),
    };
    if (r.ok && r.sha256)
      c.upload = { fileSize: r.size, received: r.size, sha256: r.sha256, fileUrl: c.videoUrl, completedAt: this.now() };
  }

  // ---- Quota and publishing ----------------------------------------------------------------

  quotaTotal(igUserId: string): number {
    return this.quotaTotals.get(igUserId) ?? this.config.quota_total;
  }

  /** Publishes counted in the moving window ending now (or since `sinceMs` when later). */
  quotaUsage(igUserId: string, sinceMs?: number): number {
    const windowStart = this.now() - this.config.quota_duration * 1000;
    const from = sinceMs !== undefined ? Math.max(windowStart, sinceMs) : windowStart;
    return (this.quotaLog.get(igUserId) ?? []).filter((t) => t > from && t <= this.now()).length;
  }

  /** Control: the account has used exactly `used` publishes, all at the current sandbox time. */
  setQuotaUsed(igUserId: string, used: number): void {
    this.quotaLog.set(
      igUserId,
      Array.from({ length: used }, () => this.now()),
    );
  }

  publish(c: ReelContainer): ReelMedia {
    const code = shortcode();
    const m: ReelMedia = {
      id: `1792${String(6_000_000_000_000 + ++this.seq.media)}`,
      igUserId: c.igUserId,
      containerId: c.id,
      caption: c.caption,
      shortcode: code,
      permalink: `https://www.instagram.com/reel/${code}/`,
      shareToFeed: c.shareToFeed,
      publishedAt: this.now(),
      collaborators: c.collaborators,
      audioName: c.audioName,
      locationId: c.locationId,
      uploadSha256: c.upload?.sha256,
      uploadSize: c.upload?.sha256 !== undefined ? c.upload.fileSize : undefined,
      videoUrl: c.videoUrl,
    };
    c.mediaId = m.id;
    this.media.set(m.id, m);
    const log = this.quotaLog.get(c.igUserId) ?? [];
    log.push(m.publishedAt);
    this.quotaLog.set(c.igUserId, log);
    return m;
  }

  /** Published media of an account, newest first. */
  mediaOf(igUserId: string): ReelMedia[] {
    return [...this.media.values()].filter((m) => m.igUserId === igUserId).reverse();
  }

  /** The IG account a container or media id belongs to, if it is one. */
  ownerOf(id: string): string | undefined {
    return this.containers.get(id)?.igUserId ?? this.media.get(id)?.igUserId;
  }
}
