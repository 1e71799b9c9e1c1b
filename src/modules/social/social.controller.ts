import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { ChangesState, CurrentUser, OptionalUser, type AuthUser } from '../auth/auth.decorators';
import { Disconnect } from '../connections/use-cases/disconnect.use-case';
import { AccountsService } from './accounts.service';
import { CallbackResponder, CLIENT_INSTAGRAM_CALLBACK_PATH } from './callback-responder';
import { ConnectService } from './connect.service';
import { DisconnectResultDto, StatusDto } from './dto/account.dto';
import { CallbackResultDto, LoginRequestDto, LoginUrlDto, SelectRequestDto, type CallbackQuery } from './dto/connect.dto';

/** The seed's routes, exactly: connect, callback, status, disconnect (refresh: refresh.controller.ts). */
@ApiTags('social')
@ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
@Controller('social')
export class SocialController {
  constructor(
    private readonly connect: ConnectService,
    private readonly accounts: AccountsService,
    private readonly disconnectAccount: Disconnect,
    private readonly responder: CallbackResponder,
  ) {}

  @Post('facebook/login')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Start Facebook Login: the dialog URL and its single-use state' })
  @ApiOkResponse({ type: LoginUrlDto })
  @ApiResponse({ status: 404, description: 'ACCOUNT_NOT_FOUND (account_id not yours)', type: ErrorBodyDto })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED (account_id must be a positive integer)', type: ErrorBodyDto })
  login(@CurrentUser() user: AuthUser, @Body() dto: LoginRequestDto): Promise<LoginUrlDto> {
    return this.connect.startLogin(user.id, dto.account_id);
  }

