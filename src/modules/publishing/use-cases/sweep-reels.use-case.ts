import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../../common/clock';
import { AppConfig } from '../../../config/app-config';
import { ReelQueue } from '../reel-queue';
import { ReelRepository } from '../reel.repository';

/**
 * The scheduler's part (DESIGN.md §8): reels whose next_attempt_at has come (scheduled ones
 * whose publish_at arrived, and any whose job a lost Redis dropped) get their job, with the
 * same deterministic id, so two schedulers or a job still waiting add nothing. No Graph call.
 */
@Injectable()
export class SweepReels {
  private readonly logger = new Logger(SweepReels.name);

  constructor(
    private readonly reels: ReelRepository,
    private readonly queue: ReelQueue,
    private readonly clock: Clock,
  ) {}

  async execute(limit = 1000): Promise<{ due: number; enqueued: number }> {
    const due = await this.reels.due(this.clock.now(), limit);
    let enqueued = 0;
    for (const r of due) if (await this.queue.ensure(r.id, r.dueAtMs)) enqueued++;
    if (enqueued) this.logger.log({ due: due.length, enqueued }, 'reel sweep done');
    return { due: due.length, enqueued };
  }
}

/** Housekeeping: upload files whose reel is done, or that no reel used before they expired, are deleted. */
@Injectable()
export class CleanUploads {
  private readonly logger = new Logger(CleanUploads.name);

  constructor(
    private readonly reels: ReelRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async execute(limit = 1000): Promise<number> {
    const now = this.clock.now();
    const gone = await this.reels.uploadsToDelete(now, limit);
    for (const u of gone) {
      await unlink(join(this.config.uploads.dir, u.fileName)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      await this.reels.markUploadDeleted(u.id, now);
    }
    if (gone.length) this.logger.log({ deleted: gone.length }, 'uploads deleted');
    return gone.length;
  }
}
