import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { ErrorCode } from '../../common/errors/error-codes';
import { CurrentUser, Public, SessionOnly, type AuthUser } from './auth.decorators';
import { AuthService } from './auth.service';
import { AccessTokenDto, CredentialsDto, UserDto } from './dto/auth.dto';
import { AuthRateLimited } from './auth-throttle';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @AuthRateLimited()
  @Post('register')
  @ApiOperation({ summary: 'Create an account' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiResponse({ status: 409, description: 'EMAIL_TAKEN', type: ErrorBodyDto })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED', type: ErrorBodyDto })
  @ApiResponse({ status: 429, description: 'RATE_LIMITED', type: ErrorBodyDto })
  register(@Body() dto: CredentialsDto): Promise<UserDto> {
    return this.auth.register(dto);
  }

  @Public()
  @AuthRateLimited()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in',
    description:
      'Limited per IP (RATE_LIMITED) and per account: after LOGIN_MAX_FAILURES failed attempts for one e-mail ' +
      '(known or not) the account is locked for a doubling period (LOGIN_LOCKED, with Retry-After); a success resets it.',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiResponse({ status: 401, description: 'INVALID_CREDENTIALS', type: ErrorBodyDto })
  @ApiResponse({
    status: 429,
    description:
      'RATE_LIMITED (too many attempts from this IP) or LOGIN_LOCKED (too many failures for this account; body has retry_after)',
    type: ErrorBodyDto,
    headers: {
      'Retry-After': { description: 'LOGIN_LOCKED: seconds until the account may try again', schema: { type: 'integer' } },
    },
  })
  async login(@Body() dto: CredentialsDto, @Res({ passthrough: true }) res: Response): Promise<AccessTokenDto> {
    try {
      return await this.auth.login(dto);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.LOGIN_LOCKED) {
        const retryAfter = err.details?.retry_after;
        res.setHeader('Retry-After', typeof retryAfter === 'number' ? String(retryAfter) : '60');
      }
      throw err;
    }
  }

  @Get('me')
  @ApiOperation({ summary: 'Who the bearer is' })
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserDto })
  @ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }

  @Post('logout-all')
  @SessionOnly()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Sign out everywhere',
    description:
      "Invalidates every access token issued to the caller so far (this one included): the user's token version is bumped. " +
      'Takes effect at once on the instance that answers and within AUTH_USER_CACHE_MS (default 5 s) on the others. ' +
      'Sign in again for a new token.',
  })
  @ApiNoContentResponse({ description: 'Every token issued before this call is now invalid.' })
  @ApiResponse({ status: 403, description: 'API_KEY_NOT_ALLOWED: needs a session, not an API key', type: ErrorBodyDto })
  @ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
  logoutAll(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logoutAll(user.id);
  }
}
