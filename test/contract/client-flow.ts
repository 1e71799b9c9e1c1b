/**
 * What an integrator writes against the client generated from /docs-json (openapi-typescript +
 * openapi-fetch). The contract spec type-checks this file with tsc against a freshly generated
 * schema, then runs it against the real API and the sandbox: if the document lies about a path,
 * a parameter or a field, either tsc or this flow fails.
 */
import createClient from 'openapi-fetch';
import type { paths } from './generated/openapi';

export interface FlowResult {
  accountId: number;
  username: string | null;
  statusConnected: boolean;
  refreshSuccess: boolean;
  disconnected: boolean;
  statusAfter: boolean;
}

/** connect (the callback with the user's bearer) → status → refresh → disconnect → status. */
export async function connectStatusRefreshDisconnect(
  baseUrl: string,
  bearer: string,
  callbackQuery: string,
): Promise<FlowResult> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: bearer } });
  const query = new URLSearchParams(callbackQuery);

  const connected = await client.GET('/social/facebook/callback', {
    params: { query: { code: query.get('code') ?? undefined, state: query.get('state') ?? '' } },
    headers: { Accept: 'application/json' },
  });
  if (!connected.data) throw new Error(`callback failed: ${JSON.stringify(connected.error)}`);
  const account = connected.data.accounts?.[0];
  if (!account) throw new Error(`no account connected (status ${connected.data.status})`);

  const status = await client.GET('/social/status');
  if (!status.data) throw new Error(`status failed: ${JSON.stringify(status.error)}`);

  const refreshed = await client.POST('/social/accounts/{id}/refresh-token', { params: { path: { id: account.id } } });
  if (!refreshed.data) throw new Error(`refresh failed: ${JSON.stringify(refreshed.error)}`);

  const gone = await client.DELETE('/social/accounts/{id}', { params: { path: { id: account.id } } });
  if (!gone.data) throw new Error(`disconnect failed: ${JSON.stringify(gone.error)}`);

  const after = await client.GET('/social/status');
  if (!after.data) throw new Error(`status failed: ${JSON.stringify(after.error)}`);

  // an error answer is typed too: the documented error body
  const missing = await client.GET('/social/accounts/{id}', { params: { path: { id: 999_999 } } });
  if (missing.response.status !== 404 || missing.error?.code !== 'ACCOUNT_NOT_FOUND')
    throw new Error('expected a 404 ACCOUNT_NOT_FOUND');

  return {
    accountId: account.id,
    username: account.instagram_username ?? null,
    statusConnected: status.data.is_connected,
    refreshSuccess: refreshed.data.success,
    disconnected: gone.data.disconnected,
    statusAfter: after.data.is_connected,
  };
}
