import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsController } from '../alerts/alerts.controller';
import { AlertsModule } from '../alerts/alerts.module';
import { GraphModule } from '../graph/graph.module';
import { TokenMaintenanceModule } from '../tokens/token-maintenance.module';
import { TokensModule } from '../tokens/tokens.module';
import { RefreshController } from './refresh.controller';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { CallbackResponder } from './callback-responder';
import { ConnectService } from './connect.service';
import { OAuthStateEntity } from './oauth-state.entity';
import { OAuthStateService } from './oauth-state.service';
import { PageSubscriber } from './page-subscriber';
import { SocialController } from './social.controller';

@Module({
  imports: [TypeOrmModule.forFeature([OAuthStateEntity]), TokensModule, TokenMaintenanceModule, AlertsModule, GraphModule],
  controllers: [SocialController, AccountsController, RefreshController, AlertsController],
  providers: [ConnectService, AccountsService, OAuthStateService, CallbackResponder, PageSubscriber],
  exports: [AccountsService, PageSubscriber, ConnectService],
})
export class SocialModule {}
