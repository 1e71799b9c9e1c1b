import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiQuery, ApiResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { ErrorBodyDto } from '../../common/errors/error-body.dto';
import { CurrentUser, type AuthUser } from '../auth/auth.decorators';
import { AlertsService } from './alerts.service';
import type { AlertEntity } from './alert.entity';

export class AlertDto {
  @ApiProperty({ example: 3 }) id: number;
  @ApiProperty({ example: 12, nullable: true, type: Number }) account_id: number | null;
  @ApiProperty({ example: 'acme.coffee', nullable: true, type: String }) instagram_username: string | null;
  @ApiProperty({ enum: ['expiring', 'expired', 'token_invalid', 'revoked', 'webhook_disabled'], example: 'expiring' })
  kind: string;
  @ApiProperty({ example: 14, nullable: true, type: Number }) threshold_days: number | null;
  @ApiProperty({ example: "@acme.coffee's Facebook access ends on 10 Jan 2027 …" }) message: string;
  @ApiProperty({ example: '2027-01-10T08:00:00.000Z', nullable: true, type: String }) token_expires_at: string | null;
  @ApiProperty({ example: '2026-11-27T08:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: null, nullable: true, type: String }) read_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) emailed_at: string | null;
}

export class AlertListDto {
  @ApiProperty({ type: [AlertDto] }) alerts: AlertDto[];
}

function toAlertDto(a: AlertEntity): AlertDto {
  return {
    id: a.id,
    account_id: a.accountId,
    instagram_username: a.account?.instagramUsername ?? null,
    kind: a.kind,
    threshold_days: a.thresholdDays,
    message: a.message,
    token_expires_at: a.tokenExpiresAt?.toISOString() ?? null,
    created_at: a.createdAt.toISOString(),
    read_at: a.readAt?.toISOString() ?? null,
    emailed_at: a.emailedAt?.toISOString() ?? null,
  };
}

@ApiTags('alerts')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'AUTH_REQUIRED / AUTH_TOKEN_INVALID', type: ErrorBodyDto })
@Controller('social/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Your in-app alerts (newest first)' })
  @ApiQuery({ name: 'unread', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ type: AlertListDto })
  async list(@CurrentUser() user: AuthUser, @Query('unread') unread?: string): Promise<AlertListDto> {
    return { alerts: (await this.alerts.list(user.id, unread === 'true')).map(toAlertDto) };
  }

  @Post(':id/read')
  @ApiOperation({ summary: 'Mark an alert as read' })
  @HttpCode(200)
  @ApiOkResponse({ type: AlertDto })
  @ApiResponse({ status: 404, description: 'ALERT_NOT_FOUND', type: ErrorBodyDto })
  async read(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseIntPipe({ exceptionFactory: () => new DomainError(ErrorCode.ALERT_NOT_FOUND, 'No such alert.') }))
    id: number,
  ): Promise<AlertDto> {
    return toAlertDto(await this.alerts.markRead(user.id, id));
  }
}
