import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { OAuthStateService } from '../social/oauth-state.service';
import { SweepWebhookDeliveries } from '../integrations/use-cases/sweep-webhook-deliveries.use-case';
import { DATA_DELETION_QUEUE, dataDeletionJobOptions, type DataDeletionJob } from '../webhooks/webhooks.constants';
import { purgeSignedRequests, SIGNED_REQUEST_RETENTION_MS } from '../webhooks/signed-request-replay.service';
import { purgeProcessedDeliveries } from '../webhooks/webhook-ingest.service';

/** A deletion request still pending after this long lost its job (retries used up, Redis flushed). */
const STUCK_DELETION_MS = 10 * 60_000;
/** Processed webhook deliveries are kept this long (Meta retries for about 36 hours; replays older than this are moot). */
const DELIVERY_RETENTION_MS = 30 * 86_400_000;

export interface HousekeepingResult {
  attemptsWiped: number;
  attemptsDeleted: number;
  deletionsRequeued: number;
  deliveriesPurged: number;
  /** Outbound webhook deliveries whose job was enqueued again, and old ones dropped from the log. */
  outboundRequeued: number;
  outboundPurged: number;
}

/**
 * The scheduler's hourly housekeeping, PostgreSQL being the truth: abandoned login attempts lose
 * their encrypted tokens, stuck data-deletion requests get their job back (Meta sends the request
 * once; the deletion must happen), old processed webhook deliveries go; outbound webhook
 * deliveries whose job was lost get it back and old ones leave the log.
 */
@Injectable()
export class HousekeepingService {
  private readonly logger = new Logger(HousekeepingService.name);

  constructor(
    private readonly states: OAuthStateService,
    private readonly dataSource: DataSource,
    @InjectQueue(DATA_DELETION_QUEUE) private readonly deletions: Queue<DataDeletionJob>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly outbound: SweepWebhookDeliveries,
  ) {}

  async run(): Promise<HousekeepingResult> {
    const now = this.clock.now().getTime();
    const { wiped, deleted } = await this.states.purgeExpired();
    const stuck = await this.dataSource.query<Array<{ id: number }>>(
      `SELECT id FROM data_deletion_requests WHERE status = 'pending' AND created_at < $1 ORDER BY id LIMIT 1000`,
      [new Date(now - STUCK_DELETION_MS)],
    );
    for (const { id } of stuck) {
      await this.deletions.add('delete', { requestId: id }, dataDeletionJobOptions(id, this.config.queue));
    }
    const purged = await purgeProcessedDeliveries(this.dataSource, new Date(now - DELIVERY_RETENTION_MS));
    await purgeSignedRequests(this.dataSource, new Date(now - SIGNED_REQUEST_RETENTION_MS)); // expired replay keys of Meta's callbacks
    const sweep = await this.outbound.execute();
    const result = {
      attemptsWiped: wiped,
      attemptsDeleted: deleted,
      deletionsRequeued: stuck.length,
      deliveriesPurged: purged,
      outboundRequeued: sweep.requeued,
      outboundPurged: sweep.purged,
    };
    if (Object.values(result).some((n) => n > 0)) this.logger.log(result, 'housekeeping done');
    return result;
  }
}
