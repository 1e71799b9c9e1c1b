import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, SessionOnly, type AuthUser } from './auth.decorators';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

const SESSION_ONLY = {
  status: 403,
  description: 'API_KEY_NOT_ALLOWED: keys are managed with a signed-in session (a JWT), never with a key',
  type: ErrorBodyDto,
};

@ApiTags('api-keys')
@ApiBearerAuth()
@SessionOnly()
@Controller('auth/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The answer holds the key (`ark_…`) once; only its SHA-256 is stored. Send it as `Authorization: Bearer ark_…` ' +
      'wherever a JWT works (not on these routes, nor logout-all). A `["read"]` key gets 403 INSUFFICIENT_SCOPE on ' +
      'anything that changes state (every method but GET/HEAD/OPTIONS, and the OAuth callback).',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiResponse(SESSION_ONLY)
  @ApiResponse({ status: 409, description: 'API_KEY_LIMIT_REACHED', type: ErrorBodyDto })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(user.id, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List your API keys (never the keys themselves)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  @ApiResponse(SESSION_ONLY)
  list(@CurrentUser() user: AuthUser): Promise<ApiKeyDto[]> {
    return this.keys.list(user.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'At once on the instance that answers, within AUTH_USER_CACHE_MS (default 5 s) on the others.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiResponse(SESSION_ONLY)
  @ApiResponse({ status: 404, description: 'API_KEY_NOT_FOUND (another user’s key too)', type: ErrorBodyDto })
  revoke(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.keys.revoke(user.id, id);
  }
}
