import { Router } from 'express';
import type { Request, Response } from 'express';
import { ControlError, body, str } from './control-helpers';
import { SandboxGraphError } from './errors';
import {
  IG_LONG_TOKEN_SECONDS,
  IG_REFRESH_MIN_AGE_SECONDS,
  IG_SCOPES,
  type IgAccountType,
  type IgToken,
} from './instagram-login-state';
import { requestParams, tokenFrom } from './request-context';
import { statusText } from './reels-state';
import { startVideoFetch } from './video-fetch';
import type { SandboxState } from './sandbox-state';

/**
 * Instagram API with Instagram Login (instagram-login.md), its three hosts on the sandbox's one
 * port, each under a prefix:
 *   /instagram/www    = https://www.instagram.com   (GET /oauth/authorize: the dialog)
 *   /instagram/api    = https://api.instagram.com   (POST /oauth/access_token: code → short-lived)
 *   /instagram/graph  = https://graph.instagram.com (/access_token, /refresh_access_token, /{v}/me, publishing)
 */
export const IG_WWW = '/instagram/www';
export const IG_API = '/instagram/api';
export const IG_GRAPH = '/instagram/graph';

type Json = Record<string, unknown>;

const ME_FIELDS = new Set([
  'id',
  'user_id',
  'username',
  'name',
  'account_type',
  'profile_picture_url',
  'followers_count',
  'follows_count',
  'media_count',
]);

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#fafafa;margin:0;padding:32px 16px}
main{max-width:420px;margin:0 auto;background:#fff;border:1px solid #dbdbdb;border-radius:8px;padding:24px}
h1{font-size:20px;margin:0 0 8px} p{color:#737373;font-size:14px} label{display:flex;gap:8px;padding:4px 0;font-size:14px}
fieldset{border:1px solid #dbdbdb;border-radius:6px;margin:12px 0} .actions{display:flex;gap:8px;justify-content:flex-end}
button{font-weight:600;border-radius:8px;padding:8px 18px;border:0;cursor:pointer} #approve{background:#0095f6;color:#fff} #cancel{background:#efefef}`;

function page(res: Response, status: number, title: string, inner: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${inner}</main></body></html>`,
    );
}

/** The IG token endpoint's own error shape (not the Graph envelope), always HTTP 400. */
function oauthError(res: Response, message: string): void {
  res.status(400).json({ error_type: 'OAuthException', code: 400, error_message: message });
}

function igApiError(message: string, code = 100, subcode?: number): SandboxGraphError {
  return new SandboxGraphError(400, { message, type: 'IGApiException', code, subcode });
}

function unsupported(method: string): SandboxGraphError {
  return igApiError(`Unsupported request - method type: ${method.toLowerCase()}`);
}

/** `Tue, 02 Dec 2025 09:00:55 GMT`-like wording of Meta's "Session has expired on …". */
function metaDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function instagramLoginRoutes(state: SandboxState): Router {
  const router = Router();
  const ig = state.instagram;

  /** Every graph.instagram.com call: a live IGAA token, else code 190 (subcode 0 for an expired one, as observed). */
  const authenticate = (req: Request, p: Record<string, string>): IgToken => {
    const value = tokenFrom(req, p);
    if (!value)
      throw new SandboxGraphError(
        400,
        { message: 'An active access token must be used to query information about the current user.', code: 2500 },
        'invalid_token',
      );
    const token = ig.tokens.get(value);
    if (!token)
      throw new SandboxGraphError(
        400,
        { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 },
        'invalid_token',
      );
    if (token.invalidatedReason)
      throw new SandboxGraphError(400, { message: token.invalidatedReason, code: 190, subcode: 0 }, 'invalid_token');
    if (token.expiresAt <= state.now())
      throw new SandboxGraphError(
        400,
        {
          message: `Error validating access token: Session has expired on ${metaDate(token.expiresAt)}. The current time is ${metaDate(state.now())}.`,
          code: 190,
          subcode: 0,
        },
        'invalid_token',
      );
    return token;
  };

  // ---- www.instagram.com/oauth/authorize ---------------------------------------------------------

  router.get(`${IG_WWW}/oauth/authorize`, (req, res) => {
    const p = requestParams(req);
    if (p.client_id !== ig.app.id)
      return page(res, 400, 'Invalid platform app', '<h1 id="dialog-error">Invalid platform app</h1>');
    if (!p.redirect_uri || !ig.redirectUris.includes(p.redirect_uri))
      return page(res, 400, 'Invalid redirect_uri', '<h1 id="dialog-error">Invalid redirect_uri</h1>');
    const scopes = list(p.scope);
    const bad = scopes.filter((s) => !IG_SCOPES.includes(s));
    if (p.response_type !== 'code' || !scopes.includes('instagram_business_basic') || bad.length)
      return page(
        res,
        400,
        'Invalid scope',
        `<h1 id="dialog-error">Invalid scope field(s): ${esc(bad.join(',') || 'instagram_business_basic missing')}</h1>`,
      );

    if (p.sandbox_auto === 'deny') return deny(res, p.redirect_uri);
    if (p.sandbox_auto === 'approve') {
      const account = ig.findAccount(p.sandbox_user ?? '') ?? [...ig.accounts.values()][0];
      if (!account) return page(res, 400, 'No account', '<h1 id="dialog-error">No Instagram account in the sandbox</h1>');
      const declined = list(p.sandbox_decline).filter((s) => s !== 'instagram_business_basic');
      return approve(
        res,
        p,
        account.userId,
        scopes.filter((s) => !declined.includes(s)),
      );
    }
    const hidden = ['client_id', 'redirect_uri', 'state', 'scope', 'response_type']
      .filter((k) => p[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${esc(p[k])}">`)
      .join('');
    const accounts = [...ig.accounts.values()]
      .map(
        (a, i) =>
          `<label><input type="radio" name="ig_user" value="${esc(a.userId)}"${i === 0 ? ' checked' : ''}> @${esc(a.username)} <span>${esc(a.accountType)}</span></label>`,
      )
      .join('');
    const perms = scopes
      .map(
        (s) =>
          `<label><input type="checkbox" name="permissions" value="${esc(s)}" checked${s === 'instagram_business_basic' ? ' disabled' : ''}> ${esc(s)}</label>`,
      )
      .join('');
    page(
      res,
      200,
      'Log in with Instagram',
      `<h1>Allow AutoReels to access your Instagram account?</h1><p>Sandbox: choose which Instagram account logs in.</p>
<form method="post" action="${IG_WWW}/oauth/authorize/confirm">${hidden}
<fieldset><legend>Account</legend>${accounts}</fieldset><fieldset><legend>Permissions</legend>${perms}</fieldset>
<div class="actions"><button id="cancel" name="decision" value="cancel">Cancel</button><button id="approve" name="decision" value="approve">Allow</button></div></form>`,
    );
  });

  router.post(`${IG_WWW}/oauth/authorize/confirm`, (req, res) => {
    const p = requestParams(req);
    if (p.client_id !== ig.app.id || !p.redirect_uri || !ig.redirectUris.includes(p.redirect_uri))
      return page(res, 400, 'Invalid request', '<h1 id="dialog-error">Invalid request</h1>');
    if (p.decision !== 'approve') return deny(res, p.redirect_uri);
    const account = ig.findAccount(p.ig_user ?? '');
    if (!account) return page(res, 400, 'Invalid request', '<h1 id="dialog-error">Choose an account</h1>');
    const raw = (req.body as Json).permissions;
    const ticked = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
    const scopes = list(p.scope).filter((s) => s === 'instagram_business_basic' || ticked.includes(s));
    approve(res, p, account.userId, scopes);
  });

  function approve(res: Response, p: Record<string, string>, userId: string, scopes: string[]): void {
    const account = ig.accounts.get(userId);
    // Only professional accounts can complete Business Login (instagram-login.md §0)
    if (!account || account.accountType === 'PERSONAL')
      return page(
        res,
        400,
        'Professional account required',
        '<h1 id="dialog-error">This feature is only available to professional accounts.</h1>',
      );
    const code = ig.issueCode(userId, p.redirect_uri, scopes);
    const q = new URLSearchParams({ code: code.value, ...(p.state !== undefined ? { state: p.state } : {}) });
    // Meta appends `#_` (not Facebook's `#_=_`)
    res.redirect(302, `${p.redirect_uri}${p.redirect_uri.includes('?') ? '&' : '?'}${q.toString()}#_`);
  }

  function deny(res: Response, redirectUri: string): void {
    // Meta's documented denial carries no state (instagram-login.md §1)
    const q = new URLSearchParams({
      error: 'access_denied',
      error_reason: 'user_denied',
      error_description: 'The user denied your request',
    });
    res.redirect(302, `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${q.toString()}`);
  }

  // ---- api.instagram.com/oauth/access_token ------------------------------------------------------

  router.all(`${IG_API}/oauth/access_token`, (req, res) => {
    if (req.method !== 'POST') return oauthError(res, 'Unsupported request - method type: get');
    const p = requestParams(req);
    if (p.client_id !== ig.app.id || p.client_secret !== ig.app.secret) return oauthError(res, 'Invalid platform app');
    if (p.grant_type !== 'authorization_code') return oauthError(res, 'Invalid grant_type');
    const code = p.code ? ig.codes.get(p.code.replace(/#_$/, '')) : undefined;
    if (!code || code.expiresAt <= state.now()) return oauthError(res, 'Matching code was not found or was already used');
    if (code.used) return oauthError(res, 'This authorization code has been used');
    if (p.redirect_uri !== code.redirectUri)
      return oauthError(
        res,
        'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
      );
    code.used = true;
    const account = ig.accounts.get(code.userId);
    if (!account) return oauthError(res, 'Matching code was not found or was already used');
    const token = ig.issueToken(account.userId, code.scopes, false);
    if (ig.settings.codeExchangeShape === 'data') {
      res.json({ data: [{ access_token: token.value, user_id: account.scopedId, permissions: code.scopes.join(',') }] });
      return;
    }
    // The live shape: flat, `user_id` a bare JSON number (17 digits: beyond 2^53), permissions an array
    res
      .type('json')
      .send(
        `{"access_token":${JSON.stringify(token.value)},"user_id":${account.scopedId},"permissions":${JSON.stringify(code.scopes)}}`,
      );
  });

  // ---- graph.instagram.com ---------------------------------------------------------------------

  router.get(`${IG_GRAPH}/access_token`, (req, res) => {
    const p = requestParams(req);
    if (p.grant_type !== 'ig_exchange_token') throw igApiError('Invalid grant_type', 100);
    if (p.client_secret !== ig.app.secret) throw igApiError('Error validating client secret.', 101);
    const short = authenticate(req, p);
    if (short.longLived) {
      res.json({
        access_token: short.value,
        token_type: 'bearer',
        expires_in: Math.floor((short.expiresAt - state.now()) / 1000),
      });
      return;
    }
    const long = ig.issueToken(short.userId, short.scopes, true);
    res.json({ access_token: long.value, token_type: 'bearer', expires_in: IG_LONG_TOKEN_SECONDS });
  });

  router.get(`${IG_GRAPH}/refresh_access_token`, (req, res) => {
    const p = requestParams(req);
    if (p.grant_type !== 'ig_refresh_token') throw igApiError('Invalid grant_type', 100);
    const token = authenticate(req, p);
    if (!token.longLived || state.now() - token.issuedAt < IG_REFRESH_MIN_AGE_SECONDS * 1000)
      // Meta documents no error for this (instagram-login.md §4): the sandbox answers a plain IGApiException
      throw igApiError('The access token cannot be refreshed yet: it must be long-lived and at least 24 hours old.', 100);
    if (!token.scopes.includes('instagram_business_basic'))
      throw igApiError('(#10) Application does not have permission for this action', 10);
    const fresh = ig.issueToken(token.userId, token.scopes, true);
    res.json({ access_token: fresh.value, token_type: 'bearer', expires_in: IG_LONG_TOKEN_SECONDS });
  });

  // A versioned token path fails as reported (instagram-login.md §3)
  router.all(/^\/instagram\/graph\/v\d+\.\d+\/(access_token|refresh_access_token)$/, (req) => {
    throw unsupported(req.method);
  });

  router.get(/^\/instagram\/graph(?:\/v\d+\.\d+)?\/me$/, (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p);
    const account = ig.accounts.get(token.userId);
    if (!account) throw igApiError('Unsupported get request.', 100, 33);
    const out: Json = {};
    for (const f of list(p.fields || 'id')) {
      if (!ME_FIELDS.has(f)) throw igApiError(`Tried accessing nonexisting field (${f}) on node type (User)`);
      const value: Json = {
        id: account.scopedId,
        user_id: account.userId,
        username: account.username,
        name: account.name,
        account_type: account.accountType,
        profile_picture_url: account.profilePictureUrl,
        followers_count: account.followersCount,
        follows_count: account.followsCount,
        media_count: account.mediaCount,
      };
      if (value[f] !== undefined) out[f] = value[f];
    }
    res.json(out);
  });

  // ---- Reels publishing on graph.instagram.com (instagram-login.md §7): video_url only ------------

  const publishAuth = (req: Request, p: Record<string, string>, igUserId: string): IgToken => {
    const token = authenticate(req, p);
    if (token.userId !== igUserId && igUserId !== 'me')
      throw igApiError(
        `Unsupported request. Object with ID '${igUserId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        100,
        33,
      );
    if (!token.scopes.includes('instagram_business_content_publish'))
      throw new SandboxGraphError(403, {
        message: '(#10) Application does not have permission for this action',
        code: 10,
        type: 'IGApiException',
      });
    return token;
  };

  router.post(/^\/instagram\/graph(?:\/v\d+\.\d+)?\/(\d+|me)\/media$/, (req, res) => {
    const p = requestParams(req);
    const token = publishAuth(req, p, String(req.params[0]));
    if ((p.media_type ?? '').toUpperCase() !== 'REELS')
      throw igApiError('The sandbox emulates Reels containers only (media_type=REELS)');
    // resumable upload is documented for Facebook Login only (instagram-login.md §7)
    if (p.upload_type) throw igApiError('Param upload_type is not supported for Instagram API with Instagram Login');
    if (!p.video_url) throw igApiError('(#100) The parameter video_url is required');
    try {
      if (!/^https?:$/.test(new URL(p.video_url).protocol)) throw new Error('scheme');
    } catch {
      throw igApiError('The media could not be fetched from this uri', 9004, 2207052);
    }
    const c = state.reels.createContainer({
      igUserId: token.userId,
      videoUrl: p.video_url,
      resumable: false,
      caption: p.caption,
      shareToFeed: p.share_to_feed !== 'false',
      coverUrl: p.cover_url,
      thumbOffset: p.thumb_offset ? Number(p.thumb_offset) : undefined,
      audioName: p.audio_name,
      collaborators: list(p.collaborators?.replace(/[[\]"]/g, '')),
      locationId: p.location_id || undefined,
    });
    // Meta downloads video_url after answering (the container is IN_PROGRESS until it has the bytes)
    startVideoFetch(state.reels, c);
    res.json({ id: c.id });
  });

  router.post(/^\/instagram\/graph(?:\/v\d+\.\d+)?\/(\d+|me)\/media_publish$/, (req, res) => {
    const p = requestParams(req);
    const token = publishAuth(req, p, String(req.params[0]));
    const c = p.creation_id ? state.reels.containers.get(p.creation_id) : undefined;
    if (!c || c.igUserId !== token.userId)
      throw igApiError(
        `The media builder with creation id = ${p.creation_id ?? ''} does not exist or has been expired.`,
        24,
        2207008,
      );
    c.publishAttempts++;
    const { code } = state.reels.status(c);
    if (code === 'IN_PROGRESS') throw igApiError('Media ID is not available', 9007, 2207027);
    if (code !== 'FINISHED') throw igApiError(`The container is ${code}`, 100);
    if (state.reels.quotaUsage(token.userId) >= state.reels.quotaTotal(token.userId))
      throw igApiError('Application request limit reached', 9, 2207042);
    const media = state.reels.publish(c);
    const account = ig.accounts.get(token.userId);
    if (account) account.mediaCount++;
    res.json({ id: media.id });
  });

  router.get(/^\/instagram\/graph(?:\/v\d+\.\d+)?\/(\d+|me)\/content_publishing_limit$/, (req, res) => {
    const p = requestParams(req);
    const token = publishAuth(req, p, String(req.params[0]));
    res.json({
      data: [
        {
          quota_usage: state.reels.quotaUsage(token.userId),
          config: { quota_total: state.reels.quotaTotal(token.userId), quota_duration: state.reels.config.quota_duration },
        },
      ],
    });
  });

  router.get(/^\/instagram\/graph(?:\/v\d+\.\d+)?\/(\d+)\/media$/, (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p);
    if (token.userId !== String(req.params[0])) throw igApiError('Unsupported get request.', 100, 33);
    const limit = Math.min(Math.max(Number.parseInt(p.limit ?? '', 10) || 25, 1), 100);
    res.json({
      data: state.reels
        .mediaOf(token.userId)
        .slice(0, limit)
        .map((m) => ({
          id: m.id,
          caption: m.caption,
          permalink: m.permalink,
          media_product_type: 'REELS',
          timestamp: new Date(m.publishedAt).toISOString().replace(/\.\d{3}Z$/, '+0000'),
        })),
    });
  });

  // containers and media nodes
  router.get(/^\/instagram\/graph(?:\/v\d+\.\d+)?\/(\d+)$/, (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p);
    const id = String(req.params[0]);
    const c = state.reels.containers.get(id);
    const m = state.reels.media.get(id);
    if ((!c && !m) || (c ?? m)?.igUserId !== token.userId)
      throw igApiError(`Unsupported get request. Object with ID '${id}' does not exist.`, 100, 33);
    if (c) {
      c.polls++;
      const { code, failure } = state.reels.status(c);
      res.json({ id: c.id, status_code: code, status: statusText(code, failure) });
      return;
    }
    res.json({ id: m?.id, permalink: m?.permalink, media_product_type: 'REELS', media_type: 'VIDEO' });
  });

  router.all(/^\/instagram\/(www|api|graph)\//, (req) => {
    throw unsupported(req.method);
  });

  return router;
}

/**
 * Control calls under /__sandbox/instagram:
 *   GET  /state                                      accounts, tokens (no values), codes, redirect URIs, settings
 *   POST /accounts          {username, account_type?, name?, user_id?, id?}   → account
 *   POST /accounts/:id      {account_type?}          change an account (e.g. it became PERSONAL after approving)
 *   POST /tokens/issued-at  {user_id, issued_at: ISO} move the issue time of the account's long-lived tokens
 *   POST /users/:id/invalidate {reason?}             every token of the account → 190 (password change)
 *   POST /settings          {code_exchange_shape?: "flat"|"data"}
 *   POST /redirect-uris     {uris: string[]}         register more redirect URIs
 */
export function instagramControlRoutes(state: SandboxState): Router {
  const r = Router();
  const ig = state.instagram;
  const view = (id: string) => {
    const a = ig.findAccount(id);
    if (!a) throw new ControlError(404, `no Instagram account ${id}`);
    return a;
  };
  const accountType = (v: unknown): IgAccountType | undefined => {
    const t = str(v, 'account_type');
    if (t === undefined) return undefined;
    if (t !== 'BUSINESS' && t !== 'MEDIA_CREATOR' && t !== 'PERSONAL')
      throw new ControlError(400, 'account_type must be BUSINESS, MEDIA_CREATOR or PERSONAL');
    return t;
  };

  r.get('/state', (_req, res) => {
    res.json({
      app_id: ig.app.id,
      redirect_uris: ig.redirectUris,
      settings: ig.settings,
      accounts: [...ig.accounts.values()].map((a) => ({
        user_id: a.userId,
        id: a.scopedId,
        username: a.username,
        account_type: a.accountType,
        media_count: a.mediaCount,
      })),
      tokens: [...ig.tokens.values()].map((t) => ({
        user_id: t.userId,
        long_lived: t.longLived,
        issued_at: new Date(t.issuedAt).toISOString(),
        expires_at: new Date(t.expiresAt).toISOString(),
        invalid: !!t.invalidatedReason,
      })),
      codes: { issued: ig.codes.size, used: [...ig.codes.values()].filter((c) => c.used).length },
    });
  });

  r.post('/accounts', (req, res) => {
    const b = body(req);
    try {
      const a = ig.addAccount({
        username: str(b.username, 'username', true),
        accountType: accountType(b.account_type),
        name: str(b.name, 'name'),
        userId: str(b.user_id, 'user_id'),
        scopedId: str(b.id, 'id'),
      });
      res.status(201).json({ user_id: a.userId, id: a.scopedId, username: a.username, account_type: a.accountType });
    } catch (err) {
      if (err instanceof ControlError) throw err;
      throw new ControlError(400, err instanceof Error ? err.message : 'invalid account');
    }
  });

  r.post('/accounts/:id', (req, res) => {
    const a = view(req.params.id);
    const t = accountType(body(req).account_type);
    if (t) a.accountType = t;
    res.json({ user_id: a.userId, id: a.scopedId, username: a.username, account_type: a.accountType });
  });

  r.post('/tokens/issued-at', (req, res) => {
    const b = body(req);
    const a = view(str(b.user_id, 'user_id', true));
    const at = Date.parse(str(b.issued_at, 'issued_at', true));
    if (Number.isNaN(at)) throw new ControlError(400, 'issued_at must be an ISO-8601 date');
    res.json({ updated: ig.setIssuedAt(a.userId, at) });
  });

  r.post('/users/:id/invalidate', (req, res) => {
    const a = view(req.params.id);
    const reason =
      str(body(req).reason, 'reason') ??
      'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.';
    res.json({ invalidated: ig.invalidateUser(a.userId, reason) });
  });

  r.post('/settings', (req, res) => {
    const shape = str(body(req).code_exchange_shape, 'code_exchange_shape');
    if (shape !== undefined) {
      if (shape !== 'flat' && shape !== 'data') throw new ControlError(400, 'code_exchange_shape must be flat or data');
      ig.settings.codeExchangeShape = shape;
    }
    res.json(ig.settings);
  });

  r.post('/redirect-uris', (req, res) => {
    const uris = body(req).uris;
    if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) throw new ControlError(400, 'uris must be strings');
    for (const u of uris) if (!ig.redirectUris.includes(u)) ig.redirectUris.push(u);
    res.json({ redirect_uris: ig.redirectUris });
  });

  return r;
}
