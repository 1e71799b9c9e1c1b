import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { json, urlencoded } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { MAX_JSON_DEPTH, keepRawBody, rejectMalformedQuery, verifyJson } from './common/errors/bad-input';
import { DomainError } from './common/errors/domain-error';
import { ErrorBodyDto, ValidationErrorBodyDto } from './common/errors/error-body.dto';
import { ErrorCode } from './common/errors/error-codes';
import { API_KEY_SCHEME, completeErrorResponses, JWT_SCHEME } from './common/openapi/complete-error-responses';
import { AppConfig } from './config/app-config';
import { mountBullBoard } from './modules/ops/bull-board';

/** Meta's webhook deliveries batch entries; their documented ceiling is far above BODY_LIMIT's 100 kB. */
const WEBHOOK_BODY_LIMIT = '1mb';

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
    .addServer(app.get(AppConfig).publicApiUrl, 'This deployment (PUBLIC_API_URL)')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A signed-in user’s access token (POST /auth/login).' },
      JWT_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ark_ API key',
        description:
          'One of the user’s API keys (POST /auth/api-keys), sent as `Authorization: Bearer ark_…`. A `["read"]` key ' +
          'gets 403 INSUFFICIENT_SCOPE on anything that changes state.',
      },
      API_KEY_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto, ValidationErrorBodyDto] });
  // a private product: no licence URL to point to, but the document says so
  document.info.license = { name: 'UNLICENSED (proprietary)' };
  return completeErrorResponses(document);
}

/**
 * Everything the HTTP API applies around its routes, in one place so the api role and the e2e
 * tests run the very same stack: logging, security headers, CORS allowlist, body limits,
 * validation, the error filter, Swagger and graceful shutdown.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy); // TRUST_PROXY: rate limits key on the real client IP
  app.disable('x-powered-by');
  app.use(
    helmet({
      // helmet's strict default: script-src 'self', no inline scripts anywhere. Swagger UI at /docs
      // loads its scripts (swagger-ui-init.js included) from files under /docs, so it needs no exception.
      contentSecurityPolicy: { useDefaults: true },
      referrerPolicy: { policy: 'no-referrer' },
      hsts: config.isProduction,
    }),
  );
  app.enableCors({
    origin: (origin, cb) => cb(null, !origin || config.allowedOrigins.includes(origin) ? (origin ?? false) : false),
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id', 'Idempotency-Key'],
    maxAge: 600,
  });
  // Bad input is a 4xx where it enters (DESIGN.md section 7): an undecodable or repeated query
  // parameter, JSON too deep or with text PostgreSQL cannot store. Meta's POST /webhooks/* get
  // Meta-sized bodies (1 MB) and their text as sent (the raw bytes are signed; the service
  // stores them); every other route keeps BODY_LIMIT. Both keep req.rawBody (`rawBody: true`).
  app.use(rejectMalformedQuery);
  app.use(
    '/webhooks',
    json({ limit: WEBHOOK_BODY_LIMIT, verify: verifyJson({ maxDepth: MAX_JSON_DEPTH, checkText: false }) }),
    urlencoded({ limit: WEBHOOK_BODY_LIMIT, extended: false, verify: keepRawBody }),
  );
  app.use(json({ limit: config.bodyLimit, verify: verifyJson({ maxDepth: MAX_JSON_DEPTH, checkText: true }) }));
  app.use(urlencoded({ limit: config.bodyLimit, extended: false, verify: keepRawBody }));
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
