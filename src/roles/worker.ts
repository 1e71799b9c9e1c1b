import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from '../worker.module';
import { runRole } from './run-role';

/**
 * Heap growth for the worker: 50 checks in flight keep Meta answers, pg rows and fetch state alive
 * across scavenges, so much short-lived garbage is promoted and V8's default growing factor (up
 * to 4x the live heap) let the old space balloon to ~180 MB before each major GC, although the
 * live heap stays ~50-60 MB (RSS ~300 MB). Growing 1.5x the live heap keeps RSS < 250 MB at the
 * same throughput (the marking is incremental/concurrent). An explicit flag from the operator
 * (NODE_OPTIONS or the command line) wins.
 */
const HEAP_GROWING_PERCENT = 50;
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'))) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

// SIGTERM/SIGINT: shutdown hooks close the BullMQ workers, which let in-flight jobs finish (bounded).
void runRole('worker', async () => {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
});
