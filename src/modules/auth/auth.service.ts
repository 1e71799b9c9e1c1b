import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hash, verify } from '@node-rs/argon2';
import { QueryFailedError, Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { AccessTokenDto, CredentialsDto, UserDto } from './dto/auth.dto';
import { AuthTokenService } from './auth-token.service';
import { UserEntity } from './user.entity';

/** OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane (argon2id is the library's default algorithm). */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function toUserDto(user: UserEntity): UserDto {
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
    const user = await this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = :email', { email: dto.email.toLowerCase() })
      .getOne();
    const ok = user
      ? await verify(user.passwordHash, dto.password)
      : await verify(await this.dummyHash, dto.password).then(() => false);
    if (!user || !ok) {
      this.logger.warn('login failed');
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'E-mail or password is incorrect.');
    }
    const { token, expiresIn } = this.tokens.issue({ id: user.id, email: user.email, role: user.role });
    this.logger.log({ userId: user.id }, 'login succeeded');
    return { access_token: token, token_type: 'bearer', expires_in: expiresIn };
  }

  async me(userId: number): Promise<UserDto> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new DomainError(ErrorCode.AUTH_TOKEN_INVALID, 'This account no longer exists.');
    return toUserDto(user);
  }
}
