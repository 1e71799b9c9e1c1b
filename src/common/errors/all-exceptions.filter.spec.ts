import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { toErrorBody } from './all-exceptions.filter';
import { DomainError } from './domain-error';
import { ErrorCode, statusOf } from './error-codes';

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
  ])('should map %s to %s %s', (_name, error, status, code) => {
    const body = toErrorBody(error);
    expect(body.statusCode).toBe(status);
    expect(body.code).toBe(code);
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
