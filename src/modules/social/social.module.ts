import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GraphModule } from '../graph/graph.module';
import { ConnectionsModule } from '../connections/connections.module';
import { RefreshController } from './refresh.controller';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { CallbackResponder } from './callback-responder';
import { ConnectService } from './connect.service';
import { FacebookLoginVerifier } from './facebook-login.verifier';
import { InstagramLoginVerifier } from './instagram-login.verifier';
import { OAuthStateEntity } from './oauth-state.entity';
import { OAuthStateService } from './oauth-state.service';
import { PageSubscriber } from './page-subscriber';
import { SocialController } from './social.controller';

@Module({
  imports: [TypeOrmModule.forFeature([OAuthStateEntity]), ConnectionsModule, GraphModule],
  controllers: [SocialController, AccountsController, RefreshController],
  providers: [
    ConnectService,
    FacebookLoginVerifier,
    InstagramLoginVerifier,
    AccountsService,
    OAuthStateService,
    CallbackResponder,
    PageSubscriber,
  ],
  exports: [AccountsService, PageSubscriber, ConnectService],
})
export class SocialModule {}
