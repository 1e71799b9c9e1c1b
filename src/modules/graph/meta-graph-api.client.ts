import { createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { GraphApiClient } from './graph-api.client';
import type {
  ContainerStatus,
  ContainerStatusCode,
  MediaItem,
  PublishingLimit,
  ReelContainer,
  ReelContainerRequest,
  UploadSource,
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
import {
  callJson,
  isObject,
  observeCall,
  optNumber,
  optString,
  parseJson,
  redactSecrets,
  tokenGrant,
  type Json,
} from './graph-json';
import { parseUsageHeaders } from './graph-usage';
import type { GraphUsage } from './graph-usage';
import { GRAPH_CLIENT_OPTIONS } from './graph.options';
import type { GraphClientOptions } from './graph.options';

type Method = 'GET' | 'POST' | 'DELETE';

/** How a call authenticates: a user/Page token gets an appsecret_proof; the app token does not need one. */
type Auth = { kind: 'token'; token: string } | { kind: 'app' } | { kind: 'none' };

const PAGE_FIELDS = 'id,name,access_token,tasks,category,instagram_business_account{id,username}';
const IG_FIELDS = 'id,username,name,profile_picture_url,followers_count,media_count';
const TOKEN_TYPES: GraphTokenType[] = ['USER', 'PAGE', 'APP', 'SYSTEM_USER'];
const PERMISSION_STATUSES: PermissionStatus[] = ['granted', 'declined', 'expired'];
const MAX_PAGES_FOLLOWED = 200;
const CONTAINER_STATUSES: ContainerStatusCode[] = ['IN_PROGRESS', 'FINISHED', 'PUBLISHED', 'ERROR', 'EXPIRED'];
/** A resumable upload of up to 300 MB may take a while; its own timeout, not the Graph call's. */
const UPLOAD_TIMEOUT_MS = 30 * 60_000;
const TOKEN_ENDPOINT_OPERATIONS = new Set(['exchangeCode', 'exchangeForLongLived']);

/** The `sig` query value of a URL, if it has one (an upload URL's signature, to keep out of messages). */
function signatureOf(url: string): string[] {
  try {
    const sig = new URL(url).searchParams.get('sig');
    return sig ? [sig] : [];
  } catch {
    return [];
  }
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

  /**
   * The dialog URL. Facebook Login for Business apps send `config_id` instead of `scope`: the
   * configuration defines the permissions, token type and assets (graph-api.md section 1).
   */
  buildLoginUrl(req: LoginUrlRequest): string {
    const q = new URLSearchParams({ client_id: this.opts.appId, redirect_uri: req.redirectUri, state: req.state });
    if (this.opts.loginConfigId) q.set('config_id', this.opts.loginConfigId);
    else q.set('scope', req.scopes.join(','));
    q.set('response_type', 'code');
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
    return this.toInspection(body, token);
  }

  /**
   * Several debug_token probes in ONE round trip: Meta's batch request (`POST /{v}/` with
   * `batch`, the app token on top). Each part is still a Graph call for Meta's rate limits; a
   * part that failed throws like the single call would (the first failure in order wins).
   */
  override async inspectTokens(tokens: string[]): Promise<TokenInspection[]> {
    if (tokens.length < 2) return Promise.all(tokens.map((t) => this.inspectToken(t)));
    const batch = tokens.map((t) => ({
      method: 'GET',
      relative_url: `debug_token?${new URLSearchParams({ input_token: t }).toString()}`,
    }));
    const started = Date.now();
    const body = await this.call(
      'inspectTokens',
      'POST',
      '/',
      { kind: 'app' },
      { batch: JSON.stringify(batch), include_headers: 'false' },
      tokens,
    );
    if (!Array.isArray(body) || body.length !== tokens.length) throw this.malformed('inspectTokens');
    return (body as unknown[]).map((part, i) => {
      const status = isObject(part) ? (optNumber(part.code) ?? 0) : 0;
      const inner = isObject(part) && typeof part.body === 'string' ? parseJson(part.body).body : undefined;
      if (isObject(inner) && isObject(inner.error)) {
        const error = this.fromEnvelope('inspectToken', inner.error, status, undefined, null, [this.opts.appSecret, tokens[i]]);
        this.observe('inspectToken', started, error);
        throw error;
      }
      if (status !== 200 || inner === undefined) {
        const error = new GraphError(`Graph inspectToken (batch part) failed: HTTP ${status}`, {
          httpStatus: status,
          operation: 'inspectToken',
          kind: status >= 500 || status === 0 ? 'transient' : 'bad-request',
        });
        this.observe('inspectToken', started, error);
        throw error;
      }
      return this.toInspection(inner, tokens[i]);
    });
  }

  private toInspection(body: unknown, token: string): TokenInspection {
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
              message: redactSecrets(optString(err.message) ?? '', [token]),
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

  // ---- Reels publishing (graph-api.md §11) ---------------------------------------------------

  async createReelContainer(igUserId: string, token: string, req: ReelContainerRequest): Promise<ReelContainer> {
    this.assertId('createReelContainer', igUserId);
    const params: Record<string, string> = { media_type: 'REELS', share_to_feed: String(req.shareToFeed) };
    if (req.resumable) params.upload_type = 'resumable';
    else if (req.videoUrl) params.video_url = req.videoUrl;
    if (req.caption) params.caption = req.caption;
    if (req.coverUrl) params.cover_url = req.coverUrl;
    if (req.thumbOffsetMs !== undefined) params.thumb_offset = String(req.thumbOffsetMs);
    if (req.audioName) params.audio_name = req.audioName;
    if (req.collaborators?.length) params.collaborators = JSON.stringify(req.collaborators);
    if (req.locationId) params.location_id = req.locationId;
    // a video_url may be a signed URL of ours (an Instagram-Login upload): never repeated in an error message
    const body = await this.call(
      'createReelContainer',
      'POST',
      `/${igUserId}/media`,
      { kind: 'token', token },
      params,
      req.videoUrl ? [req.videoUrl, ...signatureOf(req.videoUrl)] : [],
    );
    const id = isObject(body) ? optString(body.id) : undefined;
    if (!isObject(body) || !id) throw this.malformed('createReelContainer');
    const uri = optString(body.uri);
    return uri ? { id, uploadUri: uri } : { id };
  }

  async uploadReelVideo(container: ReelContainer, token: string, source: UploadSource): Promise<void> {
    this.assertId('uploadReelVideo', container.id);
    const url = this.uploadUrl(container);
    const started = Date.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          Authorization: `OAuth ${token}`,
          offset: '0',
          file_size: String(source.size),
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(source.size),
        },
        // streamed from disk: a 300 MB file is never held in memory
        body: Readable.toWeb(createReadStream(source.path)) as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
      } as RequestInit);
      text = await response.text();
    } catch (err) {
      const e = typeof err === 'object' && err !== null ? (err as { name?: unknown }) : {};
      const error = new GraphError(
        e.name === 'TimeoutError' ? 'Graph uploadReelVideo timed out' : 'Graph uploadReelVideo failed: network error',
        { network: true, operation: 'uploadReelVideo' },
      );
      this.observe('uploadReelVideo', started, error);
      throw error;
    }
    const { body } = parseJson(text);
    if (isObject(body) && body.success === true) {
      this.observe('uploadReelVideo', started);
      return;
    }
    if (isObject(body) && isObject(body.error)) {
      const error = this.fromEnvelope('uploadReelVideo', body.error, response.status, undefined, null, [token]);
      this.observe('uploadReelVideo', started, error);
      throw error;
    }
    // rupload's own failure shape: {"debug_info": {"retriable": bool, "type", "message"}} (instagram-login.md R2)
    const debug = isObject(body) && isObject(body.debug_info) ? body.debug_info : undefined;
    const retriable = debug?.retriable === true || response.status >= 500;
    const error = new GraphError(
      `Graph uploadReelVideo failed: HTTP ${response.status}${debug ? ` (${optString(debug.type) ?? 'error'})` : ''}`,
      { httpStatus: response.status, operation: 'uploadReelVideo', kind: retriable ? 'transient' : 'bad-request' },
    );
    this.observe('uploadReelVideo', started, error);
    throw error;
  }

  async getContainerStatus(containerId: string, token: string): Promise<ContainerStatus> {
    this.assertId('getContainerStatus', containerId);
    const body = await this.call(
      'getContainerStatus',
      'GET',
      `/${containerId}`,
      { kind: 'token', token },
      { fields: 'id,status_code,status' },
    );
    const code = isObject(body) ? CONTAINER_STATUSES.find((c) => c === body.status_code) : undefined;
    if (!isObject(body) || !code) throw this.malformed('getContainerStatus');
    const status = optString(body.status) ?? null;
    const sub = status ? /\b(2207\d{3})\b/.exec(status) : null;
    return { statusCode: code, status, ...(sub ? { errorSubcode: Number(sub[1]) } : {}) };
  }

  async publishContainer(igUserId: string, token: string, containerId: string): Promise<string> {
    this.assertId('publishContainer', igUserId);
    this.assertId('publishContainer', containerId);
    const body = await this.call(
      'publishContainer',
      'POST',
      `/${igUserId}/media_publish`,
      { kind: 'token', token },
      { creation_id: containerId },
    );
    const id = isObject(body) ? optString(body.id) : undefined;
    if (!id) throw this.malformed('publishContainer');
    return id;
  }

  async getPublishingLimit(igUserId: string, token: string): Promise<PublishingLimit> {
    this.assertId('getPublishingLimit', igUserId);
    const body = await this.call(
      'getPublishingLimit',
      'GET',
      `/${igUserId}/content_publishing_limit`,
      { kind: 'token', token },
      { fields: 'quota_usage,config' },
    );
    const row = isObject(body) && Array.isArray(body.data) && isObject(body.data[0]) ? body.data[0] : undefined;
    const config = row && isObject(row.config) ? row.config : undefined;
    const quotaTotal = config ? optNumber(config.quota_total) : undefined;
    if (!row || quotaTotal === undefined) throw this.malformed('getPublishingLimit');
    return {
      quotaUsage: optNumber(row.quota_usage) ?? 0,
      quotaTotal,
      quotaDurationSeconds: (config ? optNumber(config.quota_duration) : undefined) ?? 86_400,
    };
  }

  async getMediaPermalink(mediaId: string, token: string): Promise<string | null> {
    this.assertId('getMediaPermalink', mediaId);
    const body = await this.call('getMediaPermalink', 'GET', `/${mediaId}`, { kind: 'token', token }, { fields: 'id,permalink' });
    return isObject(body) ? (optString(body.permalink) ?? null) : null;
  }

  async listRecentMedia(igUserId: string, token: string, limit: number): Promise<MediaItem[]> {
    this.assertId('listRecentMedia', igUserId);
    const body = await this.call(
      'listRecentMedia',
      'GET',
      `/${igUserId}/media`,
      { kind: 'token', token },
      {
        fields: 'id,caption,timestamp,permalink,media_product_type',
        limit: String(limit),
      },
    );
    if (!isObject(body) || !Array.isArray(body.data)) throw this.malformed('listRecentMedia');
    return body.data.filter(isObject).flatMap((m) => {
      const id = optString(m.id);
      if (!id) return [];
      const ts = optString(m.timestamp);
      const t = ts ? new Date(ts.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : null;
      return [
        {
          id,
          caption: optString(m.caption) ?? null,
          timestamp: t && !Number.isNaN(t.getTime()) ? t : null,
          permalink: optString(m.permalink) ?? null,
          mediaProductType: optString(m.media_product_type) ?? null,
        },
      ];
    });
  }

  /**
   * Where the bytes go: Meta's returned `uri` when it points at the configured rupload host (the
   * token travels in a header there, so never to anywhere else), else the documented path.
   */
  private uploadUrl(container: ReelContainer): string {
    const base = (this.opts.ruploadUrl ?? 'https://rupload.facebook.com').replace(/\/+$/, '');
    if (container.uploadUri) {
      try {
        if (new URL(container.uploadUri).origin === new URL(base).origin) return container.uploadUri;
      } catch {
        // not a URL: use the documented one
      }
    }
    return `${base}/ig-api-upload/${this.opts.version}/${container.id}`;
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
      if (this.opts.appSecretProof !== false)
        all.appsecret_proof = createHmac('sha256', this.opts.appSecret).update(auth.token).digest('hex');
      secrets.push(auth.token);
    } else if (auth.kind === 'app') {
      all.access_token = `${this.opts.appId}|${this.opts.appSecret}`;
    }
    const form = new URLSearchParams(all);
    const url = method === 'GET' ? `${this.base}${path}?${form.toString()}` : `${this.base}${path}`;
    const started = Date.now();

    let answer: Awaited<ReturnType<typeof callJson>>;
    try {
      answer = await callJson('Graph', operation, url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(method === 'GET' ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
        },
        body: method === 'GET' ? undefined : form.toString(),
        timeoutMs: this.opts.timeoutMs,
      });
    } catch (err) {
      this.observe(operation, started, err as GraphError);
      throw err;
    }
    const { response, body, parsed } = answer;

    if (isObject(body) && isObject(body.error)) {
      const error = this.fromEnvelope(
        operation,
        body.error,
        response.status,
        // Meta's usage headers matter only to a failure (retry delays): not parsed on success
        parseUsageHeaders(response.headers),
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
          usage: parseUsageHeaders(response.headers),
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
    const metaMessage = redactSecrets(optString(e.message) ?? 'unknown error', secrets);
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

  private toGrant(operation: string, body: unknown): TokenGrant {
    return tokenGrant(body, () => this.malformed(operation));
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
    observeCall(this.observer, operation, started, error);
  }
}
