import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ConnectionRepository } from '../connections/connection.repository';
import { toAccountDto, toEventDto, toStatusDto } from './account-view';
import type { AccountDto, StatusDto, TokenEventListDto } from './dto/account.dto';

/** The settings screen's reads of the user's accounts, and the default switch. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly clock: Clock,
  ) {}

  async status(userId: number): Promise<StatusDto> {
    const { row, count } = await this.connections.findDefaultWithCount(userId);
    return toStatusDto(row, count, this.clock.now());
  }

  async list(userId: number): Promise<AccountDto[]> {
    const now = this.clock.now();
    return (await this.connections.listVisible(userId)).map((r) => toAccountDto(r, now));
  }

  async get(userId: number, id: number): Promise<AccountDto> {
    return toAccountDto(await this.connections.findOwned(userId, id), this.clock.now());
  }

  async makeDefault(userId: number, id: number): Promise<AccountDto> {
    const row = await this.connections.findOwned(userId, id);
    if (row.isConnected) await this.connections.setDefault(userId, id);
    return this.get(userId, id);
  }

  async history(userId: number, id: number): Promise<TokenEventListDto> {
    await this.connections.findOwned(userId, id);
    return { events: (await this.connections.listEvents(id)).map(toEventDto) };
  }
}
