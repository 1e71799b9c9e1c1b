import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../config/app-config';
import { startSandbox } from './sandbox-server';
import { webhookUrlsFor } from './webhook-sender';

/**
 * `npm run sandbox`: the Meta Graph sandbox as a standalone process. Reads its few settings
 * straight from the environment because it is its own tiny program, not a Nest provider.
 */
async function main(): Promise<void> {
  const env = process.env;
  const frontendUrl = (env.FRONTEND_URL ?? 'http://localhost:3002').replace(/\/+$/, '');
  const redirectUris = (env.SANDBOX_REDIRECT_URIS ?? `${frontendUrl}/settings/social-accounts/callback`)
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (env.FACEBOOK_REDIRECT_URI && !redirectUris.includes(env.FACEBOOK_REDIRECT_URI))
    redirectUris.push(env.FACEBOOK_REDIRECT_URI);
  const sandbox = await startSandbox({
    port: Number(env.SANDBOX_PORT ?? 8090),
    host: env.SANDBOX_HOST ?? '127.0.0.1',
    appId: env.FACEBOOK_APP_ID || SANDBOX_APP_ID,
    appSecret: env.FACEBOOK_APP_SECRET || SANDBOX_APP_SECRET,
    redirectUris,
    // Meta's callbacks (deauthorize, data deletion, webhooks) go to the API's routes under this base
    webhooks: webhookUrlsFor(env.SANDBOX_WEBHOOK_BASE_URL || 'http://localhost:8000'),
  });
  process.stdout.write(`Meta Graph sandbox listening on ${sandbox.url} (app ${sandbox.state.app.id})\n`);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