  @OptionalUser()
  @ChangesState()
  @Get('facebook/callback')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'OAuth callback: completes the login for the user who started it (Facebook redirects here, or the client forwards the query)',
    description:
      'Exchanges the code only with the bearer of the user who started the flow (RFC 9700 §4.7). ' +
      'With `Accept: application/json` answers JSON, and 401 `AUTH_REQUIRED` without a bearer. ' +
      'A browser navigation without a bearer is redirected to `${FRONTEND_URL}/settings/social-accounts/callback` with the same query, ' +
      'where the client asks for sign-in and completes it; with a bearer it is redirected to the settings page with `?connected=1` or `?error=<CODE>`. ' +
      "Another user's bearer is a 400 `OAUTH_STATE_INVALID` and nothing is exchanged. A second hit of a state that succeeded answers the same result again, to its owner only.",
  })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: true })
  @ApiQuery({ name: 'error', required: false, example: 'access_denied' })
  @ApiQuery({ name: 'error_reason', required: false, example: 'user_denied' })
  @ApiQuery({ name: 'error_code', required: false, example: '200' })
  @ApiQuery({ name: 'error_description', required: false, example: 'Permissions error' })
  @ApiOkResponse({ type: CallbackResultDto })
  @ApiResponse({
    status: 302,
    description: 'Browser navigation: to the client callback page (no bearer) or back to the settings page',
  })
  @ApiResponse({
    status: 400,
    description:
      "OAUTH_STATE_INVALID (also another user's state), OAUTH_STATE_EXPIRED, OAUTH_DENIED, OAUTH_CODE_INVALID, PERMISSIONS_DECLINED",
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 401, description: 'AUTH_REQUIRED (no bearer, JSON), AUTH_TOKEN_INVALID', type: ErrorBodyDto })
  @ApiResponse({ status: 404, description: 'ACCOUNT_NOT_FOUND: the account being renewed no longer exists', type: ErrorBodyDto })
  @ApiResponse({
    status: 409,
    description: 'WRONG_INSTAGRAM_ACCOUNT: a renewal came back with another Instagram account; nothing changed',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 422, description: 'NO_INSTAGRAM_ACCOUNT', type: ErrorBodyDto })
  @ApiResponse({ status: 502, description: 'META_UNAVAILABLE, META_REQUEST_FAILED', type: ErrorBodyDto })
  callback(
    @Query() query: CallbackQuery,
    @Headers('accept') accept: string | undefined,
    @CurrentUser() user: AuthUser | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CallbackResultDto | undefined> {
    return this.responder.respond((userId) => this.connect.handleCallback(query, userId), user?.id, accept, req, res);
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

  @Post('instagram/login')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Start Instagram Login (no Facebook Page needed): the Instagram dialog URL and its single-use state',
    description:
      'For professional (Business or Creator) Instagram accounts. `account_id` renews that Instagram-Login account (the dialog re-asks for the Instagram login). ' +
      "The state is bound like Facebook Login's (DESIGN.md section 7) and only `GET /social/instagram/callback` completes it.",
  })
  @ApiOkResponse({ type: LoginUrlDto })
  @ApiResponse({
    status: 404,
    description: 'ACCOUNT_NOT_FOUND (account_id not yours), INSTAGRAM_LOGIN_DISABLED (no Instagram app in production)',
    type: ErrorBodyDto,
  })
  instagramLogin(@CurrentUser() user: AuthUser, @Body() dto: LoginRequestDto): Promise<LoginUrlDto> {
    return this.connect.startInstagramLogin(user.id, dto.account_id);
  }

  @OptionalUser()
  @ChangesState()
  @Get('instagram/callback')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Instagram Login callback: completes the login for the user who started it (one account per login, no picker)',
    description:
      'Same bearer rules as the Facebook callback: the code is exchanged only with the bearer of the user who started the flow. ' +
      'With `Accept: application/json` answers JSON, and 401 `AUTH_REQUIRED` without a bearer. ' +
      'A browser navigation without a bearer is redirected to `${FRONTEND_URL}/settings/social-accounts/callback/instagram` with the same query. ' +
      "Another user's bearer, or a state started for Facebook Login, is a 400 `OAUTH_STATE_INVALID`. The `#_` Instagram appends to the code is stripped. " +
      "Instagram's denial carries no state: it is a 400 `OAUTH_DENIED` and nothing is exchanged. A personal (non-professional) account is a 422 `NO_INSTAGRAM_ACCOUNT`.",
  })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false, example: 'access_denied' })
  @ApiQuery({ name: 'error_reason', required: false, example: 'user_denied' })
  @ApiQuery({ name: 'error_description', required: false, example: 'The user denied your request' })
  @ApiOkResponse({ type: CallbackResultDto })
  @ApiResponse({
    status: 302,
    description: 'Browser navigation: to the client Instagram callback page (no bearer) or back to the settings page',
  })
  @ApiResponse({
    status: 400,
    description: 'OAUTH_STATE_INVALID, OAUTH_STATE_EXPIRED, OAUTH_DENIED, OAUTH_CODE_INVALID, PERMISSIONS_DECLINED',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 401, description: 'AUTH_REQUIRED (no bearer, JSON), AUTH_TOKEN_INVALID', type: ErrorBodyDto })
  @ApiResponse({ status: 404, description: 'ACCOUNT_NOT_FOUND: the account being renewed no longer exists', type: ErrorBodyDto })
  @ApiResponse({
    status: 409,
    description: 'WRONG_INSTAGRAM_ACCOUNT: a renewal came back with another Instagram account; nothing changed',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 422, description: 'NO_INSTAGRAM_ACCOUNT: a personal account cannot connect', type: ErrorBodyDto })
  @ApiResponse({ status: 502, description: 'META_UNAVAILABLE, META_REQUEST_FAILED', type: ErrorBodyDto })
  instagramCallback(
    @Query() query: CallbackQuery,
    @Headers('accept') accept: string | undefined,
    @CurrentUser() user: AuthUser | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CallbackResultDto | undefined> {
    return this.responder.respond(
      (userId) => this.connect.handleCallback(query, userId, 'instagram'),
      user?.id,
      accept,
      req,
      res,
      CLIENT_INSTAGRAM_CALLBACK_PATH,
    );
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
    return this.disconnectAccount.execute(user.id, 'default');
  }
}
