import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyEntity } from './api-key.entity';
import { generateApiKey, normalizeScopes } from './domain/api-key-rules';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

/** Keys a user may hold at once: plenty for integrations, bounded so a leaked session cannot mint thousands. */
export const MAX_API_KEYS_PER_USER = 25;

function toDto(row: ApiKeyEntity): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.canWrite ? ['read', 'write'] : ['read'],
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** Create (the key shown once), list (never the key), revoke (at once). The one writer of `api_keys` besides last-use stamps. */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async create(userId: number, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    if ((await this.keys.countBy({ userId })) >= MAX_API_KEYS_PER_USER) {
      throw new DomainError(
        ErrorCode.API_KEY_LIMIT_REACHED,
        `You already have ${MAX_API_KEYS_PER_USER} API keys; revoke one first.`,
      );
    }
    const { key, prefix, hash } = generateApiKey();
    const scopes = normalizeScopes(dto.scopes);
    const row = await this.keys.save(
      this.keys.create({ userId, name: dto.name.trim(), prefix, keyHash: hash, canWrite: scopes.includes('write') }),
    );
    this.logger.log({ userId, apiKeyId: row.id, scopes }, 'API key created');
    return { ...toDto(row), key };
  }

  async list(userId: number): Promise<ApiKeyDto[]> {
    const rows = await this.keys.find({ where: { userId }, order: { id: 'ASC' } });
    return rows.map(toDto);
  }

  async revoke(userId: number, id: number): Promise<void> {
    const result = Number.isSafeInteger(id) ? await this.keys.delete({ id, userId }) : { affected: 0 };
    if (!result.affected) throw new DomainError(ErrorCode.API_KEY_NOT_FOUND, 'No such API key.');
    this.authenticator.forget(id);
    this.logger.log({ userId, apiKeyId: id }, 'API key revoked');
  }
}
