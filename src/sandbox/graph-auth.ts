import type { Request } from 'express';
import {
  SandboxGraphError,
  cannotParseToken,
  dataAccessExpired,
  missingToken,
  missingTokenOnMe,
  permissionRequired,
  proofInvalid,
  proofMissing,
  tokenError,
} from './errors';
import { tokenFrom } from './request-context';
import type { SandboxState, SandboxToken } from './sandbox-state';
import { appSecretProof, safeEqual } from './sandbox-state';

export interface GraphAuth {
  /** Validates the caller's token the way Meta does; see graph-api.md §0, §8, §9. */
  authenticate: (req: Request, params: Record<string, string>, onMe?: boolean) => SandboxToken;
  /** Permission-gated calls fail once data access lapsed, then with #200 for a missing permission. */
  requirePermissions: (token: SandboxToken, perms: string[]) => void;
}

/** Token checks shared by every Graph route (connect flow and Reels publishing). */
export function graphAuth(state: SandboxState): GraphAuth {
  const authenticate = (req: Request, params: Record<string, string>, onMe = false): SandboxToken => {
    const value = tokenFrom(req, params);
    if (!value) throw onMe ? missingTokenOnMe() : missingToken();
    const token = state.findToken(value);
    if (!token) {
      if (value.includes('|')) {
        throw new SandboxGraphError(400, { message: 'Invalid OAuth access token signature.', code: 190 }, 'invalid_token');
      }
      throw value.startsWith('EAA') && value.length > 40 ? tokenError(undefined) : cannotParseToken();
    }
    if (token.type !== 'APP') {
      const proof = params.appsecret_proof;
      if (proof !== undefined && !safeEqual(proof, appSecretProof(state.app.secret, value))) throw proofInvalid();
      if (proof === undefined && state.settings.requireAppSecretProof) throw proofMissing();
    }
    const problem = state.tokenProblem(token);
    if (problem !== undefined)
      throw tokenError(problem, { appId: token.appId, expiresAt: token.expiresAt, now: state.nowSeconds() });
    return token;
  };

  const requirePermissions = (token: SandboxToken, perms: string[]): void => {
    if (state.dataAccessExpired(token)) throw dataAccessExpired();
    const scopes = new Set(state.scopesOf(token));
    const missing = perms.filter((p) => !scopes.has(p));
    if (missing.length) throw permissionRequired(missing);
  };

  return { authenticate, requirePermissions };
}
