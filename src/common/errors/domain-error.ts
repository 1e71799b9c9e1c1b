import { ErrorCode } from './error-codes';

/** The one error type services throw; the global filter turns it into `{ statusCode, code, message }`. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, non-secret fields merged into the error body (e.g. declined permissions). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
