import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ConnectionsModule } from '../connections/connections.module';
import { RefreshController } from './refresh.controller';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { CallbackResponder } from './callback-responder';
import { ConnectService } from './connect.service';
import { FacebookLoginVerifier } from './facebook-login.verifier';
import { InstagramLoginVerifier } from './instagram-login.verifier';
import { SocialStatesModule } from './social-states.module';
import { PageSubscriber } from './page-subscriber';
import { SocialController } from './social.controller';

@Module({
  imports: [SocialStatesModule, ConnectionsModule, GraphModule],
  controllers: [SocialController, AccountsController, RefreshController],
  providers: [ConnectService, FacebookLoginVerifier, InstagramLoginVerifier, AccountsService, CallbackResponder, PageSubscriber],
  exports: [AccountsService, PageSubscriber, ConnectService],
})
export class SocialModule {}
