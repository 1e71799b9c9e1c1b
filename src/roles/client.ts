import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve, sep } from 'node:path';
import compression from 'compression';
import { config as loadDotEnv } from 'dotenv';
import express from 'express';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';
import { validateEnv } from '../config/env.schema';

/** Where `ng build` puts the browser bundle (client/angular.json, @angular/build:application). */
export const CLIENT_DIST = resolve(
  __dirname,
  // dist/src/roles when built, src/roles under ts-node
  __dirname.split(sep).includes('dist') ? '../../..' : '../..',
  'client/dist/client/browser',
);

/** `ng build` output names: `main-ABCD1234.js`, `chunk-….js`, `styles-….css` (content hash). */
export const HASHED_ASSET = /-[A-Z0-9]{8}\.(js|css|mjs)$/;

/**
 * The client role: serves the built Angular app on FRONTEND_URL's port with an SPA fallback, and
 * answers /config.json so one build runs against any API (no rebuild per environment).
 * Responses are compressed (brotli or gzip, by Accept-Encoding); content-hashed files are cached
 * for a year (immutable), everything else is revalidated (index.html: no-cache).
 */
export function createClientServer(config: AppConfig, apiUrl: string, dist = CLIENT_DIST): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'connect-src': ["'self'", apiUrl],
          'img-src': ["'self'", 'data:', 'https:', config.facebook.graphUrl],
          'style-src': ["'self'", "'unsafe-inline'"],
          'script-src': ["'self'"],
          'form-action': ["'self'", config.facebook.dialogUrl, apiUrl],
        },
      },
      // the OAuth callback page carries code/state in its URL: never leak it through Referer
      referrerPolicy: { policy: 'no-referrer' },
      hsts: config.isProduction,
    }),
  );
  app.use(compression({ threshold: 1024 }));
  app.get('/config.json', (_req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json({ apiUrl, sandboxMode: config.sandboxMode, instagramLogin: config.instagram.enabled });
  });
  app.use(
    express.static(dist, {
      index: false,
      setHeaders: (res, path) => {
        res.setHeader(
          'Cache-Control',
          HASHED_ASSET.test(path)
            ? 'public, max-age=31536000, immutable'
            : path.endsWith('.html')
              ? 'no-cache'
              : 'public, max-age=3600',
        );
      },
    }),
  );
  app.get('/{*path}', (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(join(dist, 'index.html'));
  });
  return app;
}

if (require.main === module) {
  loadDotEnv({ quiet: true });
  try {
    const config = new AppConfig(validateEnv(process.env));
    if (!existsSync(join(CLIENT_DIST, 'index.html')))
      throw new Error(`no client build at ${CLIENT_DIST}; run npm run build:client`);
    const port = Number(new URL(config.frontendUrl).port || 80);
    const server: Server = createClientServer(config, config.publicApiUrl).listen(port, () => {
      process.stdout.write(`${JSON.stringify({ level: 30, msg: `client role serving ${config.frontendUrl}` })}\n`);
    });
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (err) {
    process.stderr.write(`[client] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
