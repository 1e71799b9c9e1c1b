import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode, statusOf } from '../../common/errors/error-codes';
import { AuthTokenService } from '../auth/auth-token.service';
import { bearerToken } from '../auth/guards/jwt-auth.guard';
import { NOTIFICATIONS_QUEUE, TOKEN_MAINTENANCE_QUEUE } from '../queue/queue.constants';
import { DATA_DELETION_QUEUE } from '../webhooks/webhooks.constants';

export const BULL_BOARD_PATH = '/admin/queues';

function deny(res: Response, code: ErrorCode, message: string): void {
  const statusCode = statusOf(code);
  res.status(statusCode).json({ statusCode, code, message });
}

/**
 * Raw express middleware sits outside the global JwtAuthGuard, so the board gets its own check:
 * a valid bearer JWT with role admin, else 401/403 in the usual error envelope.
 */
export function adminOnly(tokens: AuthTokenService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req);
    if (!token) return deny(res, ErrorCode.AUTH_REQUIRED, 'Sign in first: this route needs a bearer token.');
    try {
      const user = tokens.verify(token);
      if (user.role !== 'admin') return deny(res, ErrorCode.FORBIDDEN, 'You do not have access to this resource.');
    } catch (err) {
      if (err instanceof DomainError) return deny(res, err.code, err.message);
      return deny(res, ErrorCode.AUTH_TOKEN_INVALID, 'Your session is invalid or has expired; please sign in again.');
    }
    next();
  };
}

/** Mounts Bull Board at /admin/queues (admins only); a no-op when the app has no queues (not the api role). */
export function mountBullBoard(app: NestExpressApplication): void {
  let queues: Queue[];
  let tokens: AuthTokenService;
  try {
    queues = [TOKEN_MAINTENANCE_QUEUE, NOTIFICATIONS_QUEUE, DATA_DELETION_QUEUE].map((name) =>
      app.get<Queue>(getQueueToken(name), { strict: false }),
    );
    tokens = app.get(AuthTokenService, { strict: false });
  } catch {
    return;
  }
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  app.use(BULL_BOARD_PATH, adminOnly(tokens), serverAdapter.getRouter());
}
