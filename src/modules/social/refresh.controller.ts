import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators';
import { RefreshForUser } from '../connections/use-cases/refresh-for-user.use-case';
import { AccountIdPipe } from './accounts.controller';
import { RefreshResultDto } from './dto/account.dto';

@ApiTags('social')
@ApiBearerAuth()
@ApiResponse({ status: 502, description: 'META_UNAVAILABLE (nothing changed)', type: ErrorBodyDto })
@ApiResponse({ status: 429, description: 'META_RATE_LIMITED (nothing changed)', type: ErrorBodyDto })
@ApiResponse({ status: 409, description: 'REFRESH_IN_PROGRESS', type: ErrorBodyDto })
@ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
@Controller('social')
export class RefreshController {
  constructor(private readonly refreshForUser: RefreshForUser) {}

  @Post('refresh-token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check and refresh the default account now',
    description:
      'Probes both tokens, re-exchanges while valid and reports honestly whether the expiry moved (`extended`). Facebook does not extend a long-lived token by exchange: only passing its dialog again does.',
  })
  @ApiOkResponse({ type: RefreshResultDto })
  @ApiResponse({ status: 404, description: 'NOT_CONNECTED', type: ErrorBodyDto })
  refreshDefault(@CurrentUser() user: AuthUser): Promise<RefreshResultDto> {
    return this.refreshForUser.execute(user.id, 'default');
  }

  @Post('accounts/:id/refresh-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check and refresh one account now' })
  @ApiOkResponse({ type: RefreshResultDto })
  @ApiResponse({ status: 404, description: 'ACCOUNT_NOT_FOUND', type: ErrorBodyDto })
  refresh(@CurrentUser() user: AuthUser, @Param('id', AccountIdPipe) id: number): Promise<RefreshResultDto> {
    return this.refreshForUser.execute(user.id, id);
  }
}
