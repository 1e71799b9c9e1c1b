import { Inject, Injectable, Optional } from '@nestjs/common';
import type { TokenGrant } from './graph-api.client';
import { GraphCallObserver } from './graph-call-observer';
import { GraphError, classifyGraphError } from './graph-error';
import { callJson, isObject, observeCall, optNumber, optString, redactSecrets, tokenGrant } from './graph-json';
import {
  InstagramLoginClient,
  type InstagramAccountType,
  type InstagramCodeGrant,
  type InstagramLoginProfile,
  type InstagramLoginUrlRequest,
} from './instagram-login.client';

/** DI token for Instagram Login's settings (built from AppConfig in GraphModule). */
export const INSTAGRAM_LOGIN_OPTIONS = Symbol('INSTAGRAM_LOGIN_OPTIONS');

export interface InstagramLoginOptions {
  /** https://www.instagram.com, https://api.instagram.com, https://graph.instagram.com — or the sandbox's prefixes. */
  dialogUrl: string;
  apiUrl: string;
  graphUrl: string;
  /** Data paths are versioned (/v25.0/me); the token paths are not (instagram-login.md §3). */
  version: string;
  /** The Instagram app's id and secret (not the Meta app's: instagram-login.md §0). */
  appId: string;
  appSecret: string;
  timeoutMs: number;
}

const ME_FIELDS = 'id,user_id,username,name,account_type,profile_picture_url';

@Injectable()
export class MetaInstagramLoginClient extends InstagramLoginClient {
  constructor(
    @Inject(INSTAGRAM_LOGIN_OPTIONS) private readonly opts: InstagramLoginOptions,
    @Optional() private readonly observer?: GraphCallObserver,
  ) {
    super();
  }

  buildLoginUrl(req: InstagramLoginUrlRequest): string {
    const q = new URLSearchParams({
      client_id: this.opts.appId,
      redirect_uri: req.redirectUri,
      response_type: 'code',
      scope: req.scopes.join(','),
      state: req.state,
    });
    if (req.forceReauth) q.set('force_reauth', 'true');
    return `${this.opts.dialogUrl}/oauth/authorize?${q.toString()}`;
  }

  async exchangeCode(code: string, redirectUri: string): Promise<InstagramCodeGrant> {
    const form = new URLSearchParams({
      client_id: this.opts.appId,
      client_secret: this.opts.appSecret,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
      code,
    });
    const body = await this.request('exchangeInstagramCode', `${this.opts.apiUrl}/oauth/access_token`, 'POST', form, [code]);
    // Two shapes exist (instagram-login.md §2): flat (live) and wrapped in `data` (Meta's sample).
    // `user_id` (a 17-digit JSON number that JSON.parse corrupts) is not used: ids come from /me.
    const grant = isObject(body) && Array.isArray(body.data) && isObject(body.data[0]) ? body.data[0] : body;
    const accessToken = isObject(grant) ? optString(grant.access_token) : undefined;
    if (!isObject(grant) || !accessToken) throw this.malformed('exchangeInstagramCode');
    const raw = grant.permissions;
    const permissions = Array.isArray(raw)
      ? raw.filter((p): p is string => typeof p === 'string')
      : typeof raw === 'string'
        ? raw
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
        : [];
    return { accessToken, permissions };
  }

  async exchangeForLongLived(shortLivedToken: string): Promise<TokenGrant> {
    const q = new URLSearchParams({
      grant_type: 'ig_exchange_token',
      client_secret: this.opts.appSecret,
      access_token: shortLivedToken,
    });
    // unversioned, as documented (a versioned path was reported to fail)
    const body = await this.request(
      'exchangeInstagramLongLived',
      `${this.opts.graphUrl}/access_token?${q.toString()}`,
      'GET',
      undefined,
      [shortLivedToken],
    );
    return this.grant('exchangeInstagramLongLived', body);
  }

  async refresh(longLivedToken: string): Promise<TokenGrant> {
    const q = new URLSearchParams({ grant_type: 'ig_refresh_token', access_token: longLivedToken });
    const body = await this.request(
      'refreshInstagramToken',
      `${this.opts.graphUrl}/refresh_access_token?${q.toString()}`,
      'GET',
      undefined,
      [longLivedToken],
    );
    return this.grant('refreshInstagramToken', body);
  }

