import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { OwnAuthorization } from '../auth/auth.decorators';
import { LifecycleMetrics } from './lifecycle-metrics';
import { metricsAccess } from './metrics-access';

/**
 * Prometheus scrape endpoint. Not a user route: with METRICS_TOKEN set it needs
 * `Authorization: Bearer <METRICS_TOKEN>`; without it, it is open in development/test and a 404 in
 * production (use the token, or scrape the worker's WORKER_METRICS_PORT on an internal network).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: LifecycleMetrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @OwnAuthorization() // the bearer here is METRICS_TOKEN, not a user's token
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    switch (metricsAccess(this.config, req)) {
      case 'not_found':
        throw new DomainError(ErrorCode.NOT_FOUND, 'No such route.');
      case 'token_required':
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new DomainError(ErrorCode.AUTH_REQUIRED, 'This route needs the metrics bearer token.');
      case 'token_invalid':
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics", error="invalid_token"');
        throw new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'The metrics bearer token is not valid.');
      case 'ok':
        res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
    }
  }
}
