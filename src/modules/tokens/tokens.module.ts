import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsRepository } from './connections.repository';
import { InstagramTokenEntity } from './persistence/instagram-token.entity';
import { TokenEventEntity } from './persistence/token-event.entity';
import { TokenEventsService } from './token-events.service';
import { TokenVault } from './token-vault';

/** Token storage shared by every role: encryption, the accounts table, the audit trail. */
@Module({
  imports: [TypeOrmModule.forFeature([InstagramTokenEntity, TokenEventEntity])],
  providers: [TokenVault, ConnectionsRepository, TokenEventsService],
  exports: [TokenVault, ConnectionsRepository, TokenEventsService, TypeOrmModule],
})
export class TokensModule {}
