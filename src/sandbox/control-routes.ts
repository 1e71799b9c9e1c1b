/**
 * Control API of the Meta Graph sandbox (JSON in, JSON out). Not part of Meta's API: tests and
 * demos use it to shape the world. Errors answer `{ "error": "<message>" }` with HTTP 400/404.
 *
 *   POST   /__sandbox/reset                     {seed?: boolean = true}        fresh world, settings, clock, faults
 *   GET    /__sandbox/state                                                    users, pages, IG accounts, grants, token counts
 *   POST   /__sandbox/users                     {name, id?}                    → user
 *   POST   /__sandbox/pages                     {user_id, name, id?, category?, instagram?: {username, name?, profile_picture_url?, id?}}
 *   POST   /__sandbox/pages/:id/add-role        {user_id, tasks?}              give another user a role on a Page
 *   POST   /__sandbox/pages/:id/remove-role     {user_id}                      that user's Page tokens for the Page → 190/492
 *   POST   /__sandbox/instagram-accounts        {page_id, username, id?, name?, profile_picture_url?, biography?, website?, followers_count?, media_count?}
 *   GET    /__sandbox/clock                                                    {now, offset_seconds}
 *   POST   /__sandbox/clock                     {advance_seconds} | {now: ISO-8601}
 *   POST   /__sandbox/users/:id/invalidate      {subcode: 458|460|463|467|492} all user + Page tokens of that user
 *   POST   /__sandbox/users/:id/expire-data-access                             90-day data access lapses now
 *   POST   /__sandbox/users/:id/token-lifetimes {user_token_seconds?, page_token_seconds?, reported_expires_in?,
 *                                                data_access_seconds?}  (each a number, or null to clear) → the overrides
 *   POST   /__sandbox/tokens/invalidate         {token, subcode}               one token
 *   POST   /__sandbox/faults                    {path, method?, count?=1, error?: {code, subcode?, message?, type?, http_status?, is_transient?},
 *                                                http_status?, timeout?, latency_ms?, usage?, drop_response?}   → {id}
 *   GET    /__sandbox/faults   DELETE /__sandbox/faults
 *   POST   /__sandbox/settings                  {codeExchangeLongLived?, omitExpiresIn?, longLivedExchangeExtends?, requireAppSecretProof?,
 *                                                latencyMs?, usage?: {call_count,total_cputime,total_time,estimated_time_to_regain_access}|null,
 *                                                pageSizeDefault?}                → settings
 *   POST   /__sandbox/apps/redirect-uris        {uris: string[]}               add allowed redirect URIs
 *   GET    /__sandbox/apps/login-configs   POST {id?, permissions: string[]}   Login for Business configurations (→ {id, permissions})
 *   GET    /__sandbox/calls?path=               DELETE /__sandbox/calls        calls received (secrets masked)
 *   GET    /__sandbox/avatar/:id.svg                                           SVG avatar of an IG account
 *   GET    /__sandbox/webhooks/config   POST {deauthorize_url?, data_deletion_url?, instagram_url?, instagram_deauthorize_url?,
 *                                                instagram_data_deletion_url?, base_url?, retries?, backoff_ms?, timeout_ms?}
 *   POST   /__sandbox/webhooks/deauthorize        {user_id}                   app removed (tokens → 190/458), signed_request sent → delivery result
 *   POST   /__sandbox/webhooks/data-deletion      {user_id}                   signed_request sent → delivery result + the app's answer, reply_valid
 *   POST   /__sandbox/webhooks/instagram/deauthorize   {user_id, id_field?: "id"|"user_id"}  Instagram Login: app removed in
 *                                                Instagram (the account's tokens → 190), signed with the Instagram app secret
 *   POST   /__sandbox/webhooks/instagram/data-deletion {user_id, id_field?}  Instagram Login's data-deletion callback, reply_valid
 *   POST   /__sandbox/webhooks/permission-revoked {user_id, permission, target_ids?}  grant loses it, `permissions` webhook sent
 *   POST   /__sandbox/webhooks/event              {payload}                   any webhook body, escaped and signed like Meta
 *   POST   /__sandbox/webhooks/verify             {verify_token}              runs the GET hub.challenge handshake → {verified}
 *
 *   …      /__sandbox/reels/…                                                 Reels publishing: see reels-control.ts
 *
 * A fault's `path` is a substring of, or a regex source matched against, the path without the
 * version prefix (e.g. "/me/accounts"). It fires `count` times, then normal service resumes.
 *
 * With a control token (SANDBOX_CONTROL_TOKEN; required when the sandbox listens beyond loopback)
 * every call but the avatars needs `Authorization: Bearer <token>` or `X-Sandbox-Token: <token>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { FaultSpec, SandboxSettings, SandboxState, TokenLifetimes, UsageSettings } from './sandbox-state';
import { ControlError, body, bool, num, str } from './control-helpers';
import { reelsControlRoutes } from './reels-control';
import { WebhookSender, WebhookTargetMissing, webhookUrlsFor, type InstagramIdField } from './webhook-sender';

const TOKEN_SUBCODES = [458, 460, 463, 467, 492];

function subcodeOf(v: unknown): number {
  const n = num(v, 'subcode') ?? 467;
  if (!TOKEN_SUBCODES.includes(n)) throw new ControlError(400, `subcode must be one of ${TOKEN_SUBCODES.join(', ')}`);
  return n;
}

/** Wraps a throwing call so model errors ("unknown user") surface as 400s. */
function attempt<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ControlError) throw e;
    throw new ControlError(400, e instanceof Error ? e.message : 'invalid request');
  }
}

