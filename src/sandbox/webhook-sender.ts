import { createHmac } from 'node:crypto';
import type { SandboxState } from './sandbox-state';

/**
 * Outgoing Meta callbacks of the sandbox (graph-api.md §12, emulator checklist 14-15): the
 * deauthorize and data-deletion callbacks with a `signed_request`, and webhook event POSTs signed
 * with X-Hub-Signature-256 (+ legacy X-Hub-Signature) over the exact bytes sent, in Meta's escaped
 * JSON form. Non-2xx answers are retried with exponential backoff. Instagram Login apps have their
 * own deauthorize and data-deletion URLs (in "Business login settings") and their signed_request is
 * signed with the Instagram app's secret (instagram-login.md §8).
 */
export interface WebhookSettings {
  deauthorizeUrl: string | null;
  dataDeletionUrl: string | null;
  instagramUrl: string | null;
  /** Instagram Login's deauthorize callback URL. */
  instagramDeauthorizeUrl: string | null;
  /** Instagram Login's data-deletion callback URL. */
  instagramDataDeletionUrl: string | null;
  /** Retries after the first attempt on a non-2xx answer or a network error. */
  retries: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  deauthorizeUrl: null,
  dataDeletionUrl: null,
  instagramUrl: null,
  instagramDeauthorizeUrl: null,
  instagramDataDeletionUrl: null,
  retries: 3,
  backoffMs: 500,
  timeoutMs: 10_000,
};

type CallbackUrl = 'deauthorizeUrl' | 'dataDeletionUrl' | 'instagramUrl' | 'instagramDeauthorizeUrl' | 'instagramDataDeletionUrl';

/** The callback URLs of an app served at `baseUrl` (this product's routes). */
export function webhookUrlsFor(baseUrl: string): Pick<WebhookSettings, CallbackUrl> {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    deauthorizeUrl: `${base}/webhooks/facebook/deauthorize`,
    dataDeletionUrl: `${base}/webhooks/facebook/data-deletion`,
    instagramUrl: `${base}/webhooks/instagram`,
    instagramDeauthorizeUrl: `${base}/webhooks/instagram/deauthorize`,
    instagramDataDeletionUrl: `${base}/webhooks/instagram/data-deletion`,
  };
}

