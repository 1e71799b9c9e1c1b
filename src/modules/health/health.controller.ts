import { Controller, Get } from '@nestjs/common';
import { markNoDatabase, NoRateLimit } from '../../common/openapi/openapi-markers';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** Liveness: the process is up and serving; no dependency is consulted. */
  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up (no dependency is consulted)' })
  @markNoDatabase()
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis both answer. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis both answer' })
  @HealthCheck()
  @ApiOkResponse({
    schema: { example: { status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } }, error: {}, details: {} } },
  })
  @ApiServiceUnavailableResponse({
    schema: {
      example: {
        status: 'error',
        info: { database: { status: 'up' } },
        error: { redis: { status: 'down', message: 'unreachable' } },
      },
    },
  })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.redis.isHealthy('redis', 1500)]);
  }
}
