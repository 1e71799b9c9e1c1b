import { Body, Controller, Delete, Get, Param, ParseIntPipe, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators';
import { Disconnect } from '../connections/use-cases/disconnect.use-case';
import { AccountsService } from './accounts.service';
import { AccountDto, AccountListDto, DisconnectResultDto, TokenEventListDto, UpdateAccountDto } from './dto/account.dto';

/** An id that is not a positive integer is simply an account that does not exist. */
export const AccountIdPipe = new ParseIntPipe({
  exceptionFactory: () => new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'No such Instagram account on your profile.'),
});

@ApiTags('accounts')
@ApiBearerAuth()
@ApiResponse({ status: 404, description: "ACCOUNT_NOT_FOUND (also for another user's id)", type: ErrorBodyDto })
@ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
@Controller('social/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly disconnectAccount: Disconnect,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every Instagram account on your profile (all but the ones you disconnected)' })
  @ApiOkResponse({ type: AccountListDto })
  async list(@CurrentUser() user: AuthUser): Promise<AccountListDto> {
    return { accounts: await this.accounts.list(user.id) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your connected accounts' })
  @ApiOkResponse({ type: AccountDto })
  get(@CurrentUser() user: AuthUser, @Param('id', AccountIdPipe) id: number): Promise<AccountDto> {
    return this.accounts.get(user.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Make this the default account' })
  @ApiOkResponse({ type: AccountDto })
  @ApiResponse({ status: 400, description: 'VALIDATION_FAILED (is_default can only be set to true)', type: ErrorBodyDto })
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', AccountIdPipe) id: number,
    @Body() _dto: UpdateAccountDto,
  ): Promise<AccountDto> {
    return this.accounts.makeDefault(user.id, id);
  }

  @Get(':id/events')
  @ApiOperation({ summary: "The account's history: connects, checks, refreshes, alerts, disconnects (newest first)" })
  @ApiOkResponse({ type: TokenEventListDto })
  events(@CurrentUser() user: AuthUser, @Param('id', AccountIdPipe) id: number): Promise<TokenEventListDto> {
    return this.accounts.history(user.id, id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Disconnect this account (revoke at Facebook unless another connection uses the same login)' })
  @ApiOkResponse({ type: DisconnectResultDto })
  disconnect(@CurrentUser() user: AuthUser, @Param('id', AccountIdPipe) id: number): Promise<DisconnectResultDto> {
    return this.disconnectAccount.execute(user.id, id);
  }
}
