import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { Clock } from '../../common/clock';
import { ConnectionRepository } from '../connections/connection.repository';
import { NOTIFICATIONS_QUEUE, TOKEN_MAINTENANCE_QUEUE } from '../queue/queue.constants';
import { LifecycleMetrics } from './lifecycle-metrics';

const STATUSES = ['active', 'expiring', 'needs_reconnect', 'revoked', 'disconnected'] as const;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** Gauges computed at scrape time from PostgreSQL (the truth) and the queues (api role only). */
@Injectable()
export class ScrapeGauges {
  constructor(
    metrics: LifecycleMetrics,
    connections: ConnectionRepository,
    clock: Clock,
    @InjectQueue(TOKEN_MAINTENANCE_QUEUE) maintenance: Queue,
    @InjectQueue(NOTIFICATIONS_QUEUE) notifications: Queue,
  ) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'autoreels_connections',
      help: 'Instagram connections by status (from PostgreSQL at scrape time).',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const rows = await connections.countByStatus();
        for (const s of STATUSES) this.set({ status: s }, rows.find((r) => r.status === s)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'autoreels_seconds_until_earliest_expiry',
      help: 'Seconds until the earliest expiry among valid connected accounts (+Inf when none expires).',
      registers,
      async collect() {
        const at = await connections.earliestExpiry();
        this.set(at ? (at.getTime() - clock.now().getTime()) / 1000 : Infinity);
      },
    });
    new Gauge({
      name: 'autoreels_queue_jobs',
      help: 'BullMQ jobs per queue and state.',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        for (const q of [maintenance, notifications]) {
          const counts = await q.getJobCounts(...QUEUE_STATES);
          for (const s of QUEUE_STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
        }
      },
    });
  }
}
