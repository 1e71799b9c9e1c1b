import { isIP } from 'node:net';
import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../config/app-config';
import { isLoopbackHost, startSandbox, type SandboxOptions } from './sandbox-server';
import { webhookUrlsFor } from './webhook-sender';

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function httpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.hash && !!u.hostname;
  } catch {
    return false;
  }
}

/**
 * The sandbox's own settings, validated at boot: one error naming every bad variable. It always
 * answers as its own test app (SANDBOX_APP_ID / SANDBOX_APP_SECRET): it never reads a real
 * FACEBOOK_APP_SECRET, and it refuses ENVIRONMENT=production (the default of every built role).
 */
export function sandboxOptionsFromEnv(env: Record<string, string | undefined>): SandboxOptions {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];

  if ((get('ENVIRONMENT') ?? 'production') === 'production')
    problems.push(
      'ENVIRONMENT: the sandbox never runs in production; set ENVIRONMENT=development (npm start and npm run sandbox do)',
    );

  const portRaw = get('SANDBOX_PORT') ?? '8090';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw.trim()) || port > 65535) problems.push(`SANDBOX_PORT: "${portRaw}" is not a port (0-65535)`);

  const host = get('SANDBOX_HOST') ?? '127.0.0.1';
  if (!isIP(host.replace(/^\[|\]$/g, '')) && !HOSTNAME.test(host))
    problems.push(`SANDBOX_HOST: "${host}" is not an address or host name`);

  const controlToken = get('SANDBOX_CONTROL_TOKEN');
  if (controlToken !== undefined && (controlToken.length < 16 || /\s/.test(controlToken)))
    problems.push('SANDBOX_CONTROL_TOKEN: at least 16 characters, no spaces (openssl rand -hex 24)');
  else if (controlToken === undefined && !isLoopbackHost(host))
    problems.push(`SANDBOX_CONTROL_TOKEN: required when the sandbox listens beyond loopback (SANDBOX_HOST=${host})`);

  const frontendUrl = (get('FRONTEND_URL') ?? 'http://localhost:3002').replace(/\/+$/, '');
  const redirectUris = (get('SANDBOX_REDIRECT_URIS') ?? `${frontendUrl}/settings/social-accounts/callback`)
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const badUris = redirectUris.filter((u) => !httpUrl(u));
  if (badUris.length) problems.push(`SANDBOX_REDIRECT_URIS: not absolute http(s) URLs without a fragment: ${badUris.join(', ')}`);
  const redirectUri = get('FACEBOOK_REDIRECT_URI');
  if (redirectUri && httpUrl(redirectUri) && !redirectUris.includes(redirectUri)) redirectUris.push(redirectUri);

  // Instagram Login's app: each redirect URI followed by /instagram, and INSTAGRAM_REDIRECT_URI when set
  const instagramRedirectUris = redirectUris.map((u) => `${u.replace(/\/+$/, '')}/instagram`);
  const igRedirectUri = get('INSTAGRAM_REDIRECT_URI');
  if (igRedirectUri && httpUrl(igRedirectUri) && !instagramRedirectUris.includes(igRedirectUri))
    instagramRedirectUris.push(igRedirectUri);

  const webhookBase = get('SANDBOX_WEBHOOK_BASE_URL') ?? 'http://localhost:8000';
  if (!httpUrl(webhookBase)) problems.push(`SANDBOX_WEBHOOK_BASE_URL: "${webhookBase}" is not an http(s) URL`);

  if (problems.length) throw new Error(`Invalid sandbox configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port,
    host,
    controlToken,
    appId: SANDBOX_APP_ID,
    appSecret: SANDBOX_APP_SECRET,
    redirectUris,
    instagramRedirectUris,
    // Meta's callbacks (deauthorize, data deletion, webhooks) go to the API's routes under this base
    webhooks: webhookUrlsFor(webhookBase),
  };
}

/**
 * `npm run sandbox`: the Meta Graph sandbox as a standalone process. Reads its few settings
 * straight from the environment because it is its own tiny program, not a Nest provider.
 */
async function main(): Promise<void> {
  const sandbox = await startSandbox(sandboxOptionsFromEnv(process.env));
  const guarded = process.env.SANDBOX_CONTROL_TOKEN ? 'control API needs SANDBOX_CONTROL_TOKEN' : 'control API open (loopback)';
  process.stdout.write(`Meta Graph sandbox listening on ${sandbox.url} (app ${sandbox.state.app.id}; ${guarded})\n`);

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

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
