import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Clock, SystemClock } from '../common/clock';
import { AppConfig } from './app-config';
import { validateEnv } from './env.schema';

/**
 * Global configuration: @nestjs/config loads `.env` into the environment, then the whole
 * environment is validated once and exposed as the typed AppConfig. Tests pass `env` explicitly.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: env !== undefined, isGlobal: false })],
      providers: [
        { provide: AppConfig, useFactory: () => new AppConfig(validateEnv(env ?? process.env)) },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [AppConfig, Clock],
    };
  }
}
