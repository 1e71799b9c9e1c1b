import { Router } from 'express';
import type { Request, Response } from 'express';
import {
  SandboxGraphError,
  appPermissionMissing,
  badClientId,
  badClientSecret,
  cannotParseToken,
  codeExpired,
  codeGarbage,
  codeRedirectMismatch,
  codeUsed,
  dataAccessExpired,
  missingParam,
  missingTokenOnMe,
  nonexistingField,
  objectMissing,
  tokenError,
} from './errors';
import type { FieldSelection } from './fields';
import { graphAuth } from './graph-auth';
import { parseFields } from './fields';
import { locals, originOf, requestParams } from './request-context';
import type { SandboxIgAccount, SandboxPage, SandboxState, SandboxToken } from './sandbox-state';
import { CODE_LIFETIME_SECONDS, safeEqual } from './sandbox-state';

const PAGE_FIELDS = new Set([
  'id',
  'name',
  'category',
  'access_token',
  'tasks',
  'instagram_business_account',
  'connected_instagram_account',
]);
const PAGE_DEFAULT_FIELDS = 'id,name';
const ACCOUNTS_DEFAULT_FIELDS = 'access_token,category,name,id,tasks';
const IG_FIELDS = new Set([
  'id',
  'username',
  'name',
  'profile_picture_url',
  'followers_count',
  'follows_count',
  'media_count',
  'biography',
  'website',
]);
const USER_FIELDS = new Set(['id', 'name', 'first_name', 'last_name', 'short_name']);

type Json = Record<string, unknown>;

function fieldsOrDefault(raw: string | undefined, fallback: string): FieldSelection[] {
  return parseFields(raw) ?? parseFields(fallback) ?? [];
}

