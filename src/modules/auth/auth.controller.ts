import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, Public, type AuthUser } from './auth.decorators';
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
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiResponse({ status: 401, description: 'INVALID_CREDENTIALS', type: ErrorBodyDto })
  @ApiResponse({ status: 429, description: 'RATE_LIMITED', type: ErrorBodyDto })
  login(@Body() dto: CredentialsDto): Promise<AccessTokenDto> {
    return this.auth.login(dto);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserDto })
  @ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }
}
