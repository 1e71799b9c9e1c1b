import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsModule } from '../connections/connections.module';
import { OAuthStateEntity } from './oauth-state.entity';
import { OAuthStateService } from './oauth-state.service';

/** Login attempts (oauth_states) and their one owner, for the connect flow and for data deletion (worker). */
@Module({
  imports: [TypeOrmModule.forFeature([OAuthStateEntity]), ConnectionsModule],
  providers: [OAuthStateService],
  exports: [OAuthStateService],
})
export class SocialStatesModule {}
