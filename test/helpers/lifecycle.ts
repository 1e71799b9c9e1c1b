import type { AddressInfo } from 'node:net';
import type { DynamicModule } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { AuthTokenService } from '../../src/modules/auth/auth-token.service';
import { TOKEN_MAINTENANCE_QUEUE } from '../../src/modules/queue/queue.constants';
import { TokenMaintenanceProcessor } from '../../src/modules/connections/token-maintenance.processor';
import { TokenSweepService } from '../../src/modules/scheduler/token-sweep.service';
import { SchedulerModule } from '../../src/scheduler.module';
import { WorkerModule } from '../../src/worker.module';
import { SAM_ID } from './sandbox';
import { callback, dialog, type Stack } from './stack';

/** A role (worker, scheduler) booted in-process like its bootstrap does, sharing the api's env. */
async function startContext(module: DynamicModule, clock?: Clock): Promise<TestingModule> {
  const builder = Test.createTestingModule({ imports: [module] });
  if (clock) builder.overrideProvider(Clock).useValue(clock);
  const ctx = await builder.compile();
  await ctx.init();
  return ctx;
}

export async function startWorkerRole(env: Record<string, string>, clock?: Clock) {
  const ctx = await startContext(WorkerModule.forRoot({ env }), clock);
  const processor = ctx.get(TokenMaintenanceProcessor);
  return {
    ctx,
    /** Like a crash: stop at once, leave active jobs to their (expiring) locks. */
    kill: async () => {
      await processor.worker?.close(true);
    },
    close: () => ctx.close(),
  };
}

export async function startSchedulerRole(env: Record<string, string>, clock?: Clock) {
  const ctx = await startContext(SchedulerModule.forRoot({ env, cron: false }), clock);
  return {
    ctx,
    sweeps: ctx.get(TokenSweepService),
    queue: ctx.get<Queue>(getQueueToken(TOKEN_MAINTENANCE_QUEUE)),
    close: () => ctx.close(),
  };
}

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** The body with quoted-printable soft breaks and escapes undone. */
  text: string;
}

function decodeQuotedPrintable(s: string): string {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A real SMTP server on a free loopback port, keeping what it receives. */
export async function startSmtp(): Promise<{ url: string; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodeQuotedPrintable(raw) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Deletes only this test's keys (never FLUSHALL: other specs share the Redis). */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new IORedis(redisUrl);
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  return deleted;
}

/**
 * `n` users each connecting @sam.studio through the real flow; users are inserted directly and
 * signed in with a minted bearer (skips argon2, keeps the suite fast). Returns the account ids.
 */
export async function connectAccounts(stack: Stack, n: number): Promise<number[]> {
  const db = stack.api.app.get(DataSource);
  const tokens = stack.api.app.get(AuthTokenService);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const email = `bulk-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}@example.com`;
    const [{ id }] = await db.query<Array<{ id: number }>>(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`,
      [email],
    );
    const auth = `Bearer ${tokens.issue({ id, email, role: 'user' }).token}`;
    const res = await callback(stack, auth, await dialog(stack, auth, { user: SAM_ID })).expect(200);
    ids.push(res.body.accounts[0].id as number);
  }
  return ids;
}
