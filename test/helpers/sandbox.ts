import { SANDBOX_APP_ID, SANDBOX_APP_SECRET } from '../../src/config/app-config';
import type { GraphClientOptions } from '../../src/modules/graph/graph.options';
import { MetaGraphApiClient } from '../../src/modules/graph/meta-graph-api.client';
import type { GraphCallObserver } from '../../src/modules/graph/graph-call-observer';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';

export const TEST_REDIRECT_URI = 'http://localhost:3002/settings/social-accounts/callback';
export const ALEX_ID = '10000000000000001';
export const SAM_ID = '10000000000000002';
export const ACME_COFFEE_PAGE = '110000000000001';
export const ACME_ROASTERY_PAGE = '110000000000002';
export const ACME_EVENTS_PAGE = '110000000000003';
export const SAM_STUDIO_PAGE = '110000000000004';
export const ACME_COFFEE_IG = '17841400000000001';
export const SAM_STUDIO_IG = '17841400000000003';
export const DEFAULT_SCOPES = [
  'pages_show_list',
  'instagram_basic',
  'pages_read_engagement',
  'instagram_content_publish',
  'pages_manage_metadata',
];

export function graphClientFor(
  sandbox: RunningSandbox,
  overrides: Partial<GraphClientOptions> = {},
  observer?: GraphCallObserver,
): MetaGraphApiClient {
  return new MetaGraphApiClient(
    {
      graphUrl: sandbox.url,
      dialogUrl: sandbox.url,
      version: 'v25.0',
      appId: SANDBOX_APP_ID,
      appSecret: SANDBOX_APP_SECRET,
      timeoutMs: 5000,
      ...overrides,
    },
    observer,
  );
}

/** Calls the sandbox control API and returns its JSON; throws on a non-2xx answer. */
export async function control<T = Record<string, unknown>>(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sandbox.url}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

export interface LoginOptions {
  userId?: string;
  pages?: string[];
  decline?: string[];
  scopes?: string[];
  redirectUri?: string;
  state?: string;
  authType?: string;
}

/** Runs the Login dialog with automated approval and returns the redirect Location. */
export async function dialogRedirect(sandbox: RunningSandbox, o: LoginOptions & { deny?: boolean } = {}): Promise<URL> {
  const q = new URLSearchParams({
    client_id: SANDBOX_APP_ID,
    redirect_uri: o.redirectUri ?? TEST_REDIRECT_URI,
    state: o.state ?? 'st-1',
    scope: (o.scopes ?? DEFAULT_SCOPES).join(','),
    sandbox_auto: o.deny ? 'deny' : 'approve',
    sandbox_user: o.userId ?? ALEX_ID,
  });
  if (o.pages) q.set('sandbox_pages', o.pages.join(','));
  if (o.decline) q.set('sandbox_decline', o.decline.join(','));
  if (o.authType) q.set('auth_type', o.authType);
  const res = await fetch(`${sandbox.url}/v25.0/dialog/oauth?${q.toString()}`, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`dialog did not redirect (HTTP ${res.status})`);
  return new URL(location);
}

/** Approves the dialog and returns the authorization code. */
export async function loginCode(sandbox: RunningSandbox, o: LoginOptions = {}): Promise<string> {
  const code = (await dialogRedirect(sandbox, o)).searchParams.get('code');
  if (!code) throw new Error('no code in redirect');
  return code;
}