/** JSON as Meta puts it on the wire: non-ASCII as `\uXXXX` (lowercase hex) and `/` as `\/`. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `b64url(HMAC-SHA256(secret, b64url(payload))) + "." + b64url(payload)`, no padding. */
export function signedRequest(payload: Record<string, unknown>, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${createHmac('sha256', secret).update(body).digest('base64url')}.${body}`;
}

export function hubSignatureHeaders(body: Buffer, secret: string): Record<string, string> {
  return {
    'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    'X-Hub-Signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  };
}

export interface DeliveryResult {
  url: string;
  delivered: boolean;
  attempts: number;
  /** HTTP status of the last attempt; null when it never got an answer. */
  status: number | null;
  /** What the app answered last (parsed JSON when it was JSON). */
  response: unknown;
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs with retries on non-2xx and network errors (backoff doubles each time). */
export async function deliver(
  url: string,
  init: { headers: Record<string, string>; body: string | Buffer },
  settings: Pick<WebhookSettings, 'retries' | 'backoffMs' | 'timeoutMs'>,
): Promise<DeliveryResult> {
  let last: DeliveryResult = { url, delivered: false, attempts: 0, status: null, response: null };
  for (let attempt = 1; attempt <= settings.retries + 1; attempt++) {
    if (attempt > 1) await sleep(settings.backoffMs * 2 ** (attempt - 2));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'User-Agent': 'facebookexternalua', ...init.headers },
        body: typeof init.body === 'string' ? init.body : new Uint8Array(init.body),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      const text = await res.text();
      let response: unknown = text;
      try {
        response = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      last = { url, delivered: res.ok, attempts: attempt, status: res.status, response };
      if (res.ok) return last;
    } catch (err) {
      last = {
        url,
        delivered: false,
        attempts: attempt,
        status: null,
        response: null,
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }
  return last;
}

export class WebhookTargetMissing extends Error {}

/** Whether the app answered a data-deletion callback the way Meta requires: `{url, confirmation_code}`. */
function deletionReplyValid(result: DeliveryResult): boolean {
  const r = result.response as Record<string, unknown> | null;
  return (
    result.delivered &&
    !!r &&
    typeof r === 'object' &&
    typeof r.url === 'string' &&
    /^https?:\/\//.test(r.url) &&
    typeof r.confirmation_code === 'string' &&
    r.confirmation_code.length > 0
  );
}

/** Which of an Instagram-Login account's two ids Meta puts in `user_id` (undocumented: instagram-login.md §8). */
export type InstagramIdField = 'id' | 'user_id';

/** Sends the callbacks Meta would send for the sandbox's app, to the URLs in `state.webhooks`. */
export class WebhookSender {
  constructor(private readonly state: SandboxState) {}

  private target(name: CallbackUrl): string {
    const url = this.state.webhooks[name];
    if (!url) throw new WebhookTargetMissing(`no ${name} configured (POST /__sandbox/webhooks/config)`);
    return url;
  }

  private signedForm(userId: string, extra: Record<string, unknown> = {}, secret = this.state.app.secret): string {
    const payload = { user_id: userId, algorithm: 'HMAC-SHA256', issued_at: this.state.nowSeconds(), ...extra };
    return new URLSearchParams({ signed_request: signedRequest(payload, secret) }).toString();
  }

  /** The user removed the app: their grant and tokens die (190/458), then Meta calls the app. */
  deauthorize(userId: string): Promise<DeliveryResult> {
    this.state.revokeAll(this.state.app.id, userId);
    return deliver(
      this.target('deauthorizeUrl'),
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: this.signedForm(userId) },
      this.state.webhooks,
    );
  }

  /** Data-deletion request; `reply_valid` says whether the app answered `{url, confirmation_code}`. */
  async dataDeletion(userId: string): Promise<DeliveryResult & { reply_valid: boolean }> {
    const now = this.state.nowSeconds();
    const result = await deliver(
      this.target('dataDeletionUrl'),
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: this.signedForm(userId, { issued_at: now, expires: now + 3600 }),
      },
      this.state.webhooks,
    );
    return { ...result, reply_valid: deletionReplyValid(result) };
  }

  /**
   * Instagram Login: the user removed the app in Instagram (Settings → Apps and websites). Every
   * token of the account dies (190), then Meta calls the Instagram app's deauthorize URL with a
   * signed_request signed with the Instagram app's secret. `idField` picks which of the account's
   * ids goes in `user_id`: the app-scoped `id` by default (as Facebook's callbacks carry an
   * app-scoped id), or the professional `user_id`.
   */
  instagramDeauthorize(account: { userId: string; scopedId: string }, idField: InstagramIdField = 'id'): Promise<DeliveryResult> {
    this.state.instagram.invalidateUser(
      account.userId,
      'Error validating access token: The user has not authorized application.',
    );
    return deliver(
      this.target('instagramDeauthorizeUrl'),
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: this.signedForm(idField === 'id' ? account.scopedId : account.userId, {}, this.state.instagram.app.secret),
      },
      this.state.webhooks,
    );
  }

  /** Instagram Login's data-deletion callback (signed with the Instagram app's secret); adds `reply_valid`. */
  async instagramDataDeletion(
    account: { userId: string; scopedId: string },
    idField: InstagramIdField = 'id',
  ): Promise<DeliveryResult & { reply_valid: boolean }> {
    const now = this.state.nowSeconds();
    const result = await deliver(
      this.target('instagramDataDeletionUrl'),
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: this.signedForm(
          idField === 'id' ? account.scopedId : account.userId,
          { issued_at: now, expires: now + 3600 },
          this.state.instagram.app.secret,
        ),
      },
      this.state.webhooks,
    );
    return { ...result, reply_valid: deletionReplyValid(result) };
  }

  /** The user removed one permission: the grant loses it, then a `permissions` webhook is sent. */
  permissionRevoked(userId: string, permission: string, targetIds: string[] = []): Promise<DeliveryResult> {
    this.state.revokePermission(this.state.app.id, userId, permission);
    return this.event({
      object: 'permissions',
      entry: [
        {
          id: userId,
          uid: userId,
          time: this.state.nowSeconds(),
          changes: [{ field: permission, value: { verb: 'revoked', target_ids: targetIds } }],
        },
      ],
    });
  }

  /** Any webhook body, in Meta's escaped form, signed over the exact bytes sent. */
  event(payload: unknown): Promise<DeliveryResult> {
    const body = Buffer.from(metaJson(payload), 'utf8');
    return deliver(
      this.target('instagramUrl'),
      { headers: { 'Content-Type': 'application/json', ...hubSignatureHeaders(body, this.state.app.secret) }, body },
      this.state.webhooks,
    );
  }

  /** The subscription handshake Meta runs when the callback URL is saved. */
  async verify(verifyToken: string): Promise<{ verified: boolean; status: number | null; body: string }> {
    const challenge = String(Math.floor(Math.random() * 1e9) + 1e9);
    const url = new URL(this.target('instagramUrl'));
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', verifyToken);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.state.webhooks.timeoutMs) });
      const body = await res.text();
      return { verified: res.status === 200 && body === challenge, status: res.status, body };
    } catch (err) {
      return { verified: false, status: null, body: err instanceof Error ? err.message : String(err) };
    }
  }
}