function usageOf(v: unknown): Partial<UsageSettings> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') throw new ControlError(400, 'usage must be an object');
  const u = v as Record<string, unknown>;
  const out: Partial<UsageSettings> = {};
  for (const k of ['call_count', 'total_cputime', 'total_time', 'estimated_time_to_regain_access'] as const) {
    const n = num(u[k], `usage.${k}`);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

function lifetimesView(l: TokenLifetimes): Record<string, number | null> {
  return {
    user_token_seconds: l.userTokenSeconds ?? null,
    page_token_seconds: l.pageTokenSeconds ?? null,
    reported_expires_in: l.reportedExpiresIn ?? null,
    data_access_seconds: l.dataAccessSeconds ?? null,
  };
}

const digest = (v: string): Buffer => createHash('sha256').update(v, 'utf8').digest();

/** Guards the control API with a token (constant-time compare); no token configured = open (loopback only). */
export function controlTokenGuard(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : null;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected || (req.method === 'GET' && req.path.startsWith('/avatar/'))) return next();
    const auth = req.get('authorization');
    const given = req.get('x-sandbox-token') ?? (auth && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '') : undefined);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="sandbox-control"')
      .json({ error: 'sandbox control token required (Authorization: Bearer <SANDBOX_CONTROL_TOKEN> or X-Sandbox-Token)' });
  };
}

