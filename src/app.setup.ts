import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { DomainError } from './common/errors/domain-error';
import { ErrorCode } from './common/errors/error-codes';
import { AppConfig } from './config/app-config';
import { mountBullBoard } from './modules/ops/bull-board';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {});
    return [...own.map((m) => (m.startsWith(e.property) ? m : `${path}: ${m}`)), ...flatten(e.children ?? [], path)];
  });
}

export function buildOpenApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('AutoReels Connect API')
    .setDescription(
      'Connect Instagram Business/Creator accounts through Facebook Login, keep them alive, get alerted, disconnect cleanly. ' +
        'Errors are always `{ statusCode, code, message }` with a stable SCREAMING_SNAKE `code`.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Everything the HTTP API applies around its routes, in one place so the api role and the e2e
 * tests run the very same stack: logging, security headers, CORS allowlist, body limits,
 * validation, the error filter, Swagger and graceful shutdown.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(
    helmet({
      // Swagger UI needs inline scripts/styles on /docs only
      contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"] } },
      referrerPolicy: { policy: 'no-referrer' },
      hsts: config.isProduction,
    }),
  );
  app.enableCors({
    origin: (origin, cb) => cb(null, !origin || config.allowedOrigins.includes(origin) ? (origin ?? false) : false),
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id'],
    maxAge: 600,
  });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => {
        const messages = flatten(errors);
        return new DomainError(ErrorCode.VALIDATION_FAILED, messages.join('; ') || 'Invalid request.', {
          errors: messages,
        });
      },
    }),
  );
  app.useGlobalFilters(new AllExceptionsFilter());
  mountBullBoard(app); // /admin/queues, admins only
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'AutoReels Connect API' });
  app.enableShutdownHooks();
  return app;
}
