import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';

/**
 * One failure, atomically: count it (the counter lives for the window), and from the
 * LOGIN_MAX_FAILURES-th failure on set a lock of base * 2^(failures - max), capped. The counter
 * is kept until a window after the lock ends, so the next failure after a lock doubles it.
 * KEYS: failures, lock. ARGV: max failures, base lock ms, cap ms, window ms. Returns the lock ms (0: none).
 */
const RECORD_FAILURE = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
local window = tonumber(ARGV[4])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], window)
  ttl = window
end
local max = tonumber(ARGV[1])
if n < max then return 0 end
local cap = tonumber(ARGV[3])
local lock = cap
local exp = n - max
if exp < 40 then lock = math.min(cap, tonumber(ARGV[2]) * 2 ^ exp) end
lock = math.floor(lock)
redis.call('SET', KEYS[2], '1', 'PX', lock)
if ttl < lock + window then redis.call('PEXPIRE', KEYS[1], lock + window) end
return lock
`;

/**
 * Per-account login backoff (on top of the per-IP throttle): after LOGIN_MAX_FAILURES failed
 * logins for one e-mail within LOGIN_LOCK_MAX_SECONDS, that e-mail is locked for
 * LOGIN_LOCK_SECONDS, doubling with each further failure up to LOGIN_LOCK_MAX_SECONDS. A lock is
 * checked before the password (no oracle, no argon2 cost); unknown e-mails count the same way (no
 * enumeration); a successful login clears it. State lives in Redis, so it holds across instances,
 * under keys made of an HMAC of the lower-cased e-mail (never the e-mail itself).
 */
@Injectable()
export class LoginLockout {
  private readonly hmacKey: Buffer;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.hmacKey = Buffer.from(hkdfSync('sha256', config.secretKey, 'autoreels', 'login-lockout', 32));
  }

  /** Throws 429 LOGIN_LOCKED (with `retry_after` seconds) while the account is locked. */
  async assertNotLocked(email: string): Promise<void> {
    const ms = await this.redis.pttl(this.keys(email).lock);
    if (ms > 0) {
      const retryAfter = Math.ceil(ms / 1000);
      throw new DomainError(ErrorCode.LOGIN_LOCKED, `Too many failed sign-ins for this account; try again in ${retryAfter} s.`, {
        retry_after: retryAfter,
      });
    }
  }

  /** Counts a failed login; returns the lock it started in ms (0 when none). */
  async recordFailure(email: string): Promise<number> {
    const { failures, lock } = this.keys(email);
    const { maxFailures, lockSeconds, maxLockSeconds } = this.config.loginLockout;
    const result = await this.redis.eval(
      RECORD_FAILURE,
      2,
      failures,
      lock,
      maxFailures,
      lockSeconds * 1000,
      maxLockSeconds * 1000,
      maxLockSeconds * 1000,
    );
    return Number(result);
  }

  /** A successful login forgets the account's failures. */
  async reset(email: string): Promise<void> {
    const { failures, lock } = this.keys(email);
    await this.redis.del(failures, lock);
  }

  /** Redis keys (the client adds REDIS_KEY_PREFIX) for an e-mail: an HMAC, so Redis never holds the address. */
  keys(email: string): { failures: string; lock: string } {
    const id = createHmac('sha256', this.hmacKey).update(email.trim().toLowerCase()).digest('hex');
    return { failures: `login:failures:${id}`, lock: `login:lock:${id}` };
  }
}
