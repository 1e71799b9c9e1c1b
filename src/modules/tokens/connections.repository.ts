import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository, type EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { InstagramTokenEntity } from './persistence/instagram-token.entity';

/** Queries on connected accounts, with ownership built in: another user's id is simply not found. */
@Injectable()
export class ConnectionsRepository {
  constructor(@InjectRepository(InstagramTokenEntity) readonly repo: Repository<InstagramTokenEntity>) {}

  /** The user's account or ACCOUNT_NOT_FOUND (404), whoever else owns that id. */
  async findOwned(userId: number, id: number): Promise<InstagramTokenEntity> {
    const row = Number.isSafeInteger(id) ? await this.repo.findOneBy({ id, userId }) : null;
    if (!row) throw new DomainError(ErrorCode.ACCOUNT_NOT_FOUND, 'No such Instagram account on your profile.');
    return row;
  }

  /** Everything the settings screen shows: all but the accounts the user disconnected. */
  listVisible(userId: number): Promise<InstagramTokenEntity[]> {
    return this.repo.find({
      where: { userId, status: Not('disconnected') },
      order: { isDefault: 'DESC', connectedAt: 'ASC', id: 'ASC' },
    });
  }

  /** The account the seed's singular routes act on: the default, else the oldest visible one. */
  async findDefault(userId: number): Promise<InstagramTokenEntity | null> {
    return (await this.findDefaultWithCount(userId)).row;
  }

  /** The default account and how many are visible, in one indexed query (GET /social/status is hot). */
  async findDefaultWithCount(userId: number): Promise<{ row: InstagramTokenEntity | null; count: number }> {
    const { entities, raw } = await this.repo
      .createQueryBuilder('a')
      .addSelect('count(*) OVER ()', 'visible_count')
      .where('a.user_id = :userId AND a.status <> :gone', { userId, gone: 'disconnected' })
      .orderBy('a.is_default', 'DESC')
      .addOrderBy('a.connected_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .limit(1)
      .getRawAndEntities<{ visible_count: string }>();
    return { row: entities[0] ?? null, count: Number(raw[0]?.visible_count ?? 0) };
  }

  /**
   * Other live connections, of ANY user, that hold the same Facebook user's grant: DELETE
   * /me/permissions revokes the app for that Facebook user everywhere, so it would break them.
   */
  countSharingGrant(fbUserId: string, exceptId: number): Promise<number> {
    return this.repo.count({
      where: { fbUserId, isConnected: true, id: Not(exceptId), longLivedToken: Not(IsNull()) },
    });
  }

  /** Makes `id` the default and clears the flag elsewhere, in one transaction. */
  async setDefault(userId: number, id: number, manager?: EntityManager): Promise<void> {
    const run = async (m: EntityManager) => {
      await m.update(InstagramTokenEntity, { userId, isDefault: true }, { isDefault: false });
      await m.update(InstagramTokenEntity, { userId, id }, { isDefault: true });
    };
    if (manager) await run(manager);
    else await this.repo.manager.transaction(run);
  }

  /** Promotes the oldest still-connected account when the default one leaves. */
  async ensureDefault(userId: number, manager: EntityManager): Promise<void> {
    const hasDefault = await manager.count(InstagramTokenEntity, { where: { userId, isDefault: true, isConnected: true } });
    if (hasDefault) return;
    const next = await manager.findOne(InstagramTokenEntity, {
      where: { userId, isConnected: true },
      order: { connectedAt: 'ASC', id: 'ASC' },
    });
    if (next) await manager.update(InstagramTokenEntity, { id: next.id }, { isDefault: true });
  }
}
