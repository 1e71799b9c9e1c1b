import { ReadPublishingAccounts } from '../../connections/use-cases/publishing-access.use-case';
import { PublishWebhookEvent } from '../../integrations/use-cases/publish-webhook-event.use-case';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { AppConfig } from '../../../config/app-config';
import { GraphApiClient, type ReelContainer } from '../../graph/graph-api.client';
import { InstagramGraphApiClient } from '../../graph/instagram-login.client';
import { GraphError } from '../../graph/graph-error';
import { OpenPublishingCredentials, type PublishingCredentials } from '../../connections/use-cases/publishing-access.use-case';
import { ReportGraphFailure } from '../../connections/use-cases/report-graph-failure.use-case';
import {
  containerVerdict,
  failureVerdict,
  isTerminal,
  nextPollDelayMs,
  quotaFreesAt,
  quotaUsedUp,
  retryDelayMs,
  videoSource,
} from '../domain/reel-policy';
import { ReelRepository, type Reel, type ReelEventDraft, type ReelPatch } from '../reel.repository';
import { UploadUrls } from '../upload-urls';

/** Steps one run may take back to back before it yields (a step that must wait ends the run sooner). */
const MAX_STEPS_PER_RUN = 10;
/** A job that fires this much before the reel is due does nothing (a stale or duplicate job). */
const EARLY_TOLERANCE_MS = 250;
/** The newest media looked through to find what a PUBLISHED container became. */
const MEDIA_LOOKUP = 25;
/** A resumable upload holds the reel this long. */
const UPLOAD_LEASE_MS = 35 * 60_000;

export interface AdvanceResult {
  status: Reel['status'] | 'missing';
  /** When to run again (null: done, or nothing to do). */
  nextAt: Date | null;
}

/**
 * The publishing pipeline (DESIGN.md §8), one run per job: quota → container (with the bytes for
 * an upload) → poll with backoff → media_publish exactly once → permalink. Every step is written
 * to PostgreSQL with its event before the next; a run that must wait sets next_attempt_at and
 * the processor schedules the next job (the scheduler's sweep re-enqueues any that Redis lost).
 *
 * Exactly once: `publish_requested_at` (the ledger, with its event) is committed before
 * media_publish is called, and the publishing step always asks the container first: PUBLISHED
 * means a previous run's media_publish went through (even if its worker was killed before
 * writing the answer), so we look the media up instead of publishing again.
 */
@Injectable()
export class AdvanceReel {
  private readonly logger = new Logger(AdvanceReel.name);

  constructor(
    private readonly reels: ReelRepository,
    private readonly credentials: OpenPublishingCredentials,
    private readonly reportFailure: ReportGraphFailure,
    private readonly graph: GraphApiClient,
    private readonly instagramGraph: InstagramGraphApiClient,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly accounts: ReadPublishingAccounts,
    private readonly webhooks: PublishWebhookEvent,
    private readonly uploadUrls: UploadUrls,
  ) {}

  private get leaseMs(): number {
    return Math.max(5000, this.config.queue.lockMs);
  }

  async execute(reelId: number): Promise<AdvanceResult> {
    const leased = await this.reels.acquire(reelId, this.clock.now(), this.leaseMs);
    if (!leased) {
      const current = await this.reels.findById(reelId);
      if (!current) return { status: 'missing', nextAt: null };
      // another run holds it: look again when its lease ends
      return { status: current.status, nextAt: isTerminal(current.status) ? null : current.leaseUntil };
    }
    let row = leased;
    try {
      for (let i = 0; i < MAX_STEPS_PER_RUN; i++) {
        if (isTerminal(row.status)) break;
        const due = row.nextAttemptAt?.getTime() ?? 0;
        if (due > this.clock.now().getTime() + EARLY_TOLERANCE_MS) break;
        const next = await this.step(row);
        if (!next) break; // the row changed under us (cancelled): nothing more here
        row = next;
      }
    } finally {
      // the row as this run last wrote it (one round trip); else someone changed it: release what is there
      const released = await this.reels.release(row);
      if (released) row = released;
      else {
        const latest = (await this.reels.findById(reelId)) ?? row;
        row = (latest.leaseUntil ? await this.reels.release(latest) : null) ?? latest;
      }
    }
    if (isTerminal(row.status)) await this.deleteUploadFile(row);
    return { status: row.status, nextAt: isTerminal(row.status) ? null : row.nextAttemptAt };
  }