export function controlRoutes(state: SandboxState): Router {
  const r = Router();

  const snapshot = (): Record<string, unknown> => {
    const tokens = [...state.tokens.values()];
    return {
      app: { id: state.app.id, name: state.app.name, redirect_uris: state.app.redirectUris },
      clock: { now: new Date(state.now()).toISOString(), offset_seconds: Math.round(state.clockOffsetMs / 1000) },
      settings: state.settings,
      users: [...state.users.values()].map((u) => ({
        id: u.id,
        name: u.name,
        page_ids: [...state.pages.values()].filter((p) => p.roles.has(u.id)).map((p) => p.id),
        token_lifetimes: lifetimesView(state.lifetimes.get(u.id) ?? {}),
      })),
      pages: [...state.pages.values()].map((p) => ({
        id: p.id,
        name: p.name,
        category: p.category,
        roles: Object.fromEntries(p.roles),
        instagram_business_account_id: p.instagramId ?? null,
        subscribed_fields: p.subscriptions.get(state.app.id) ?? null,
      })),
      instagram_accounts: [...state.igAccounts.values()].map((ig) => ({
        id: ig.id,
        page_id: ig.pageId,
        username: ig.username,
        name: ig.name ?? null,
      })),
      grants: [...state.grants.values()].map((g) => ({
        user_id: g.userId,
        granted: [...g.granted],
        declined: [...g.declined],
        page_ids: g.pageIds,
        data_access_expires_at: g.dataAccessExpiresAt,
      })),
      tokens: {
        user: tokens.filter((t) => t.type === 'USER').length,
        page: tokens.filter((t) => t.type === 'PAGE').length,
        app: tokens.filter((t) => t.type === 'APP').length,
        invalid: tokens.filter((t) => state.tokenProblem(t) !== undefined).length,
      },
      codes: { issued: state.codes.size, used: [...state.codes.values()].filter((c) => c.used).length },
      faults: state.faults.filter((f) => f.remaining > 0),
    };
  };

  r.post('/reset', (req, res) => {
    state.reset(bool(body(req).seed, 'seed') ?? true);
    res.json({ success: true });
  });

  r.get('/state', (_req, res) => {
    res.json(snapshot());
  });

  r.post('/users', (req, res) => {
    const b = body(req);
    const user = attempt(() => state.addUser({ name: str(b.name, 'name', true), id: str(b.id, 'id') }));
    res.status(201).json(user);
  });

  r.post('/pages', (req, res) => {
    const b = body(req);
    let instagram: { username: string; name?: string; profilePictureUrl?: string; id?: string } | undefined;
    if (b.instagram !== undefined && b.instagram !== null) {
      if (typeof b.instagram !== 'object') throw new ControlError(400, 'instagram must be an object');
      const ig = b.instagram as Record<string, unknown>;
      instagram = {
        username: str(ig.username, 'instagram.username', true),
        name: str(ig.name, 'instagram.name'),
        profilePictureUrl: str(ig.profile_picture_url, 'instagram.profile_picture_url'),
        id: str(ig.id, 'instagram.id'),
      };
    }
    const page = attempt(() =>
      state.addPage({
        userId: str(b.user_id, 'user_id', true),
        name: str(b.name, 'name', true),
        id: str(b.id, 'id'),
        category: str(b.category, 'category'),
        instagram,
      }),
    );
    res
      .status(201)
      .json({ id: page.id, name: page.name, category: page.category, instagram_business_account_id: page.instagramId ?? null });
  });

  r.post('/pages/:id/add-role', (req, res) => {
    const b = body(req);
    const tasks = Array.isArray(b.tasks) ? b.tasks.map(String) : undefined;
    attempt(() => state.addPageRole(req.params.id, str(b.user_id, 'user_id', true), tasks));
    res.json({ success: true });
  });

  r.post('/pages/:id/remove-role', (req, res) => {
    if (!state.pages.has(req.params.id)) throw new ControlError(404, 'unknown page');
    const invalidated = state.removePageRole(req.params.id, str(body(req).user_id, 'user_id', true));
    res.json({ success: true, invalidated_tokens: invalidated });
  });

  r.post('/instagram-accounts', (req, res) => {
    const b = body(req);
    const ig = attempt(() =>
      state.addInstagramAccount({
        pageId: str(b.page_id, 'page_id', true),
        username: str(b.username, 'username', true),
        id: str(b.id, 'id'),
        name: str(b.name, 'name'),
        profilePictureUrl: str(b.profile_picture_url, 'profile_picture_url'),
        biography: str(b.biography, 'biography'),
        website: str(b.website, 'website'),
        followersCount: num(b.followers_count, 'followers_count'),
        mediaCount: num(b.media_count, 'media_count'),
      }),
    );
    res.status(201).json({ id: ig.id, page_id: ig.pageId, username: ig.username, name: ig.name ?? null });
  });

  const clock = (): Record<string, unknown> => ({
    now: new Date(state.now()).toISOString(),
    offset_seconds: Math.round(state.clockOffsetMs / 1000),
  });
  r.get('/clock', (_req, res) => {
    res.json(clock());
  });
  r.post('/clock', (req, res) => {
    const b = body(req);
    const advance = num(b.advance_seconds, 'advance_seconds');
    const at = str(b.now, 'now');
    if (advance !== undefined) state.advanceClock(advance);
    else if (at !== undefined) {
      const d = new Date(at);
      if (Number.isNaN(d.getTime())) throw new ControlError(400, 'now must be an ISO-8601 date');
      state.setClock(d);
    } else throw new ControlError(400, 'advance_seconds or now is required');
    res.json(clock());
  });

  r.post('/users/:id/invalidate', (req, res) => {
    if (!state.users.has(req.params.id)) throw new ControlError(404, 'unknown user');
    const invalidated = state.invalidateUser(req.params.id, subcodeOf(body(req).subcode));
    res.json({ success: true, invalidated_tokens: invalidated });
  });

  r.post('/users/:id/expire-data-access', (req, res) => {
    if (!state.users.has(req.params.id)) throw new ControlError(404, 'unknown user');
    res.json({ success: true, grants: state.expireDataAccess(req.params.id) });
  });

  r.post('/users/:id/token-lifetimes', (req, res) => {
    if (!state.users.has(req.params.id)) throw new ControlError(404, 'unknown user');
    const b = body(req);
    const field = (name: string): number | null | undefined => {
      if (b[name] === null) return null;
      const n = num(b[name], name);
      if (n !== undefined && (n < 0 || !Number.isInteger(n))) throw new ControlError(400, `${name} must be a whole number ≥ 0`);
      return n;
    };
    const lifetimes = state.setLifetimes(req.params.id, {
      userTokenSeconds: field('user_token_seconds'),
      pageTokenSeconds: field('page_token_seconds'),
      reportedExpiresIn: field('reported_expires_in'),
      dataAccessSeconds: field('data_access_seconds'),
    });
    const grant = state.grantFor(state.app.id, req.params.id);
    res.json({ ...lifetimesView(lifetimes), data_access_expires_at: grant?.dataAccessExpiresAt ?? null });
  });

  r.post('/tokens/invalidate', (req, res) => {
    const b = body(req);
    if (!state.invalidateToken(str(b.token, 'token', true), subcodeOf(b.subcode))) throw new ControlError(404, 'unknown token');
    res.json({ success: true });
  });

  r.post('/faults', (req, res) => {
    const b = body(req);
    const spec: FaultSpec = { path: str(b.path, 'path', true) };
    spec.method = str(b.method, 'method');
    spec.count = num(b.count, 'count') ?? 1;
    spec.http_status = num(b.http_status, 'http_status');
    spec.timeout = bool(b.timeout, 'timeout');
    spec.latency_ms = num(b.latency_ms, 'latency_ms');
    spec.usage = usageOf(b.usage);
    spec.drop_response = bool(b.drop_response, 'drop_response');
    if (b.error !== undefined && b.error !== null) {
      if (typeof b.error !== 'object') throw new ControlError(400, 'error must be an object');
      const e = b.error as Record<string, unknown>;
      const code = num(e.code, 'error.code');
      if (code === undefined) throw new ControlError(400, 'error.code is required');
      spec.error = {
        code,
        subcode: num(e.subcode, 'error.subcode'),
        message: str(e.message, 'error.message'),
        type: str(e.type, 'error.type'),
        http_status: num(e.http_status, 'error.http_status'),
        is_transient: bool(e.is_transient, 'error.is_transient'),
      };
    }
    const fault = state.addFault(spec);
    res.status(201).json({ id: fault.id });
  });
  r.get('/faults', (_req, res) => {
    res.json({ data: state.faults.filter((f) => f.remaining > 0) });
  });
  r.delete('/faults', (_req, res) => {
    state.faults = [];
    res.json({ success: true });
  });

  r.post('/settings', (req, res) => {
    const b = body(req);
    const s: Partial<SandboxSettings> = {};
    for (const k of ['codeExchangeLongLived', 'omitExpiresIn', 'longLivedExchangeExtends', 'requireAppSecretProof'] as const) {
      const v = bool(b[k], k);
      if (v !== undefined) s[k] = v;
    }
    const latency = num(b.latencyMs, 'latencyMs');
    if (latency !== undefined) s.latencyMs = latency;
    const pageSize = num(b.pageSizeDefault, 'pageSizeDefault');
    if (pageSize !== undefined) s.pageSizeDefault = pageSize;
    if (b.usage === null) s.usage = null;
    else if (b.usage !== undefined)
      s.usage = {
        ...(state.settings.usage ?? { call_count: 0, total_cputime: 0, total_time: 0, estimated_time_to_regain_access: 0 }),
        ...usageOf(b.usage),
      };
    state.settings = { ...state.settings, ...s };
    res.json(state.settings);
  });

  r.post('/apps/redirect-uris', (req, res) => {
    const uris = body(req).uris;
    if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string'))
      throw new ControlError(400, 'uris must be an array of strings');
    for (const u of uris) if (!state.app.redirectUris.includes(u)) state.app.redirectUris.push(u);
    res.json({ redirect_uris: state.app.redirectUris });
  });

  r.get('/apps/login-configs', (_req, res) => {
    res.json({ data: [...state.app.loginConfigs].map(([id, permissions]) => ({ id, permissions })) });
  });
  r.post('/apps/login-configs', (req, res) => {
    const b = body(req);
    const permissions = b.permissions;
    if (
      !Array.isArray(permissions) ||
      !permissions.length ||
      !permissions.every((p) => typeof p === 'string' && /^[a-z_]+$/.test(p))
    )
      throw new ControlError(400, 'permissions must be a non-empty array of permission names');
    const id = str(b.id, 'id') ?? `7${String(Date.now()).slice(-8)}${String(state.app.loginConfigs.size).padStart(6, '0')}`;
    if (!/^\d{5,25}$/.test(id)) throw new ControlError(400, 'id must be digits');
    state.app.loginConfigs.set(id, [...new Set(permissions as string[])]);
    res.status(201).json({ id, permissions: state.app.loginConfigs.get(id) });
  });

  r.get('/calls', (req, res) => {
    const filter = typeof req.query.path === 'string' ? req.query.path : undefined;
    res.json({ data: filter ? state.calls.filter((c) => c.path.includes(filter)) : state.calls });
  });
  r.delete('/calls', (_req, res) => {
    state.calls = [];
    res.json({ success: true });
  });

  r.get('/avatar/:file', (req, res) => {
    const ig = state.igAccounts.get(req.params.file.replace(/\.svg$/, ''));
    const uri = ig?.profilePictureUrl;
    if (!ig || !uri?.startsWith('data:image/svg+xml;base64,')) throw new ControlError(404, 'no avatar');
    res.type('image/svg+xml').send(Buffer.from(uri.slice('data:image/svg+xml;base64,'.length), 'base64'));
  });

  // ---- Outgoing Meta callbacks (webhook-sender.ts) -------------------------------------------
  const sender = new WebhookSender(state);
  const knownUser = (v: unknown): string => {
    const id = str(v, 'user_id', true);
    if (!state.users.has(id)) throw new ControlError(404, 'unknown user');
    return id;
  };
  const send = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WebhookTargetMissing) throw new ControlError(400, err.message);
      throw err;
    }
  };
  const webhookConfig = (): Record<string, unknown> => ({
    deauthorize_url: state.webhooks.deauthorizeUrl,
    data_deletion_url: state.webhooks.dataDeletionUrl,
    instagram_url: state.webhooks.instagramUrl,
    instagram_deauthorize_url: state.webhooks.instagramDeauthorizeUrl,
    instagram_data_deletion_url: state.webhooks.instagramDataDeletionUrl,
    retries: state.webhooks.retries,
    backoff_ms: state.webhooks.backoffMs,
    timeout_ms: state.webhooks.timeoutMs,
  });
  r.get('/webhooks/config', (_req, res) => {
    res.json(webhookConfig());
  });
  r.post('/webhooks/config', (req, res) => {
    const b = body(req);
    const base = str(b.base_url, 'base_url');
    if (base !== undefined) Object.assign(state.webhooks, webhookUrlsFor(base));
    const urls = {
      deauthorize_url: 'deauthorizeUrl',
      data_deletion_url: 'dataDeletionUrl',
      instagram_url: 'instagramUrl',
      instagram_deauthorize_url: 'instagramDeauthorizeUrl',
      instagram_data_deletion_url: 'instagramDataDeletionUrl',
    } as const;
    for (const [k, field] of Object.entries(urls)) {
      const v = str(b[k], k);
      if (v !== undefined) state.webhooks[field] = v;
    }
    const retries = num(b.retries, 'retries');
    if (retries !== undefined) state.webhooks.retries = Math.max(0, Math.min(10, Math.floor(retries)));
    const backoff = num(b.backoff_ms, 'backoff_ms');
    if (backoff !== undefined) state.webhooks.backoffMs = Math.max(0, backoff);
    const timeout = num(b.timeout_ms, 'timeout_ms');
    if (timeout !== undefined) state.webhooks.timeoutMs = Math.max(1, timeout);
    res.json(webhookConfig());
  });
  r.post('/webhooks/deauthorize', async (req, res) => {
    const userId = knownUser(body(req).user_id);
    res.json(await send(() => sender.deauthorize(userId)));
  });
  r.post('/webhooks/data-deletion', async (req, res) => {
    const userId = knownUser(body(req).user_id);
    res.json(await send(() => sender.dataDeletion(userId)));
  });
  // Instagram Login: `user_id` names the account by its professional id, app-scoped id or username
  const instagramTarget = (
    b: Record<string, unknown>,
  ): { account: { userId: string; scopedId: string }; idField: InstagramIdField } => {
    const ref = str(b.user_id, 'user_id', true);
    const account = state.instagram.findAccount(ref);
    if (!account) throw new ControlError(404, `no Instagram account ${ref}`);
    const idField = str(b.id_field, 'id_field') ?? 'id';
    if (idField !== 'id' && idField !== 'user_id') throw new ControlError(400, 'id_field must be "id" or "user_id"');
    return { account, idField };
  };
  r.post('/webhooks/instagram/deauthorize', async (req, res) => {
    const { account, idField } = instagramTarget(body(req));
    res.json(await send(() => sender.instagramDeauthorize(account, idField)));
  });
  r.post('/webhooks/instagram/data-deletion', async (req, res) => {
    const { account, idField } = instagramTarget(body(req));
    res.json(await send(() => sender.instagramDataDeletion(account, idField)));
  });
  r.post('/webhooks/permission-revoked', async (req, res) => {
    const b = body(req);
    const userId = knownUser(b.user_id);
    const permission = str(b.permission, 'permission', true);
    const targetIds = Array.isArray(b.target_ids) ? b.target_ids.map(String) : [];
    res.json(await send(() => sender.permissionRevoked(userId, permission, targetIds)));
  });
  r.post('/webhooks/event', async (req, res) => {
    const payload = body(req).payload;
    if (typeof payload !== 'object' || payload === null) throw new ControlError(400, 'payload must be an object');
    res.json(await send(() => sender.event(payload)));
  });
  r.post('/webhooks/verify', async (req, res) => {
    const token = str(body(req).verify_token, 'verify_token', true);
    res.json(await send(() => sender.verify(token)));
  });

  r.use('/reels', reelsControlRoutes(state));

  r.use((_req, _res, next) => next(new ControlError(404, 'unknown control endpoint')));
  return r;
}

export { ControlError };