  async getProfile(token: string): Promise<InstagramLoginProfile> {
    const q = new URLSearchParams({ fields: ME_FIELDS, access_token: token });
    const body = await this.request(
      'getInstagramProfile',
      `${this.opts.graphUrl}/${this.opts.version}/me?${q.toString()}`,
      'GET',
      undefined,
      [token],
    );
    // Meta's sample wraps /me in {"data":[…]}; real answers are flat (instagram-login.md §5)
    const me = isObject(body) && Array.isArray(body.data) && isObject(body.data[0]) ? body.data[0] : body;
    const scopedId = isObject(me) ? optString(me.id) : undefined;
    const userId = isObject(me) ? optString(me.user_id) : undefined;
    const username = isObject(me) ? optString(me.username) : undefined;
    if (!isObject(me) || !scopedId || !userId || !username || !/^\d+$/.test(userId)) throw this.malformed('getInstagramProfile');
    const type = (optString(me.account_type) ?? '').toUpperCase();
    const accountType: InstagramAccountType =
      type === 'BUSINESS' || type === 'MEDIA_CREATOR' || type === 'PERSONAL' ? type : 'UNKNOWN';
    return {
      scopedId,
      userId,
      username,
      name: optString(me.name) ?? null,
      accountType,
      profilePictureUrl: optString(me.profile_picture_url) ?? null,
    };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async request(
    operation: string,
    url: string,
    method: 'GET' | 'POST',
    form: URLSearchParams | undefined,
    secrets: string[],
  ): Promise<unknown> {
    const hide = [this.opts.appSecret, ...secrets];
    const started = Date.now();
    let answer: Awaited<ReturnType<typeof callJson>>;
    try {
      answer = await callJson('Instagram', operation, url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form?.toString(),
        timeoutMs: this.opts.timeoutMs,
      });
    } catch (err) {
      this.observe(operation, started, err as GraphError);
      throw err;
    }
    const { response, body, parsed } = answer;
    let error: GraphError | undefined;
    if (isObject(body) && isObject(body.error)) {
      // graph.instagram.com: the Graph envelope (instagram-login.md §6); branch on code, not subcode
      const e = body.error;
      const code = optNumber(e.code);
      const subcode = optNumber(e.error_subcode);
      error = new GraphError(
        `Instagram ${operation} failed [${code ?? '?'}]: ${redactSecrets(optString(e.message) ?? 'unknown error', hide)}`,
        {
          code,
          subcode: subcode || undefined,
          httpStatus: response.status,
          isTransient: typeof e.is_transient === 'boolean' ? e.is_transient : undefined,
          operation,
          fbtraceId: optString(e.fbtrace_id),
        },
      );
    } else if (isObject(body) && (body.error_type !== undefined || body.error_message !== undefined)) {
      // api.instagram.com's own shape: {"error_type","code":400,"error_message"} — the code is an HTTP status
      error = new GraphError(
        `Instagram ${operation} failed: ${redactSecrets(optString(body.error_message) ?? 'unknown error', hide)}`,
        {
          httpStatus: response.status,
          operation,
          kind: response.status >= 500 ? 'transient' : 'bad-request',
        },
      );
    } else if (!response.ok || !parsed) {
      error = new GraphError(`Instagram ${operation} failed: HTTP ${response.status}`, {
        httpStatus: response.status,
        operation,
        kind: response.ok ? 'bad-request' : classifyGraphError({ httpStatus: response.status }),
      });
    }
    this.observe(operation, started, error);
    if (error) throw error;
    return body;
  }

  private grant(operation: string, body: unknown): TokenGrant {
    return tokenGrant(body, () => this.malformed(operation));
  }

  private malformed(operation: string): GraphError {
    return new GraphError(`Instagram ${operation} returned an unexpected response shape`, { kind: 'bad-request', operation });
  }

  private observe(operation: string, started: number, error?: GraphError): void {
    observeCall(this.observer, operation, started, error);
  }
}