  /** One step; returns the row as written. */
  private async step(row: Reel): Promise<Reel | null> {
    const creds = await this.credentials.execute(row.accountId);
    if (!creds || !creds.account.usable || !creds.token)
      return this.fail(row, 'NEEDS_RECONNECT', 'The Instagram account needs a reconnect; reconnect it, then publish again.');
    if (!creds.account.canPublish)
      return this.fail(
        row,
        'PERMISSION_MISSING',
        'AutoReels may not publish to this account. Reconnect and allow every requested permission.',
      );
    try {
      switch (row.status) {
        case 'scheduled':
          return this.write(row, { status: 'queued', nextAttemptAt: this.now() }, [
            { type: 'queued', message: 'Its time has come.' },
          ]);
        case 'queued':
          return await this.checkQuota(row, creds);
        case 'uploading':
          return await this.upload(row, creds);
        case 'processing':
          return await this.poll(row, creds);
        case 'publishing':
          return await this.publish(row, creds);
        default:
          return row;
      }
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      // the step may have written before it failed (the ledger): decide on the row as it is now
      const latest = await this.reels.findById(row.id);
      return latest ? this.onGraphFailure(latest, err) : null;
    }
  }

  private async checkQuota(row: Reel, c: PublishingCredentials): Promise<Reel | null> {
    const limit = await this.graphFor(c).getPublishingLimit(c.account.igUserId, c.token);
    if (quotaUsedUp(limit))
      return this.waitForQuota(row, `${limit.quotaUsage} of ${limit.quotaTotal} posts used in the window.`, limit);
    return this.write(
      row,
      { status: row.containerId ? 'processing' : 'uploading', nextAttemptAt: this.now(), transientFailures: 0 },
      [{ type: 'quota_ok', details: { quota_usage: limit.quotaUsage, quota_total: limit.quotaTotal } }],
    );
  }

  private async waitForQuota(
    row: Reel,
    message: string,
    limit?: { quotaUsage: number; quotaTotal: number; quotaDurationSeconds: number },
  ): Promise<Reel | null> {
    const now = this.clock.now();
    const q = limit ?? { quotaUsage: Number.MAX_SAFE_INTEGER, quotaTotal: 0, quotaDurationSeconds: 86_400 };
    const own = await this.reels.publishedSince(row.accountId, new Date(now.getTime() - q.quotaDurationSeconds * 1000));
    const at = quotaFreesAt(now, q, own, this.config.reels.quotaRecheckMs);
    return this.write(row, { status: 'queued', nextAttemptAt: at, transientFailures: 0 }, [
      { type: 'quota_wait', message: `Publishing quota used up (${message}); waiting until ${at.toISOString()}.` },
    ]);
  }

  /**
   * Makes the container and gets the video to Meta: by the user's `video_url`, by the resumable
   * upload (Facebook Login), or (Instagram Login, no resumable upload) by a signed `video_url` that
   * serves the upload for an hour. That URL is a credential: it goes into the container request
   * and nowhere else (not the reel, its events, the job or a log line); a new container signs a new one.
   */
  private async upload(row: Reel, c: PublishingCredentials): Promise<Reel | null> {
    let current = row;
    const source = videoSource(c.account.loginType, !!row.uploadId);
    let container: ReelContainer | null = row.containerId ? { id: row.containerId } : null;
    if (container && source !== 'resumable')
      // Meta fetches the video itself: nothing to send for a container we already have
      return this.write(row, { status: 'processing', nextAttemptAt: this.now() }, []);
    if (!container) {
      let videoUrl = row.videoUrl ?? undefined;
      if (source === 'signed_url') {
        const upload = row.uploadId ? await this.reels.findUpload(row.uploadId) : null;
        if (!upload || upload.deletedAt)
          return this.fail(row, 'UPLOAD_EXPIRED', 'The uploaded file is no longer available; upload it again.');
        videoUrl = this.uploadUrls.signedUrl(upload.id, this.clock.now());
      }
      container = await this.graphFor(c).createReelContainer(c.account.igUserId, c.token, {
        videoUrl,
        resumable: source === 'resumable',
        caption: row.caption ?? undefined,
        shareToFeed: row.shareToFeed,
        coverUrl: row.coverUrl ?? undefined,
        thumbOffsetMs: row.thumbOffset ?? undefined,
        audioName: row.audioName ?? undefined,
        collaborators: row.collaborators ?? undefined,
        locationId: row.locationId ?? undefined,
      });
      const created = await this.write(
        row,
        {
          containerId: container.id,
          containersMade: row.containersMade + 1,
          bytesSent: false,
          polls: 0,
          transientFailures: 0,
          ...(source === 'resumable' ? {} : { status: 'processing', nextAttemptAt: this.after(this.config.reels.pollInitialMs) }),
        },
        [
          {
            type: 'container_created',
            details: { container_id: container.id, resumable: source === 'resumable', video_source: source },
          },
        ],
      );
      if (!created || source !== 'resumable') return created;
      current = created;
    }
    const upload = current.uploadId ? await this.reels.findUpload(current.uploadId) : null;
    if (!upload || upload.deletedAt)
      return this.fail(current, 'UPLOAD_EXPIRED', 'The uploaded file is no longer available; upload it again.');
    const extended = await this.write(current, { leaseUntil: this.after(UPLOAD_LEASE_MS) }, []);
    if (!extended) return null;
    await this.graphFor(c).uploadReelVideo(container, c.token, {
      path: join(this.config.uploads.dir, upload.fileName),
      size: Number(upload.size),
    });
    return this.write(
      extended,
      {
        status: 'processing',
        bytesSent: true,
        transientFailures: 0,
        leaseUntil: this.after(this.leaseMs),
        nextAttemptAt: this.after(this.config.reels.pollInitialMs),
      },
      [{ type: 'uploaded', details: { bytes: Number(upload.size) } }],
    );
  }

