import { createHmac } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { GraphApiClient } from './graph-api.client';
import type {
  GraphPage,
  GraphPermission,
  GraphTokenType,
  GraphUser,
  InstagramAccount,
  LoginUrlRequest,
  PermissionStatus,
  TokenGrant,
  TokenInspection,
} from './graph-api.client';
import { GraphCallObserver } from './graph-call-observer';
import { GraphError, classifyGraphError } from './graph-error';
import { parseUsageHeaders } from './graph-usage';
import type { GraphUsage } from './graph-usage';
import { GRAPH_CLIENT_OPTIONS } from './graph.options';
import type { GraphClientOptions } from './graph.options';

type Json = Record<string, unknown>;
type Method = 'GET' | 'POST' | 'DELETE';

/** How a call authenticates: a user/Page token gets an appsecret_proof; the app token does not need one. */
type Auth = { kind: 'token'; token: string } | { kind: 'app' } | { kind: 'none' };

const PAGE_FIELDS = 'id,name,access_token,tasks,category,instagram_business_account{id,username}';
const IG_FIELDS = 'id,username,name,profile_picture_url,followers_count,media_count';
const TOKEN_TYPES: GraphTokenType[] = ['USER', 'PAGE', 'APP', 'SYSTEM_USER'];
const PERMISSION_STATUSES: PermissionStatus[] = ['granted', 'declined', 'expired'];
const MAX_PAGES_FOLLOWED = 200;
const TOKEN_ENDPOINT_OPERATIONS = new Set(['exchangeCode', 'exchangeForLongLived']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
function optNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
/** Meta epoch seconds; 0 or absent = "never"/unknown. */
function epochDate(v: unknown): Date | null {
  const n = optNumber(v);
  return n ? new Date(n * 1000) : null;
}
function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

@Injectable()
export class MetaGraphApiClient extends GraphApiClient {
  private readonly base: string;

  constructor(
    @Inject(GRAPH_CLIENT_OPTIONS) private readonly opts: GraphClientOptions,
    @Optional() private readonly observer?: GraphCallObserver,
  ) {
    super();
    this.base = `${opts.graphUrl.replace(/\/+$/, '')}/${opts.version}`;
  }

  buildLoginUrl(req: LoginUrlRequest): string {
    const q = new URLSearchParams({
      client_id: this.opts.appId,
      redirect_uri: req.redirectUri,
      state: req.state,
      scope: req.scopes.join(','),
      response_type: 'code',
    });
    if (req.authType) q.set('auth_type', req.authType);
    return `${this.opts.dialogUrl.replace(/\/+$/, '')}/${this.opts.version}/dialog/oauth?${q.toString()}`;
  }

  async exchangeCode(code: string, redirectUri: string): Promise<TokenGrant> {
    const body = await this.call(
      'exchangeCode',
      'GET',
      '/oauth/access_token',
      { kind: 'none' },
      {
        client_id: this.opts.appId,
        client_secret: this.opts.appSecret,
        redirect_uri: redirectUri,
        code,
      },
      [code],
    );
    return this.toGrant('exchangeCode', body);
  }

  async exchangeForLongLived(userToken: string): Promise<TokenGrant> {
    const body = await this.call(
      'exchangeForLongLived',
      'GET',
      '/oauth/access_token',
      { kind: 'none' },
      {
        grant_type: 'fb_exchange_token',
        client_id: this.opts.appId,
        client_secret: this.opts.appSecret,
        fb_exchange_token: userToken,
      },
      [userToken],
    );
    return this.toGrant('exchangeForLongLived', body);
  }

  async inspectToken(token: string): Promise<TokenInspection> {
    const body = await this.call('inspectToken', 'GET', '/debug_token', { kind: 'app' }, { input_token: token }, [token]);
    const d = isObject(body) && isObject(body.data) ? body.data : undefined;
    if (!d) throw this.malformed('inspectToken');
    const type = optString(d.type);
    const err = isObject(d.error) ? d.error : undefined;
    return {
      isValid: d.is_valid === true,
      // Meta omits `type` for unparseable tokens; USER is the only kind our users hand us.
      type: TOKEN_TYPES.find((t) => t === type) ?? 'USER',
      appId: optString(d.app_id) ?? '',
      userId: optString(d.user_id),
      profileId: optString(d.profile_id),
      issuedAt: epochDate(d.issued_at),
      expiresAt: epochDate(d.expires_at),
      dataAccessExpiresAt: epochDate(d.data_access_expires_at),
      scopes: stringList(d.scopes),
      granularScopes: (Array.isArray(d.granular_scopes) ? d.granular_scopes : [])
        .filter(isObject)
        .map((g) => ({ scope: optString(g.scope) ?? '', targetIds: stringList(g.target_ids) }))
        .filter((g) => g.scope !== ''),
      ...(err
        ? {
            error: {
              code: optNumber(err.code) ?? 0,
              subcode: optNumber(err.subcode ?? err.error_subcode),
              message: this.redact(optString(err.message) ?? '', [token]),
            },
          }
        : {}),
    };
  }

  async getMe(userToken: string): Promise<GraphUser> {
    const body = await this.call('getMe', 'GET', '/me', { kind: 'token', token: userToken }, { fields: 'id,name' });
    const id = isObject(body) ? optString(body.id) : undefined;
    if (!isObject(body) || !id) throw this.malformed('getMe');
    return { id, name: optString(body.name) ?? '' };
  }

  async listPages(userToken: string): Promise<GraphPage[]> {
    const pages: GraphPage[] = [];
    const seen = new Set<string>();
    let after: string | undefined;
    for (let i = 0; i < MAX_PAGES_FOLLOWED; i++) {
      const params: Record<string, string> = { fields: PAGE_FIELDS, limit: String(this.opts.pageSize ?? 100) };
      if (after) params.after = after;
      const body = await this.call('listPages', 'GET', '/me/accounts', { kind: 'token', token: userToken }, params);
      if (!isObject(body) || !Array.isArray(body.data)) throw this.malformed('listPages');
      for (const raw of body.data) {
        if (!isObject(raw)) continue;
        const id = optString(raw.id);
        const accessToken = optString(raw.access_token);
        // Without a Page token the Page cannot be acted on (the user lacks a task on it).
        if (!id || !accessToken) continue;
        const ig = isObject(raw.instagram_business_account) ? raw.instagram_business_account : undefined;
        pages.push({
          id,
          name: optString(raw.name) ?? '',
          accessToken,
          tasks: stringList(raw.tasks),
          category: optString(raw.category),
          instagramAccountId: ig ? optString(ig.id) : undefined,
          instagramUsername: ig ? optString(ig.username) : undefined,
        });
      }
      // Only `paging.next` says more exists (short pages may still have more, §4). We re-issue the
      // request ourselves with the `after` cursor instead of fetching Meta's URL, so the token and
      // proof always travel the same controlled way.
      const paging = isObject(body.paging) ? body.paging : undefined;
      const cursors = paging && isObject(paging.cursors) ? paging.cursors : undefined;
      const next = cursors ? optString(cursors.after) : undefined;
      if (!paging || typeof paging.next !== 'string' || !next || seen.has(next)) break;
      seen.add(next);
      after = next;
    }
    return pages;
  }

  async getInstagramAccount(igUserId: string, token: string): Promise<InstagramAccount> {
    this.assertId('getInstagramAccount', igUserId);
    const body = await this.call('getInstagramAccount', 'GET', `/${igUserId}`, { kind: 'token', token }, { fields: IG_FIELDS });
    const id = isObject(body) ? optString(body.id) : undefined;
    const username = isObject(body) ? optString(body.username) : undefined;
    if (!isObject(body) || !id || !username) throw this.malformed('getInstagramAccount');
    return {
      id,
      username,
      name: optString(body.name),
      profilePictureUrl: optString(body.profile_picture_url),
      followersCount: optNumber(body.followers_count),
      mediaCount: optNumber(body.media_count),
    };
  }

  async getPermissions(userToken: string): Promise<GraphPermission[]> {
    const body = await this.call('getPermissions', 'GET', '/me/permissions', { kind: 'token', token: userToken }, {});
    if (!isObject(body) || !Array.isArray(body.data)) throw this.malformed('getPermissions');
    return body.data.filter(isObject).flatMap((p) => {
      const permission = optString(p.permission);
      const status = PERMISSION_STATUSES.find((s) => s === p.status);
      return permission && status ? [{ permission, status }] : [];
    });
  }

  async revokeAll(userToken: string): Promise<void> {
    const body = await this.call('revokeAll', 'DELETE', '/me/permissions', { kind: 'token', token: userToken }, {});
    this.expectSuccess('revokeAll', body);
  }

  async subscribePageToApp(pageId: string, pageToken: string, fields: string[]): Promise<void> {
    this.assertId('subscribePageToApp', pageId);
    const body = await this.call(
      'subscribePageToApp',
      'POST',
      `/${pageId}/subscribed_apps`,
      { kind: 'token', token: pageToken },
      {
        subscribed_fields: fields.join(','),
      },
    );
    this.expectSuccess('subscribePageToApp', body);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  /**
   * One Graph call. Tokens go as `access_token` (query for GET, form body otherwise) with an
   * appsecret_proof; nothing of the URL or token ever reaches a message. `extraSecrets` are other
   * values to scrub from Meta's messages (e.g. the token being inspected).
   */
  private async call(
    operation: string,
    method: Method,
    path: string,
    auth: Auth,
    params: Record<string, string>,
    extraSecrets: string[] = [],
  ): Promise<unknown> {
    const secrets = [this.opts.appSecret, ...extraSecrets];
    const all: Record<string, string> = { ...params };
    if (auth.kind === 'token') {
      all.access_token = auth.token;
      all.appsecret_proof = createHmac('sha256', this.opts.appSecret).update(auth.token).digest('hex');
      secrets.push(auth.token);
    } else if (auth.kind === 'app') {
      all.access_token = `${this.opts.appId}|${this.opts.appSecret}`;
    }
    const form = new URLSearchParams(all);
    const url = method === 'GET' ? `${this.base}${path}?${form.toString()}` : `${this.base}${path}`;
    const started = Date.now();

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(method === 'GET' ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
        },
        body: method === 'GET' ? undefined : form.toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      // Duck-typed: the DOMException from AbortSignal.timeout is not always `instanceof Error` (realms).
      const e = typeof err === 'object' && err !== null ? (err as { name?: unknown; cause?: unknown }) : {};
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      const cause = isObject(e.cause) ? optString(e.cause.code) : undefined;
      const error = new GraphError(
        timedOut
          ? `Graph ${operation} timed out after ${this.opts.timeoutMs} ms`
          : `Graph ${operation} failed: network error${cause ? ` (${cause})` : ''}`,
        { network: true, operation },
      );
      this.observe(operation, started, error);
      throw error;
    }

    const usage = parseUsageHeaders(response.headers);
    let body: unknown;
    let parsed = true;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = false;
    }

    if (isObject(body) && isObject(body.error)) {
      const error = this.fromEnvelope(
        operation,
        body.error,
        response.status,
        usage,
        response.headers.get('x-fb-trace-id'),
        secrets,
      );
      this.observe(operation, started, error);
      throw error;
    }
    if (!response.ok || !parsed) {
      const error = new GraphError(
        `Graph ${operation} failed: HTTP ${response.status} with ${parsed ? 'an unexpected' : 'a non-JSON'} body`,
        {
          httpStatus: response.status,
          usage,
          operation,
          kind: response.ok ? 'bad-request' : classifyGraphError({ httpStatus: response.status }),
        },
      );
      this.observe(operation, started, error);
      throw error;
    }
    this.observe(operation, started);
    return body;
  }

  private fromEnvelope(
    operation: string,
    e: Json,
    httpStatus: number,
    usage: GraphUsage | undefined,
    traceHeader: string | null,
    secrets: string[],
  ): GraphError {
    const code = optNumber(e.code);
    const subcode = optNumber(e.error_subcode);
    const isTransient = typeof e.is_transient === 'boolean' ? e.is_transient : undefined;
    const metaMessage = this.redact(optString(e.message) ?? 'unknown error', secrets);
    const tag = code !== undefined ? ` [${code}${subcode !== undefined ? `/${subcode}` : ''}]` : '';
    // The token endpoint answers a wrong client_secret with code 1 over HTTP 400: that is a
    // configuration error, not the transient "unknown error" code 1 means elsewhere (HTTP 5xx).
    const credentialsRejected =
      TOKEN_ENDPOINT_OPERATIONS.has(operation) && code === 1 && httpStatus < 500 && isTransient !== true;
    return new GraphError(`Graph ${operation} failed${tag}: ${metaMessage}`, {
      ...(credentialsRejected ? { kind: 'bad-request' as const } : {}),
      code,
      subcode,
      httpStatus,
      isTransient,
      usage,
      operation,
      fbtraceId: optString(e.fbtrace_id) ?? traceHeader ?? undefined,
    });
  }

  /** Belt and braces: Meta's messages should never echo a token, but if one ever does it stops here. */
  private redact(text: string, secrets: string[]): string {
    let out = text;
    for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
    return out.replace(/EAA[A-Za-z0-9]{20,}/g, '[redacted]').replace(/\b\d{6,}\|[A-Za-z0-9_-]{10,}/g, '[redacted]');
  }

  private toGrant(operation: string, body: unknown): TokenGrant {
    const accessToken = isObject(body) ? optString(body.access_token) : undefined;
    if (!isObject(body) || !accessToken) throw this.malformed(operation);
    const expiresIn = optNumber(body.expires_in);
    return expiresIn !== undefined ? { accessToken, expiresInSeconds: expiresIn } : { accessToken };
  }

  private expectSuccess(operation: string, body: unknown): void {
    // The docs say `true`, the live API says {"success": true}; accept both.
    if (body === true || (isObject(body) && body.success === true)) return;
    throw this.malformed(operation);
  }

  private malformed(operation: string): GraphError {
    return new GraphError(`Graph ${operation} returned an unexpected response shape`, { kind: 'bad-request', operation });
  }

  private assertId(operation: string, id: string): void {
    // Ids are digit strings; anything else would change the request path.
    if (!/^\d+$/.test(id)) throw new GraphError(`Graph ${operation}: invalid object id`, { kind: 'bad-request', operation });
  }

  private observe(operation: string, started: number, error?: GraphError): void {
    if (!this.observer) return;
    try {
      this.observer.onCall({
        operation,
        durationMs: Date.now() - started,
        outcome: error ? error.kind : 'ok',
        code: error?.code,
      });
    } catch {
      // Metrics must never break a Graph call.
    }
  }
}
