import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { ConnectService } from '../social/connect.service';
import { ReconnectLinkService } from './reconnect-link.service';

/** Following a reconnect link: where the browser goes next (the dialog, or the settings page with an error). */
@Injectable()
export class ReconnectFlowService {
  private readonly logger = new Logger(ReconnectFlowService.name);

  constructor(
    private readonly links: ReconnectLinkService,
    private readonly connect: ConnectService,
    private readonly config: AppConfig,
  ) {}

  async follow(token: string): Promise<string> {
    const invalid = `${this.config.frontendUrl}/settings/social-accounts?error=${ErrorCode.RECONNECT_LINK_INVALID}`;
    const link = await this.links.resolve(token);
    if (!link) return invalid;
    try {
      // Each GET: a fresh single-use state bound to the link's user and account, exactly as "Reconnect"
      // in Settings. The callback then needs that user's sign-in, so a forwarded mail or a scanner
      // that follows the link cannot connect anything.
      return (await this.connect.startRenewal(link.userId, link.accountId)).login_url;
    } catch (err) {
      this.logger.warn(
        { accountId: link.accountId, err: err instanceof Error ? err.message : String(err) },
        'reconnect link for a missing account',
      );
      return invalid;
    }
  }
}