  private async poll(row: Reel, c: PublishingCredentials): Promise<Reel | null> {
    if (!row.containerId) return this.write(row, { status: 'uploading', nextAttemptAt: this.now() }, []);
    const s = await this.graphFor(c).getContainerStatus(row.containerId, c.token);
    const v = containerVerdict(s.statusCode, row.containersMade, s.errorSubcode, s.status);
    switch (v.action) {
      case 'wait':
        return this.write(
          row,
          { polls: row.polls + 1, transientFailures: 0, nextAttemptAt: this.after(this.pollDelay(row.polls)) },
          [{ type: 'processing', details: { status_code: s.statusCode, poll: row.polls + 1 } }],
        );
      case 'publish':
        return this.write(row, { status: 'publishing', nextAttemptAt: this.now(), transientFailures: 0 }, [
          { type: 'container_ready', details: { polls: row.polls + 1 } },
        ]);
      case 'find-media':
        return this.write(row, { status: 'publishing', nextAttemptAt: this.now() }, []);
      case 'new-container':
        return this.write(
          row,
          { status: 'uploading', containerId: null, bytesSent: false, polls: 0, nextAttemptAt: this.now() },
          [{ type: 'container_expired', message: 'The container expired at Meta; making a new one (once).' }],
        );
      case 'fail':
        return this.fail(row, v.code, v.message, s.errorSubcode ? { subcode: s.errorSubcode } : undefined);
    }
  }

  private async publish(row: Reel, c: PublishingCredentials): Promise<Reel | null> {
    if (row.mediaId) return this.fetchPermalink(row, c, row.mediaId);
    if (!row.containerId) return this.write(row, { status: 'uploading', nextAttemptAt: this.now() }, []);
    // Always ask the container first: a previous run may have published and died before writing it down.
    const s = await this.graphFor(c).getContainerStatus(row.containerId, c.token);
    const v = containerVerdict(s.statusCode, row.containersMade, s.errorSubcode, s.status);
    if (v.action === 'find-media') return this.recoverMedia(row, c);
    if (v.action !== 'publish') return this.write(row, { status: 'processing', nextAttemptAt: this.now() }, []);
    const ledger = await this.write(row, { publishRequestedAt: this.now() }, [
      { type: 'publish_requested', details: { container_id: row.containerId } },
    ]);
    if (!ledger) return null;
    const mediaId = await this.graphFor(c).publishContainer(c.account.igUserId, c.token, row.containerId);
    const published = await this.write(ledger, { mediaId, publishedAt: this.now(), transientFailures: 0 }, [
      { type: 'media_published', details: { media_id: mediaId } },
    ]);
    return published ? this.fetchPermalink(published, c, mediaId) : null;
  }

  /** The container says PUBLISHED but we hold no media id: find the media it became. */
  private async recoverMedia(row: Reel, c: PublishingCredentials): Promise<Reel | null> {
    const claimed = await this.reels.claimedMediaIds(row.accountId);
    const media = await this.graphFor(c).listRecentMedia(c.account.igUserId, c.token, MEDIA_LOOKUP);
    const caption = row.caption ?? '';
    const match = media.find(
      (m) => !claimed.has(m.id) && (m.caption ?? '') === caption && (m.mediaProductType ?? 'REELS') === 'REELS',
    );
    if (!match) {
      // Meta lists the media a little after it publishes: look again shortly (counted like a transient failure)
      return this.retryLater(row, 'The reel is published at Instagram; waiting for it to appear in the media list.');
    }
    const updated = await this.write(
      row,
      { mediaId: match.id, publishedAt: row.publishedAt ?? this.now(), transientFailures: 0 },
      [
        {
          type: 'media_recovered',
          message: 'The container was already published; recorded its media.',
          details: { media_id: match.id },
        },
      ],
    );
    return updated ? this.fetchPermalink(updated, c, match.id, match.permalink) : null;
  }

