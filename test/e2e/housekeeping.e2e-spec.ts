import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { HousekeepingService } from '../../src/modules/scheduler/housekeeping.service';
import { DATA_DELETION_QUEUE, dataDeletionJobId } from '../../src/modules/webhooks/webhooks.constants';
import { baseEnv } from '../helpers/api-app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startSchedulerRole } from '../helpers/lifecycle';

describe('scheduler housekeeping (e2e)', () => {
  let db: TestDatabase;
  let scheduler: Awaited<ReturnType<typeof startSchedulerRole>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    scheduler = await startSchedulerRole(baseEnv({ DATABASE_URL: db.url }));
  });
  afterAll(async () => {
    await scheduler.close();
    await db.drop();
  });

  it('should wipe abandoned login secrets, re-enqueue a stuck deletion and purge only old processed deliveries', async () => {
    const ds = scheduler.ctx.get(DataSource);
    const [{ id: userId }] = await ds.query<Array<{ id: number }>>(
      `INSERT INTO users (email, password_hash) VALUES ('hk@example.com', 'x') RETURNING id`,
    );
    await ds.query(
      `INSERT INTO oauth_states (state_hash, user_id, purpose, expires_at, pending_secret)
       VALUES (repeat('a', 64), $1, 'connect', now() - interval '1 minute', 'v1.k.ciphertext')`,
      [userId],
    );
    const [{ id: stuckId }] = await ds.query<Array<{ id: number }>>(
      `INSERT INTO data_deletion_requests (confirmation_code, fb_user_hash, fb_user_id, created_at)
       VALUES ('code-stuck', repeat('b', 64), '555', now() - interval '20 minutes') RETURNING id`,
    );
    await ds.query(
      `INSERT INTO data_deletion_requests (confirmation_code, fb_user_hash, fb_user_id) VALUES ('code-fresh', repeat('c', 64), '556')`,
    );
    await ds.query(
      `INSERT INTO webhook_deliveries (delivery_key, object, payload, received_at, processed_at) VALUES
         (repeat('d', 64), 'instagram', '{}', now() - interval '40 days', now() - interval '40 days'),
         (repeat('e', 64), 'instagram', '{}', now() - interval '40 days', NULL),
         (repeat('f', 64), 'instagram', '{}', now() - interval '1 day', now() - interval '1 day')`,
    );

    const result = await scheduler.ctx.get(HousekeepingService).run();

    expect(result).toEqual({
      attemptsWiped: 1,
      attemptsDeleted: 0,
      deletionsRequeued: 1,
      deliveriesPurged: 1,
      outboundRequeued: 0,
      outboundPurged: 0,
    });
    expect(await ds.query(`SELECT pending_secret FROM oauth_states`)).toEqual([{ pending_secret: null }]);
    const queue = scheduler.ctx.get<Queue>(getQueueToken(DATA_DELETION_QUEUE));
    expect(await queue.getJob(dataDeletionJobId(stuckId))).toBeDefined();
    const left = await ds.query<Array<{ delivery_key: string }>>(`SELECT delivery_key FROM webhook_deliveries ORDER BY id`);
    expect(left.map((d) => d.delivery_key[0])).toEqual(['e', 'f']); // unprocessed and recent ones stay
    // running it again changes nothing new and enqueues the same job id (collapses)
    expect((await scheduler.ctx.get(HousekeepingService).run()).deliveriesPurged).toBe(0);
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({ waiting: 1 });
  });
});
