import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { toErrorBody } from '../../common/errors/all-exceptions.filter';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { bearerToken } from '../auth/guards/jwt-auth.guard';
import { SessionAuthenticator } from '../auth/session-authenticator';
import { NOTIFICATIONS_QUEUE, TOKEN_MAINTENANCE_QUEUE, WEBHOOK_DELIVERIES_QUEUE } from '../queue/queue.constants';
import { DATA_DELETION_QUEUE } from '../webhooks/webhooks.constants';

export const BULL_BOARD_PATH = '/admin/queues';

function deny(res: Response, err: unknown): void {
  const body = toErrorBody(err);
  res.status(body.statusCode).json(body);
}

/**
 * Raw express middleware sits outside the global JwtAuthGuard, so the board gets its own check:
 * a valid bearer token of an existing user whose current role in PostgreSQL (read fresh, not
 * from the token or the cache) is admin, else 401/403 in the usual error envelope.
 */
export function adminOnly(sessions: SessionAuthenticator) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req);
    if (!token) return deny(res, new DomainError(ErrorCode.AUTH_REQUIRED, 'Sign in first: this route needs a bearer token.'));
    sessions.authenticate(token, { fresh: true }).then(
      (user) => {
        if (user.role !== 'admin')
          return deny(res, new DomainError(ErrorCode.FORBIDDEN, 'You do not have access to this resource.'));
        next();
      },
      (err: unknown) => deny(res, err),
    );
  };
}

/** Mounts Bull Board at /admin/queues (admins only); a no-op when the app has no queues (not the api role). */
export function mountBullBoard(app: NestExpressApplication): void {
  let queues: Queue[];
  let sessions: SessionAuthenticator;
  try {
    queues = [TOKEN_MAINTENANCE_QUEUE, NOTIFICATIONS_QUEUE, DATA_DELETION_QUEUE, WEBHOOK_DELIVERIES_QUEUE].map((name) =>
      app.get<Queue>(getQueueToken(name), { strict: false }),
    );
    sessions = app.get(SessionAuthenticator, { strict: false });
  } catch {
    return;
  }
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  app.use(BULL_BOARD_PATH, adminOnly(sessions), serverAdapter.getRouter());
}
