import { Router } from 'express';
import type { Response } from 'express';
import { requestParams } from './request-context';
import type { SandboxState } from './sandbox-state';

/**
 * The Login dialog (www.facebook.com/{v}/dialog/oauth): an HTML consent page, or automated
 * approval for scripts via `sandbox_auto=approve|deny` (+ `sandbox_user`, `sandbox_pages`,
 * `sandbox_decline`). Unknown apps and unregistered redirect URIs get an error page and no redirect,
 * like Meta (graph-api.md §1).
 *
 * Facebook Login for Business: with `config_id` the configuration (control API
 * `/__sandbox/apps/login-configs`) defines the permissions and `scope` is ignored; an unknown
 * configuration gets an error page; every permission of the configuration must be granted (the
 * boxes are locked and `sandbox_decline` is refused), as Meta requires for Login for Business.
 */

const DIALOG_PARAMS = ['client_id', 'redirect_uri', 'state', 'scope', 'config_id', 'auth_type', 'response_type'] as const;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function list(v: unknown): string[] {
  const raw = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  return raw
    .flatMap((s) => s.split(/[,\s]+/))
    .map((s) => s.trim())
    .filter(Boolean);
}

const STYLE = `
  body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f0f2f5;color:#1c1e21;margin:0;padding:32px 16px}
  main{max-width:520px;margin:0 auto;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:24px}
  h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:20px 0 8px} p{color:#606770;font-size:14px;margin:4px 0}
  fieldset{border:1px solid #dddfe2;border-radius:6px;margin:12px 0;padding:8px 12px} legend{font-weight:600;font-size:14px;padding:0 4px}
  label{display:flex;gap:8px;align-items:center;padding:4px 0;font-size:14px} .hint{color:#8a8d91;font-size:12px}
  .actions{display:flex;gap:8px;justify-content:flex-end;margin-top:16px}
  button{font-size:15px;font-weight:600;border-radius:6px;padding:8px 18px;border:0;cursor:pointer}
  #approve{background:#1877f2;color:#fff} #cancel{background:#e4e6eb;color:#050505}
  .badge{background:#fff3cd;color:#664d03;border-radius:4px;padding:2px 6px;font-size:12px}
  .error{border-left:4px solid #fa383e;padding-left:12px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function errorPage(res: Response, title: string, message: string): void {
  res
    .status(400)
    .type('html')
    .send(page(title, `<div class="error" id="dialog-error"><h1>${esc(title)}</h1><p>${esc(message)}</p></div>`));
}

function withParams(redirectUri: string, params: Record<string, string>): string {
  const q = new URLSearchParams(params).toString();
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${q}#_=_`;
}

