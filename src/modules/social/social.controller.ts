import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, Public, type AuthUser } from '../auth/auth.decorators';
import { AccountsService } from './accounts.service';
import { CallbackResponder } from './callback-responder';
import { ConnectService } from './connect.service';
import { DisconnectResultDto, StatusDto } from './dto/account.dto';
import { CallbackResultDto, LoginRequestDto, LoginUrlDto, SelectRequestDto, type CallbackQuery } from './dto/connect.dto';

/** The seed's routes, exactly: connect, callback, status, disconnect (refresh lives with maintenance). */
@ApiTags('social')
@Controller('social')
export class SocialController {
  constructor(
    private readonly connect: ConnectService,
    private readonly accounts: AccountsService,
    private readonly responder: CallbackResponder,
  ) {}

  @Post('facebook/login')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Start Facebook Login: the dialog URL and its single-use state' })
  @ApiOkResponse({ type: LoginUrlDto })
  @ApiResponse({ status: 404, description: 'ACCOUNT_NOT_FOUND (account_id not yours)', type: ErrorBodyDto })
  login(@CurrentUser() user: AuthUser, @Body() dto: LoginRequestDto): Promise<LoginUrlDto> {
    return this.connect.startLogin(user.id, dto.account_id);
  }

  @Public()
  @Get('facebook/callback')
  @ApiOperation({
    summary: 'OAuth callback (Facebook redirects here, or the client forwards the query)',
    description:
      'With `Accept: application/json` answers JSON; a browser navigation is redirected to the settings page with `?connected=1` or `?error=<CODE>`. ' +
      'The state identifies the user; a Bearer token, when sent, must belong to the same user. A second hit of a state that succeeded answers the same result again.',
  })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: true })
  @ApiQuery({ name: 'error', required: false, example: 'access_denied' })
  @ApiQuery({ name: 'error_reason', required: false, example: 'user_denied' })
  @ApiQuery({ name: 'error_code', required: false, example: '200' })
  @ApiQuery({ name: 'error_description', required: false, example: 'Permissions error' })
  @ApiOkResponse({ type: CallbackResultDto })
  @ApiResponse({ status: 302, description: 'Browser navigation: back to the settings page' })
  @ApiResponse({
    status: 400,
    description: 'OAUTH_STATE_INVALID, OAUTH_STATE_EXPIRED, OAUTH_DENIED, OAUTH_CODE_INVALID, PERMISSIONS_DECLINED',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 422, description: 'NO_INSTAGRAM_ACCOUNT', type: ErrorBodyDto })
  @ApiResponse({ status: 502, description: 'META_UNAVAILABLE, META_REQUEST_FAILED', type: ErrorBodyDto })
  callback(
    @Query() query: CallbackQuery,
    @Headers('accept') accept: string | undefined,
    @CurrentUser() user: AuthUser | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CallbackResultDto | undefined> {
    return this.responder.respond(this.connect.handleCallback(query, user?.id), accept, query.state, res);
  }

  @Post('facebook/select')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Pick which of the offered Instagram accounts to connect (within the same ten minutes)' })
  @ApiOkResponse({ type: CallbackResultDto })
  @ApiResponse({ status: 400, description: 'SELECTION_INVALID, OAUTH_STATE_INVALID, OAUTH_STATE_EXPIRED', type: ErrorBodyDto })
  select(@CurrentUser() user: AuthUser, @Body() dto: SelectRequestDto): Promise<CallbackResultDto> {
    return this.connect.select(user.id, dto.state, dto.ig_user_ids);
  }

  @Get('status')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The default account's connection, truthfully (not connected is a 200 with is_connected: false)" })
  @ApiOkResponse({ type: StatusDto })
  status(@CurrentUser() user: AuthUser): Promise<StatusDto> {
    return this.accounts.status(user.id);
  }

  @Delete('disconnect')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Disconnect the default account: revoke at Facebook when no other connection needs it, delete the tokens',
  })
  @ApiOkResponse({ type: DisconnectResultDto })
  disconnect(@CurrentUser() user: AuthUser): Promise<DisconnectResultDto> {
    return this.accounts.disconnectDefault(user.id);
  }
}
