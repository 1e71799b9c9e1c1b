import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { SchedulerModule } from '../scheduler.module';
import { runRole } from './run-role';

// Any number of schedulers may run: sweeps enqueue with deterministic job ids, so they collapse.
void runRole('scheduler', async () => {
  const app = await NestFactory.createApplicationContext(SchedulerModule.forRoot(), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
});
