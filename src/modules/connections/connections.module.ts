import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ConnectionEvents } from './connection-observer';
import { ConnectionRepository } from './connection.repository';
import { ConnectionStatusCache } from './persistence/connection-status-cache';
import { TypeormConnectionRepository } from './persistence/typeorm-connection.repository';
import { TokenVault } from './token-vault';
import { CheckConnection } from './use-cases/check-connection.use-case';
import { ConnectAccounts } from './use-cases/connect-accounts.use-case';
import { Disconnect } from './use-cases/disconnect.use-case';
import { OpenPublishingCredentials, ReadPublishingAccounts } from './use-cases/publishing-access.use-case';
import { ReportGraphFailure } from './use-cases/report-graph-failure.use-case';
import { RefreshForUser } from './use-cases/refresh-for-user.use-case';
import { PermissionRevokedByMeta, RevokeByMeta } from './use-cases/revoke-by-meta.use-case';

const USE_CASES = [
  CheckConnection,
  RefreshForUser,
  ConnectAccounts,
  Disconnect,
  RevokeByMeta,
  PermissionRevokedByMeta,
  ReadPublishingAccounts,
  OpenPublishingCredentials,
  ReportGraphFailure,
];

/**
 * Connected accounts: the one owner of `instagram_tokens` and `token_events` (the repository
 * port), their pure rules (domain/), the use cases every role calls, and the observer hub that
 * alerts and metrics subscribe to. Used by every role.
 */
@Module({
  imports: [GraphModule],
  providers: [
    TokenVault,
    ConnectionEvents,
    ConnectionStatusCache,
    { provide: ConnectionRepository, useClass: TypeormConnectionRepository },
    ...USE_CASES,
  ],
  exports: [TokenVault, ConnectionEvents, ConnectionRepository, ...USE_CASES],
})
export class ConnectionsModule {}
