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
import { CurrentUser, type AuthUser } from '../auth/auth.decorators';
import {
  CreateWebhookEndpointDto,
  CreatedWebhookEndpointDto,
  WebhookDeliveriesDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
} from './dto/webhooks.dto';
import { WebhookEndpointsService } from './use-cases/webhook-endpoints.service';

const NOT_FOUND = { status: 404, description: 'WEBHOOK_ENDPOINT_NOT_FOUND (another user’s too)', type: ErrorBodyDto };

@ApiTags('webhooks (outbound)')
@ApiBearerAuth()
@Controller('integrations/webhooks')
export class IntegrationWebhooksController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description:
      'Deliveries are `POST url` with JSON `{ id, type, created_at, data }` and the headers X-AutoReels-Event, ' +
      'X-AutoReels-Delivery and `X-AutoReels-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. ' +
      'A 2xx within 10 s counts; otherwise retries back off exponentially from WEBHOOK_RETRY_INITIAL_MS for about a day, ' +
      'then the endpoint is disabled and you are alerted. The secret is shown once.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointDto })
  @ApiResponse({
    status: 400,
    description: 'VALIDATION_FAILED, or WEBHOOK_URL_REFUSED (production: not https, or a private/loopback/link-local target)',
    type: ErrorBodyDto,
  })
  @ApiResponse({ status: 409, description: 'WEBHOOK_ENDPOINT_LIMIT_REACHED', type: ErrorBodyDto })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointDto> {
    return this.endpoints.create(user.id, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List your webhook endpoints (never their secrets)' })
  @ApiOkResponse({ type: [WebhookEndpointDto] })
  list(@CurrentUser() user: AuthUser): Promise<WebhookEndpointDto[]> {
    return this.endpoints.list(user.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook endpoint (its pending deliveries stop)' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiResponse(NOT_FOUND)
  remove(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.endpoints.remove(user.id, id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a signed webhook.test event now',
    description: 'One attempt, no retries; answers with the logged delivery. A 2xx turns a disabled endpoint back on.',
  })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiResponse(NOT_FOUND)
  test(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number): Promise<WebhookDeliveryDto> {
    return this.endpoints.test(user.id, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Recent deliveries of an endpoint (newest first, at most 50)' })
  @ApiOkResponse({ type: WebhookDeliveriesDto })
  @ApiResponse(NOT_FOUND)
  deliveries(@CurrentUser() user: AuthUser, @Param('id', ParseIntPipe) id: number): Promise<WebhookDeliveriesDto> {
    return this.endpoints.deliveries(user.id, id);
  }
}
