import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiModule } from '../api.module';
import { configureApp } from '../app.setup';
import { AppConfig } from '../config/app-config';
import { limitHeapGrowth } from './heap-growth';
import { runRole } from './run-role';

limitHeapGrowth();

void runRole('api', async () => {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(), { bufferLogs: true, rawBody: true });
  configureApp(app);
  await app.listen(app.get(AppConfig).port);
  return app;
});
