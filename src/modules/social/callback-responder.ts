import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import type { CallbackResultDto } from './dto/connect.dto';

/** Where the client finishes a login: its callback page, which asks for sign-in when needed. */
export const CLIENT_CALLBACK_PATH = '/settings/social-accounts/callback';
/** The same page for Instagram Login (DESIGN.md section 9). */
export const CLIENT_INSTAGRAM_CALLBACK_PATH = '/settings/social-accounts/callback/instagram';

/**
 * The callback answers two audiences: JSON for the Angular client (Accept: application/json),
 * a redirect for a browser that Facebook sent straight to the API. Every redirect target is
 * built from FRONTEND_URL only: no open redirect.
 *
 * A code is exchanged only for the user who started the flow (DESIGN.md section 7, RFC 9700
 * §4.7): without a bearer nothing is exchanged. A JSON caller gets 401 AUTH_REQUIRED; a browser
 * (which cannot send a bearer on a navigation) is handed to the client's callback page with the
 * very same query, where the client asks for sign-in and completes the login with its bearer.
 */
@Injectable()
export class CallbackResponder {
  constructor(private readonly config: AppConfig) {}

  async respond(
    complete: (userId: number) => Promise<CallbackResultDto>,
    userId: number | undefined,
    accept: string | undefined,
    req: Request,
    res: Response,
    clientPath: string = CLIENT_CALLBACK_PATH,
  ): Promise<CallbackResultDto | undefined> {
    const q = req.originalUrl.indexOf('?');
    const rawQuery = q < 0 ? '' : req.originalUrl.slice(q + 1);
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    const wantsJson = accept?.includes('application/json') ?? false;
    if (userId === undefined) {
      if (wantsJson) {
        throw new DomainError(
          ErrorCode.AUTH_REQUIRED,
          'Sign in first: a login is completed only with the bearer of the user who started it.',
        );
      }
      res.redirect(302, `${this.config.frontendUrl}${clientPath}${rawQuery ? `?${rawQuery}` : ''}`);
      return undefined;
    }
    if (wantsJson) return complete(userId);
    const base = `${this.config.frontendUrl}/settings/social-accounts`;
    try {
      const result = await complete(userId);
      res.redirect(
        302,
        result.status === 'needs_selection' && state
          ? `${this.config.frontendUrl}${clientPath}?state=${encodeURIComponent(state)}`
          : `${base}?connected=1`,
      );
    } catch (err) {
      const code = err instanceof DomainError ? err.code : ErrorCode.INTERNAL_ERROR;
      res.redirect(302, `${base}?error=${code}`);
    }
    return undefined;
  }
}
