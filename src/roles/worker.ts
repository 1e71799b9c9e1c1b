import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from '../worker.module';
import { limitHeapGrowth } from './heap-growth';
import { runRole } from './run-role';

limitHeapGrowth();

// SIGTERM/SIGINT: shutdown hooks close the BullMQ workers, which let in-flight jobs finish (bounded).
void runRole('worker', async () => {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
});