  private async fetchPermalink(
    row: Reel,
    c: PublishingCredentials,
    mediaId: string,
    known?: string | null,
  ): Promise<Reel | null> {
    let permalink = known ?? null;
    if (!permalink) {
      try {
        permalink = await this.graphFor(c).getMediaPermalink(mediaId, c.token);
      } catch (err) {
        // The reel is live; a missing link is not worth a failure, but a transient error is retried.
        if (err instanceof GraphError && err.retryable && row.transientFailures < this.config.reels.maxRetries) throw err;
      }
    }
    return this.write(
      row,
      { status: 'published', permalink, nextAttemptAt: null, publishedAt: row.publishedAt ?? this.now(), transientFailures: 0 },
      [{ type: 'published', message: permalink ? `Published: ${permalink}` : 'Published.', details: { media_id: mediaId } }],
    );
  }

  private async onGraphFailure(row: Reel, err: GraphError): Promise<Reel | null> {
    const v = failureVerdict(err);
    const graph = { code: err.code, subcode: err.subcode };
    switch (v.action) {
      case 'not-ready':
        return this.write(
          row,
          { status: 'processing', polls: row.polls + 1, nextAttemptAt: this.after(this.pollDelay(row.polls)) },
          [{ type: 'not_ready', message: 'Meta says the media is not ready yet; waiting.', graph }],
        );
      case 'quota':
        return this.waitForQuota(row, 'Meta refused media_publish');
      case 'retry':
        return this.retryLater(row, `Meta was unavailable (${err.operation ?? 'call'}); will retry.`, graph);
      case 'reconnect':
      case 'app-problem':
        // the connection's own verdict (needs_reconnect, or app_problem: alert ops, status unchanged)
        await this.reportFailure.execute(row.accountId, err, 'publish');
        return this.fail(row, v.code, v.message, graph);
      case 'fail':
        return this.fail(row, v.code, v.message, graph);
    }
  }

  private async retryLater(row: Reel, message: string, graph?: ReelEventDraft['graph']): Promise<Reel | null> {
    const n = row.transientFailures + 1;
    if (n > this.config.reels.maxRetries)
      return this.fail(row, 'META_UNAVAILABLE', 'Instagram kept failing to answer; publish it again later.', graph);
    const at = this.after(retryDelayMs(n, this.config.reels.retryInitialMs));
    return this.write(row, { transientFailures: n, nextAttemptAt: at }, [
      { type: 'retry', message, graph, details: { attempt: n } },
    ]);
  }

  private fail(row: Reel, code: string, message: string, graph?: ReelEventDraft['graph']): Promise<Reel | null> {
    return this.write(row, { status: 'failed', errorCode: code, errorMessage: message, nextAttemptAt: null }, [
      { type: 'failed', errorCode: code, message, graph },
    ]);
  }

  /** Stores a step; a reel that just became published or failed is announced to the user's webhooks. */
  private async write(row: Reel, patch: ReelPatch, events: ReelEventDraft[]): Promise<Reel | null> {
    const stored = await this.reels.update(row, patch, events);
    if (stored && (patch.status === 'published' || patch.status === 'failed') && row.status !== patch.status) {
      const data = {
        reel_id: stored.id,
        account_id: stored.accountId,
        instagram_user_id: (await this.accounts.byId(stored.accountId))?.igUserId ?? '',
        instagram_media_id: stored.mediaId,
        permalink: stored.permalink,
        caption: stored.caption,
        error_code: stored.errorCode,
        reason: stored.errorMessage,
      };
      if (patch.status === 'published') await this.webhooks.reelPublished(stored.userId, data);
      else await this.webhooks.reelFailed(stored.userId, data);
    }
    return stored;
  }

  /** Each kind of account on its own Graph host (DESIGN.md section 9): graph.instagram.com for Instagram Login. */
  private graphFor(c: PublishingCredentials): GraphApiClient {
    return c.account.loginType === 'instagram' ? this.instagramGraph : this.graph;
  }

  private async deleteUploadFile(row: Reel): Promise<void> {
    if (!row.uploadId) return;
    const upload = await this.reels.findUpload(row.uploadId);
    if (!upload || upload.deletedAt) return;
    await unlink(join(this.config.uploads.dir, upload.fileName)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.logger.warn({ uploadId: upload.id, err: err.code }, 'could not delete an upload');
    });
    await this.reels.markUploadDeleted(upload.id, this.clock.now());
  }

  private pollDelay(polls: number): number {
    return nextPollDelayMs(polls, this.config.reels.pollInitialMs, this.config.reels.pollMaxMs);
  }

  private now(): Date {
    return this.clock.now();
  }

  private after(ms: number): Date {
    return new Date(this.clock.now().getTime() + ms);
  }
}
