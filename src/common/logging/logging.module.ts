import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import pino from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../../config/app-config';
import { REDACT_PATHS, redactUrl } from './redact';

function pinoParams(config: AppConfig): Params {
  const options: Options = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // a base binding, not customProps: customProps costs one extra child logger per request
    base: { service: 'autoreels-connect', pid: process.pid },
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
    // development only (`npm start`): one readable line per event; JSON stays the production format
    ...(config.prettyLogs
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
          },
        }
      : {}),
  };
  // stdout is written asynchronously: lines logged while a write is in progress go out together in
  // the next one (one syscall for many requests under load, instead of a blocking write per line).
  // pino flushes what is left synchronously on exit, uncaught errors included; only a SIGKILL can
  // cost the last few milliseconds of lines. LOG_FILE (tests, ops reading the file at once) stays sync.
  const destination = config.logFile
    ? pino.destination({ dest: config.logFile, sync: true, mkdir: true })
    : config.prettyLogs
      ? undefined
      : pino.destination({ dest: 1, sync: false });
  return { pinoHttp: destination ? [options, destination] : options };
}

/** Structured JSON logs (pino) with request ids; credentials are redacted by path and in URLs. */
@Module({
  imports: [LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: pinoParams })],
})
export class LoggingModule {}
