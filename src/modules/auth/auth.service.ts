import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hash, verify } from '@node-rs/argon2';
import { QueryFailedError, Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AccessTokenDto, CredentialsDto, UserDto } from './dto/auth.dto';
import { AuthTokenService } from './auth-token.service';
import { LoginLockout } from './login-lockout';
import { UserAuthCache } from './user-auth-cache';
import { UserEntity } from './user.entity';

/** OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane (argon2id is the library's default algorithm). */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function toUserDto(user: Pick<UserEntity, 'id' | 'email' | 'role' | 'createdAt'>): UserDto {
  return { id: user.id, email: user.email, role: user.role, created_at: user.createdAt.toISOString() };
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Verified against when the e-mail is unknown, so timing does not reveal which e-mails exist. */
  private readonly dummyHash = hash('not-a-real-password', ARGON2_OPTIONS);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly tokens: AuthTokenService,
    private readonly lockout: LoginLockout,
    private readonly userCache: UserAuthCache,
  ) {}

  async register(dto: CredentialsDto): Promise<UserDto> {
    const passwordHash = await hash(dto.password, ARGON2_OPTIONS);
    try {
      const user = await this.users.save(this.users.create({ email: dto.email, passwordHash, role: 'user' }));
      this.logger.log({ userId: user.id }, 'user registered');
      return toUserDto(user);
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') {
        throw new DomainError(ErrorCode.EMAIL_TAKEN, 'An account with this e-mail already exists.');
      }
      throw err;
    }
  }

  async login(dto: CredentialsDto): Promise<AccessTokenDto> {
    const email = dto.email.toLowerCase();
    // before the password is looked at: a locked account costs no argon2 and reveals nothing
    await this.lockout.assertNotLocked(email);
    const user = await this.users.createQueryBuilder('u').where('lower(u.email) = :email', { email }).getOne();
    const ok = user
      ? await verify(user.passwordHash, dto.password)
      : await verify(await this.dummyHash, dto.password).then(() => false);
    if (!user || !ok) {
      // unknown e-mails count too, so a lock says nothing about whether the account exists
      const lockMs = await this.lockout.recordFailure(email);
      this.logger.warn({ locked_for_s: lockMs ? Math.ceil(lockMs / 1000) : undefined }, 'login failed');
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'E-mail or password is incorrect.');
    }
    await this.lockout.reset(email);
    const { token, expiresIn } = this.tokens.issue({
      id: user.id,
      email: user.email,
      role: user.role,
      tokenVersion: user.tokenVersion,
    });
    this.logger.log({ userId: user.id }, 'login succeeded');
    return { access_token: token, token_type: 'bearer', expires_in: expiresIn };
  }

  /**
   * Signs the user out everywhere: bumps users.token_version, so every token issued before stops
   * working at once on this instance and within AUTH_USER_CACHE_MS on the others.
   */
  async logoutAll(userId: number): Promise<void> {
    await this.users.query(`UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = $1`, [userId]);
    this.userCache.forget(userId);
    this.logger.log({ userId }, 'signed out everywhere');
  }

  /**
   * The row the guard just authenticated against (UserAuthCache: one primary-key read per user
   * every AUTH_USER_CACHE_MS), not a second read of the same row per request.
   */
  async me(userId: number): Promise<UserDto> {
    const user = await this.userCache.get(userId);
    if (!user) throw new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'This account no longer exists.');
    return toUserDto(user);
  }
}
