import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { toErrorBody } from './all-exceptions.filter';
import { DomainError } from './domain-error';
import { ErrorCode, statusOf } from './error-codes';

/** What body-parser hands on: an http-errors error with `status`, `expose` and `type`. */
function httpError(status: number, type?: string): Error {
  return Object.assign(new Error('unsupported content encoding "identity, gzip"'), {
    status,
    statusCode: status,
    expose: status < 500,
    type,
  });
}

describe('toErrorBody', () => {
  it.each([
    ['a DomainError', new DomainError(ErrorCode.EMAIL_TAKEN, 'taken'), 409, 'EMAIL_TAKEN'],
    ['a throttler rejection', new ThrottlerException(), 429, 'RATE_LIMITED'],
    ['an unknown route', new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
    ['an oversize body', new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE'],
    ['body-parser JSON syntax errors', new BadRequestException('Unexpected end of JSON input'), 400, 'MALFORMED_JSON'],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      503,
      'SERVICE_UNAVAILABLE',
    ],
    [
      'an ioredis retry exhaustion',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      503,
      'SERVICE_UNAVAILABLE',
    ],
    ['anything else', new TypeError('x is undefined'), 500, 'INTERNAL_ERROR'],
    ['an unsupported Content-Encoding', httpError(415, 'encoding.unsupported'), 415, 'UNSUPPORTED_ENCODING'],
    ['an unsupported charset', httpError(415, 'charset.unsupported'), 415, 'UNSUPPORTED_ENCODING'],
    ['too many form parameters', httpError(413, 'parameters.too.many'), 413, 'PAYLOAD_TOO_LARGE'],
    ['a body-parser oversize body', httpError(413, 'entity.too.large'), 413, 'PAYLOAD_TOO_LARGE'],
    ['a body-parser JSON syntax error', httpError(400, 'entity.parse.failed'), 400, 'MALFORMED_JSON'],
    ['an aborted body', httpError(400, 'request.aborted'), 400, 'MALFORMED_BODY'],
    ['a corrupt gzip stream (400, no type)', Object.assign(httpError(400), { code: 'Z_DATA_ERROR' }), 400, 'MALFORMED_BODY'],
    ['another exposed 4xx', httpError(405), 405, 'VALIDATION_FAILED'],
    ['an exposed 403', httpError(403, 'entity.verify.failed'), 403, 'FORBIDDEN'],
    [
      "the router's undecodable path parameter",
      Object.assign(new URIError('Failed to decode param'), { status: 400 }),
      400,
      'VALIDATION_FAILED',
    ],
    ['an undecodable query', new DomainError(ErrorCode.MALFORMED_QUERY, 'bad'), 400, 'MALFORMED_QUERY'],
    [
      'a body-parser 5xx (a server bug)',
      Object.assign(httpError(500, 'stream.not.readable'), { expose: false }),
      500,
      'INTERNAL_ERROR',
    ],
    [
      "an upstream client's 4xx, not exposed",
      Object.assign(new Error('Request failed with status code 400'), { status: 400 }),
      500,
      'INTERNAL_ERROR',
    ],
  ])('should map %s to %s %s', (_name, error, status, code) => {
    const body = toErrorBody(error);
    expect(body.statusCode).toBe(status);
    expect(body.code).toBe(code);
  });

  it("should never echo a body-parser error's own message", () => {
    expect(toErrorBody(httpError(415, 'encoding.unsupported')).message).not.toContain('identity');
  });

  it('should never echo an internal error message when the error is unknown', () => {
    expect(toErrorBody(new Error('password=hunter2 in query')).message).not.toContain('hunter2');
  });

  it('should keep the extra fields of a DomainError next to the envelope', () => {
    expect(toErrorBody(new DomainError(ErrorCode.PERMISSIONS_DECLINED, 'no', { declined: ['instagram_basic'] }))).toEqual({
      statusCode: 400,
      code: 'PERMISSIONS_DECLINED',
      message: 'no',
      declined: ['instagram_basic'],
    });
  });

  it.each(Object.values(ErrorCode))('should give %s a 4xx or 5xx status', (code) => {
    expect(statusOf(code)).toBeGreaterThanOrEqual(400);
    expect(statusOf(code)).toBeLessThan(600);
  });
});
