import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SingleBar, Presets } from 'cli-progress';
import { SchedulerModule } from '../scheduler.module';
import { TokenSweepService } from '../modules/scheduler/token-sweep.service';

/**
 * `npm run tokens:sweep`: one sweep now (the same as a scheduler tick: due accounts from
 * PostgreSQL → token-maintenance jobs, plus alert e-mails that never went out), then exit.
 * A running worker does the checks.
 */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(SchedulerModule.forRoot({ cron: false }), { logger: ['error', 'warn'] });
  const bar = new SingleBar(
    { format: 'sweep [{bar}] {value}/{total} due accounts enqueued | {duration}s', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  try {
    const result = await app.get(TokenSweepService).sweep({
      onBatch: (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
    if (started) bar.stop();
    process.stdout.write(
      `${result.enqueued} due account(s) enqueued, ${result.alertsRequeued} unsent alert e-mail(s) re-enqueued in ${result.ms} ms\n`,
    );
  } finally {
    if (started) bar.stop();
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`tokens:sweep failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
