import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import type { CallbackResultDto } from './dto/connect.dto';

/**
 * The callback answers two audiences: JSON for the Angular client (Accept: application/json),
 * a redirect to the settings page for a browser that Facebook sent straight to the API. The
 * redirect target is built from FRONTEND_URL only: no open redirect.
 */
@Injectable()
export class CallbackResponder {
  constructor(private readonly config: AppConfig) {}

  async respond(
    work: Promise<CallbackResultDto>,
    accept: string | undefined,
    state: string | undefined,
    res: Response,
  ): Promise<CallbackResultDto | undefined> {
    if (accept?.includes('application/json')) return work;
    const base = `${this.config.frontendUrl}/settings/social-accounts`;
    try {
      const result = await work;
      res.redirect(
        302,
        result.status === 'needs_selection' && state
          ? `${base}/callback?state=${encodeURIComponent(state)}`
          : `${base}?connected=1`,
      );
    } catch (err) {
      const code = err instanceof DomainError ? err.code : ErrorCode.INTERNAL_ERROR;
      res.redirect(302, `${base}?error=${code}`);
    }
    return undefined;
  }
}