/** The Graph side (graph.facebook.com): token endpoint, nodes and edges the connect flow needs. */
export function graphRoutes(state: SandboxState): Router {
  const router = Router();

  const { authenticate, requirePermissions } = graphAuth(state);

  const renderIg = (ig: SandboxIgAccount, fields: FieldSelection[]): Json => {
    const out: Json = {};
    for (const f of fields) {
      if (!IG_FIELDS.has(f.name)) throw nonexistingField(f.name, 'IGUser');
      const value: Record<string, unknown> = {
        id: ig.id,
        username: ig.username,
        name: ig.name,
        profile_picture_url: ig.profilePictureUrl,
        followers_count: ig.followersCount,
        follows_count: ig.followsCount,
        media_count: ig.mediaCount,
        biography: ig.biography,
        website: ig.website,
      };
      // Unset optional fields are absent, as on Meta.
      if (value[f.name] !== undefined) out[f.name] = value[f.name];
    }
    if (!('id' in out)) out.id = ig.id;
    return out;
  };

  const renderPage = (page: SandboxPage, token: SandboxToken, fields: FieldSelection[]): Json => {
    const out: Json = {};
    const canSeeIg = state.scopesOf(token).includes('instagram_basic');
    for (const f of fields) {
      if (!PAGE_FIELDS.has(f.name)) throw nonexistingField(f.name, 'Page');
      switch (f.name) {
        case 'id':
          out.id = page.id;
          break;
        case 'name':
          out.name = page.name;
          break;
        case 'category':
          out.category = page.category;
          break;
        case 'tasks':
          out.tasks = page.roles.get(token.userId ?? '') ?? [];
          break;
        case 'access_token':
          out.access_token = token.type === 'PAGE' ? token.value : state.pageTokenFor(token, page.id).value;
          break;
        default: {
          // instagram_business_account / connected_instagram_account: absent when not linked.
          const ig = page.instagramId ? state.igAccounts.get(page.instagramId) : undefined;
          if (ig && canSeeIg) out[f.name] = renderIg(ig, f.sub ?? [{ name: 'id' }]);
        }
      }
    }
    if (!('id' in out)) out.id = page.id;
    return out;
  };

  const renderUser = (token: SandboxToken, fields: FieldSelection[]): Json => {
    if (token.type === 'PAGE') {
      const page = state.pages.get(token.pageId ?? '');
      if (!page) throw objectMissing(token.pageId ?? 'me');
      return renderPage(page, token, fields);
    }
    const user = state.users.get(token.userId ?? '');
    if (!user) throw objectMissing('me');
    const [first, ...rest] = user.name.split(' ');
    const out: Json = {};
    for (const f of fields) {
      if (!USER_FIELDS.has(f.name)) throw nonexistingField(f.name, 'User');
      const value: Record<string, string> = {
        id: user.id,
        name: user.name,
        first_name: first,
        last_name: rest.join(' '),
        short_name: first,
      };
      out[f.name] = value[f.name];
    }
    return out;
  };

  const tokenResponse = (token: SandboxToken): Json => {
    const body: Json = { access_token: token.value, token_type: 'bearer' };
    const expiresIn = state.reportedExpiresIn(token);
    if (!state.settings.omitExpiresIn && expiresIn !== undefined) body.expires_in = expiresIn;
    return body;
  };

  // ---- Token endpoint (§2, §3) -------------------------------------------------------------

  const accessToken = (req: Request, res: Response): void => {
    const p = requestParams(req);
    if (p.client_id !== state.app.id) throw badClientId();
    const checkSecret = (): void => {
      if (!p.client_secret || !safeEqual(p.client_secret, state.app.secret)) throw badClientSecret();
    };
    const grantType = p.grant_type ?? 'authorization_code';

    if (grantType === 'client_credentials') {
      checkSecret();
      res.json({ access_token: state.issueAppToken().value, token_type: 'bearer' });
      return;
    }

    if (grantType === 'fb_exchange_token') {
      checkSecret();
      if (!p.fb_exchange_token) throw missingParam('fb_exchange_token');
      const input = state.findToken(p.fb_exchange_token);
      if (!input || input.type !== 'USER') throw cannotParseToken();
      const problem = state.tokenProblem(input);
      if (problem !== undefined)
        throw tokenError(problem, { appId: input.appId, expiresAt: input.expiresAt, now: state.nowSeconds() });
      // Meta does not extend an already long-lived token: same string, expiry counting down (§3).
      if (input.longLived && !state.settings.longLivedExchangeExtends) {
        res.json(tokenResponse(input));
        return;
      }
      res.json(tokenResponse(state.issueUserToken(input.userId ?? '', true)));
      return;
    }

    if (grantType !== 'authorization_code') {
      throw new SandboxGraphError(400, { message: `(#100) Unsupported grant_type: ${grantType}`, code: 100 });
    }
    checkSecret();
    if (!p.redirect_uri) throw new SandboxGraphError(400, { message: 'Missing redirect_uri parameter.', code: 191 });
    if (!p.code) throw missingParam('code');
    const code = state.codes.get(p.code);
    if (!code || code.appId !== state.app.id) throw codeGarbage();
    if (code.used) throw codeUsed();
    if (state.nowSeconds() - code.createdAt >= CODE_LIFETIME_SECONDS) throw codeExpired();
    if (code.redirectUri !== p.redirect_uri) throw codeRedirectMismatch();
    code.used = true;
    const token = state.issueUserToken(code.userId, state.settings.codeExchangeLongLived);
    res.json(tokenResponse(token));
  };
  router.get('/oauth/access_token', accessToken);
  router.post('/oauth/access_token', accessToken);

  // ---- debug_token (§6) --------------------------------------------------------------------

  router.get('/debug_token', (req, res) => {
    const p = requestParams(req);
    const caller = authenticate(req, p);
    if (caller.type !== 'APP') {
      throw new SandboxGraphError(400, {
        message: '(#100) You must provide an app access token, or a user access token that is an owner or developer of the app',
        code: 100,
      });
    }
    if (!p.input_token) throw missingParam('input_token');
    const t = state.findToken(p.input_token);
    if (!t) {
      res.json({ data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] } });
      return;
    }
    if (t.type === 'APP') {
      res.json({ data: { app_id: t.appId, type: 'APP', application: state.app.name, is_valid: true } });
      return;
    }
    const grant = state.grantFor(t.appId, t.userId ?? '');
    const scopes = state.scopesOf(t);
    const pageIds = state.visiblePageIds({ ...t, type: 'USER' });
    const igIds = pageIds.map((id) => state.pages.get(id)?.instagramId).filter((id): id is string => !!id);
    const granular = scopes
      .filter((s) => s !== 'public_profile')
      .map((scope) => {
        if (scope.startsWith('pages_')) return { scope, target_ids: pageIds };
        if (scope.startsWith('instagram_')) return { scope, target_ids: igIds };
        return { scope };
      });
    const problem = state.tokenProblem(t);
    const data: Json = {
      app_id: t.appId,
      type: t.type,
      application: state.app.name,
      data_access_expires_at: grant?.dataAccessExpiresAt ?? 0,
      expires_at: t.expiresAt,
      is_valid: problem === undefined,
      issued_at: t.issuedAt,
      ...(t.type === 'PAGE' ? { profile_id: t.pageId } : {}),
      scopes,
      granular_scopes: granular,
      user_id: t.userId,
    };
    if (problem !== undefined) {
      const err = tokenError(problem, { appId: t.appId, expiresAt: t.expiresAt, now: state.nowSeconds() }).fields;
      data.error = { code: err.code, message: err.message, subcode: err.subcode };
    }
    res.json({ data });
  });

  // ---- /me and its edges (§4, §7) ----------------------------------------------------------

  router.get('/me', (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p, true);
    if (token.type === 'APP') throw missingTokenOnMe();
    res.json(renderUser(token, fieldsOrDefault(p.fields, 'id,name')));
  });

  router.get('/me/accounts', (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p, true);
    if (token.type !== 'USER') throw nonexistingField('accounts', token.type === 'PAGE' ? 'Page' : 'Application');
    requirePermissions(token, ['pages_show_list']);
    const fields = fieldsOrDefault(p.fields, ACCOUNTS_DEFAULT_FIELDS);
    const ids = state.visiblePageIds(token);
    const limit = Math.min(Math.max(Number.parseInt(p.limit ?? '', 10) || state.settings.pageSizeDefault, 1), 100);
    const decode = (c: string): number => ids.indexOf(Buffer.from(c, 'base64url').toString('utf8'));
    let start = 0;
    let end: number;
    if (p.after) {
      const i = decode(p.after);
      start = i + 1; // an unknown cursor restarts from the top (i = -1), as cursors are not durable
      end = Math.min(start + limit, ids.length);
    } else if (p.before) {
      const i = decode(p.before);
      end = i < 0 ? 0 : i;
      start = Math.max(0, end - limit);
    } else {
      end = Math.min(limit, ids.length);
    }
    const slice = ids.slice(start, end);
    const data = slice.map((id) => renderPage(state.pages.get(id) as SandboxPage, token, fields));
    const body: Json = { data };
    if (slice.length) {
      const cursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
      const paging: Json = { cursors: { before: cursor(slice[0]), after: cursor(slice[slice.length - 1]) } };
      // Meta's paging URLs repeat the request's own parameters, token included.
      const link = (key: 'after' | 'before', value: string): string => {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(p)) if (k !== 'after' && k !== 'before') q.set(k, v);
        if (!q.has('access_token')) q.set('access_token', token.value);
        q.set('limit', String(limit));
        q.set(key, value);
        return `${originOf(req)}/${locals(res).version}/me/accounts?${q.toString()}`;
      };
      if (end < ids.length) paging.next = link('after', cursor(slice[slice.length - 1]));
      if (start > 0) paging.previous = link('before', cursor(slice[0]));
      body.paging = paging;
    }
    res.json(body);
  });

  router.get('/me/permissions', (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p, true);
    if (token.type !== 'USER') throw nonexistingField('permissions', token.type === 'PAGE' ? 'Page' : 'Application');
    const grant = state.grantFor(token.appId, token.userId ?? '');
    const expired = state.dataAccessExpired(token);
    const data = [
      ...[...(grant?.granted ?? [])].map((permission) => ({
        permission,
        status: expired && permission !== 'public_profile' ? 'expired' : 'granted',
      })),
      ...[...(grant?.declined ?? [])].map((permission) => ({ permission, status: 'declined' })),
    ];
    res.json({ data });
  });

  router.delete('/me/permissions', (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p, true);
    if (token.type !== 'USER') throw nonexistingField('permissions', 'Page');
    state.revokeAll(token.appId, token.userId ?? '');
    res.json({ success: true });
  });

  router.delete('/me/permissions/:permission', (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p, true);
    if (token.type !== 'USER') throw nonexistingField('permissions', 'Page');
    state.revokePermission(token.appId, token.userId ?? '', req.params.permission);
    res.json({ success: true });
  });

  /** `DELETE /{user-id}/permissions` with the app token (or the user's own token). */
  router.delete('/:id/permissions', (req, res) => {
    const p = requestParams(req);
    const token = authenticate(req, p);
    const id = req.params.id;
    if (!state.users.has(id) || (token.type !== 'APP' && token.userId !== id)) throw objectMissing(id, 'delete');
    state.revokeAll(state.app.id, id);
    res.json({ success: true });
  });

  // ---- Page subscriptions (§12) ------------------------------------------------------------

  const pageTokenFor = (
    req: Request,
    p: Record<string, string>,
    method: 'get' | 'post' | 'delete',
  ): { token: SandboxToken; page: SandboxPage } => {
    const token = authenticate(req, p);
    const page = state.pages.get(req.params.id as string);
    if (!page) throw objectMissing(req.params.id as string, method);
    if (token.type !== 'PAGE') {
      throw new SandboxGraphError(403, {
        message: '(#210) A page access token is required to request this resource.',
        code: 210,
      });
    }
    if (token.pageId !== page.id) throw objectMissing(page.id, method);
    return { token, page };
  };

  router.get('/:id/subscribed_apps', (req, res) => {
    const p = requestParams(req);
    const { token, page } = pageTokenFor(req, p, 'get');
    requirePermissions(token, ['pages_show_list']);
    const fields = page.subscriptions.get(state.app.id);
    res.json({ data: fields ? [{ name: state.app.name, id: state.app.id, subscribed_fields: fields }] : [] });
  });

  router.post('/:id/subscribed_apps', (req, res) => {
    const p = requestParams(req);
    const { token, page } = pageTokenFor(req, p, 'post');
    requirePermissions(token, ['pages_manage_metadata']);
    if (!p.subscribed_fields) throw missingParam('subscribed_fields');
    page.subscriptions.set(
      state.app.id,
      p.subscribed_fields
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    res.json({ success: true });
  });

  router.delete('/:id/subscribed_apps', (req, res) => {
    const p = requestParams(req);
    const { token, page } = pageTokenFor(req, p, 'delete');
    requirePermissions(token, ['pages_manage_metadata']);
    page.subscriptions.delete(state.app.id);
    res.json({ success: true });
  });

  // ---- Nodes: Page, IG user, user (§4, §5) -------------------------------------------------

  router.get('/:id', (req, res) => {
    const p = requestParams(req);
    const id = req.params.id;
    const token = authenticate(req, p);
    if (token.type === 'APP') throw objectMissing(id);
    const visible = state.visiblePageIds(token);

    const page = state.pages.get(id);
    if (page) {
      if (!visible.includes(id)) throw objectMissing(id);
      if (token.type === 'USER') requirePermissions(token, ['pages_show_list']);
      else if (state.dataAccessExpired(token)) throw dataAccessExpired();
      res.json(renderPage(page, token, fieldsOrDefault(p.fields, PAGE_DEFAULT_FIELDS)));
      return;
    }

    const ig = state.igAccounts.get(id);
    if (ig) {
      if (!visible.includes(ig.pageId)) throw objectMissing(id);
      if (state.dataAccessExpired(token)) throw dataAccessExpired();
      const scopes = state.scopesOf(token);
      if (!scopes.includes('instagram_basic') || !scopes.includes('pages_read_engagement')) throw appPermissionMissing();
      res.json(renderIg(ig, fieldsOrDefault(p.fields, 'id')));
      return;
    }

    if (token.type === 'USER' && token.userId === id) {
      res.json(renderUser(token, fieldsOrDefault(p.fields, 'id,name')));
      return;
    }
    throw objectMissing(id);
  });

  return router;
}