export function dialogRoutes(state: SandboxState): Router {
  const router = Router();

  /** Returns the validated dialog parameters, or renders Meta's "no redirect" error page. */
  const validate = (p: Record<string, string>, res: Response): boolean => {
    if (p.client_id !== state.app.id) {
      errorPage(res, 'Invalid App ID', 'The provided app ID does not look like a valid app ID.');
      return false;
    }
    if (!p.redirect_uri || !state.app.redirectUris.includes(p.redirect_uri)) {
      errorPage(
        res,
        'URL blocked',
        "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
      );
      return false;
    }
    if (p.config_id !== undefined && !state.app.loginConfigs.has(p.config_id)) {
      errorPage(res, 'Invalid configuration', `Configuration ${p.config_id} does not exist for this app.`);
      return false;
    }
    return true;
  };

  /** What the dialog asks for: the Login for Business configuration's permissions, else `scope`. */
  const requestedOf = (p: Record<string, string>): string[] =>
    p.config_id !== undefined ? (state.app.loginConfigs.get(p.config_id) ?? []) : list(p.scope);

  const deny = (res: Response, p: Record<string, string>): void => {
    res.redirect(
      302,
      withParams(p.redirect_uri, {
        error: 'access_denied',
        error_code: '200',
        error_description: 'Permissions error',
        error_reason: 'user_denied',
        ...(p.state !== undefined ? { state: p.state } : {}),
      }),
    );
  };

  const approve = (res: Response, p: Record<string, string>, userId: string, pageIds: string[], declined: string[]): void => {
    const user = state.users.get(userId);
    if (!user) {
      errorPage(res, 'Unknown test user', `There is no sandbox user with id ${userId}.`);
      return;
    }
    const foreign = pageIds.filter((id) => !state.pages.get(id)?.roles.has(userId));
    if (foreign.length) {
      errorPage(res, 'Page not available', `${user.name} has no role on Page(s) ${foreign.join(', ')}.`);
      return;
    }
    if (p.config_id !== undefined && declined.length) {
      errorPage(res, 'Permissions required', 'This app needs every permission it asks for; approve all of them or cancel.');
      return;
    }
    const grant = state.approve({ userId, requested: requestedOf(p), declinedByUser: declined, pageIds, authType: p.auth_type });
    const code = state.issueCode(userId, p.redirect_uri);
    const params: Record<string, string> = { code: code.value };
    if (p.response_type?.includes('granted_scopes')) {
      params.granted_scopes = [...grant.granted].join(',');
      params.denied_scopes = [...grant.declined].join(',');
    }
    if (p.state !== undefined) params.state = p.state;
    res.redirect(302, withParams(p.redirect_uri, params));
  };

  router.get('/dialog/oauth', (req, res) => {
    const p = requestParams(req);
    if (!validate(p, res)) return;

    if (p.sandbox_auto === 'deny') return deny(res, p);
    if (p.sandbox_auto === 'approve') {
      const userId = p.sandbox_user ?? state.users.keys().next().value ?? '';
      const pageIds =
        p.sandbox_pages !== undefined
          ? list(p.sandbox_pages)
          : [...state.pages.values()].filter((pg) => pg.roles.has(userId)).map((pg) => pg.id);
      return approve(res, p, userId, pageIds, list(p.sandbox_decline));
    }

    const requested = ['public_profile', ...requestedOf(p).filter((s) => s !== 'public_profile')];
    const business = p.config_id !== undefined;
    const hidden = DIALOG_PARAMS.filter((k) => p[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${esc(p[k])}">`)
      .join('');
    const users = [...state.users.values()];
    const userInputs = users
      .map(
        (u, i) =>
          `<label><input type="radio" name="user" value="${esc(u.id)}" id="user-${esc(u.id)}"${i === 0 ? ' checked' : ''}> ${esc(u.name)} <span class="hint">${esc(u.id)}</span></label>`,
      )
      .join('');
    const pageGroups = users
      .map((u) => {
        const pages = [...state.pages.values()].filter((pg) => pg.roles.has(u.id));
        if (!pages.length) return '';
        const prior = state.grantFor(state.app.id, u.id);
        const reused = prior && p.auth_type !== 'reauthorize';
        const boxes = pages
          .map((pg) => {
            const ig = pg.instagramId ? state.igAccounts.get(pg.instagramId) : undefined;
            const checked = reused ? prior.pageIds.includes(pg.id) : true;
            return `<label><input type="checkbox" name="pages" value="${esc(pg.id)}" id="page-${esc(pg.id)}"${checked ? ' checked' : ''}> ${esc(pg.name)} <span class="hint">${ig ? `@${esc(ig.username)}` : 'no Instagram account'}</span></label>`;
          })
          .join('');
        const note = reused ? '<p class="badge">Previous selection is reused (send auth_type=reauthorize to change it).</p>' : '';
        return `<fieldset data-user="${esc(u.id)}"><legend>Pages of ${esc(u.name)}</legend>${note}${boxes}</fieldset>`;
      })
      .join('');
    const permInputs = requested
      .map((perm) => {
        const locked = perm === 'public_profile' || business;
        const hint =
          perm === 'public_profile'
            ? ' <span class="hint">(always granted)</span>'
            : business
              ? ' <span class="hint">(required)</span>'
              : '';
        // a disabled box is not submitted: Login for Business sends the required ones as hidden fields
        const carried =
          business && perm !== 'public_profile' ? `<input type="hidden" name="permissions" value="${esc(perm)}">` : '';
        return `<label><input type="checkbox" name="permissions" value="${esc(perm)}" id="perm-${esc(perm)}" checked${locked ? ' disabled' : ''}> ${esc(perm)}${hint}</label>${carried}`;
      })
      .join('');
    res.type('html').send(
      page(
        'Log in with Facebook (sandbox)',
        `<h1>AutoReels Sandbox wants to connect</h1>
<p>This is the Meta Graph sandbox. Choose a test user, the Pages to share and the permissions to grant.</p>
<form method="post" action="${esc(`/${res.locals.version as string}/dialog/oauth/confirm`)}" id="consent">${hidden}
<fieldset><legend>Continue as</legend>${userInputs}</fieldset>
<h2>Pages</h2><p class="hint">Only the ticked Pages of the chosen user are shared.</p>${pageGroups}
<fieldset><legend>Permissions</legend>${permInputs}</fieldset>
<div class="actions"><button type="submit" name="action" value="cancel" id="cancel" formnovalidate>Cancel</button><button type="submit" name="action" value="approve" id="approve">Approve</button></div>
</form>`,
      ),
    );
  });

  router.post('/dialog/oauth/confirm', (req, res) => {
    const p = requestParams(req);
    if (!validate(p, res)) return;
    if (p.action !== 'approve') return deny(res, p);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const userId = p.user ?? '';
    // Pages of other users may be ticked on the shared form: keep only the chosen user's.
    const pageIds = list(body.pages).filter((id) => state.pages.get(id)?.roles.has(userId));
    const ticked = new Set(list(body.permissions));
    const declined = requestedOf(p).filter((perm) => perm !== 'public_profile' && !ticked.has(perm));
    approve(res, p, userId, pageIds, declined);
  });

  return router;
}
