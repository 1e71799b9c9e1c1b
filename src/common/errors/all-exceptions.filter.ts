import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Response } from 'express';
import { DomainError } from './domain-error';
import { ErrorCode, statusOf } from './error-codes';

interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  [extra: string]: unknown;
}

/** Connection-level failures of PostgreSQL or Redis: the service is unavailable, not broken. */
function isInfrastructureDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001'].includes(String(code)) ||
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection terminated|Connection is closed|connect ECONNREFUSED|Stream isn't writeable|timeout exceeded when trying to connect|max retries per request/i.test(
      err.message,
    )
  );
}

/** Nest's built-in HTTP exceptions (routing, guards) onto our stable codes. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PAYLOAD_TOO_LARGE,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UNSUPPORTED_ENCODING,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.AUTH_REQUIRED,
  [HttpStatus.FORBIDDEN]: ErrorCode.FORBIDDEN,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RATE_LIMITED,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.SERVICE_UNAVAILABLE,
};

function codeForHttpStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? (status < 500 ? ErrorCode.VALIDATION_FAILED : ErrorCode.INTERNAL_ERROR);
}

/** body-parser (http-errors) `type`s: their own status, our code and a sentence (never its message). */
const BODY_PARSER_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  'entity.too.large': { code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body is too large.' },
  'parameters.too.many': { code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body has too many parameters.' },
  'entity.parse.failed': { code: ErrorCode.MALFORMED_JSON, message: 'The request body is not valid JSON.' },
  'encoding.unsupported': {
    code: ErrorCode.UNSUPPORTED_ENCODING,
    message: 'The Content-Encoding of the request body is not supported (gzip, deflate, br or none).',
  },
  'charset.unsupported': { code: ErrorCode.UNSUPPORTED_ENCODING, message: 'The charset of the request body is not supported.' },
  'request.aborted': { code: ErrorCode.MALFORMED_BODY, message: 'The request body was cut short.' },
  'request.size.invalid': { code: ErrorCode.MALFORMED_BODY, message: 'The request body does not match its Content-Length.' },
};

/**
 * The 4xx an error carries itself and says is the client's (http-errors' `expose`, set by
 * body-parser), or Express's router's URIError for an undecodable path parameter. Such an
 * error keeps its status and is never a 500. A bare `status` is not enough: an upstream HTTP
 * client's error carries the upstream's status, which is no fault of our client's.
 */
function clientErrorStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null || exception instanceof HttpException) return undefined;
  const { status, statusCode, expose } = exception as { status?: unknown; statusCode?: unknown; expose?: unknown };
  if (expose !== true && !(exception instanceof URIError)) return undefined;
  const s = typeof status === 'number' ? status : statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 500 ? s : undefined;
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    return { ...exception.details, statusCode: statusOf(exception.code), code: exception.code, message: exception.message };
  }
  if (exception instanceof ThrottlerException) {
    return { statusCode: 429, code: ErrorCode.RATE_LIMITED, message: 'Too many requests; try again in a minute.' };
  }
  const status = clientErrorStatus(exception);
  if (status !== undefined) {
    if (exception instanceof URIError) {
      return { statusCode: status, code: ErrorCode.VALIDATION_FAILED, message: 'The URL has a malformed percent-encoding.' };
    }
    // body-parser errors arrive as plain errors carrying `type` and `status`
    const known = BODY_PARSER_ERRORS[String((exception as { type?: unknown }).type)];
    if (known) return { statusCode: status, ...known };
    // e.g. a corrupt gzip stream (400, no type): the body could not be read
    if (status === 400)
      return { statusCode: 400, code: ErrorCode.MALFORMED_BODY, message: 'The request body could not be read.' };
    return { statusCode: status, code: codeForHttpStatus(status), message: 'The request was refused.' };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Nest re-throws body-parser's SyntaxError as a bare BadRequestException
    if (status === 400 && /JSON|Unexpected token|Unexpected end|Expected/i.test(exception.message)) {
      return { statusCode: 400, code: ErrorCode.MALFORMED_JSON, message: 'The request body is not valid JSON.' };
    }
    const code = codeForHttpStatus(status);
    const message = status === 404 ? 'No such route.' : status === 413 ? 'The request body is too large.' : exception.message;
    const response = exception.getResponse();
    // Terminus readiness failures keep their per-dependency report
    const report =
      typeof response === 'object' && response !== null && 'info' in response && 'error' in response
        ? { status: (response as { status?: unknown }).status, info: response.info, error: response.error }
        : {};
    return { ...report, statusCode: status, code, message };
  }
  if (isInfrastructureDown(exception)) {
    return {
      statusCode: 503,
      code: ErrorCode.SERVICE_UNAVAILABLE,
      message: 'A backing service is unavailable; please try again shortly.',
    };
  }
  return { statusCode: 500, code: ErrorCode.INTERNAL_ERROR, message: 'Something went wrong on our side.' };
}

/** The one place errors become HTTP: `{ statusCode, code, message }`, never a stack or a token. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      // name and message only: driver errors can echo query parameters
      this.logger.error({ err: { name: err.name, message: err.message.slice(0, 300) }, code: body.code }, 'request failed');
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }
}
