import { Controller, Get, Param, Redirect } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { ReconnectFlowService } from './reconnect-flow.service';

@ApiTags('social')
@Controller('social/reconnect')
export class ReconnectLinkController {
  constructor(private readonly flow: ReconnectFlowService) {}

  @Get(':token')
  @Public()
  @Redirect()
  @ApiOperation({
    summary: 'Follow the one-click reconnect link from an alert e-mail',
    description:
      'No sign-in needed (works straight from a mail client): the signed, single-use link (7 days) is bound to one account. ' +
      'Answers 302 to the Facebook dialog with a fresh state, or 302 to `${FRONTEND_URL}/settings/social-accounts?error=RECONNECT_LINK_INVALID` when the link is forged, used or expired.',
  })
  @ApiParam({ name: 'token', description: 'The token from the e-mail link' })
  @ApiResponse({
    status: 302,
    description: 'Location: the Facebook dialog, or the settings page with `error=RECONNECT_LINK_INVALID`',
  })
  async follow(@Param('token') token: string): Promise<{ url: string; statusCode: number }> {
    return { url: await this.flow.follow(token), statusCode: 302 };
  }
}
