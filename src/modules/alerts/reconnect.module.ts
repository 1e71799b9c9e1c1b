import { Module } from '@nestjs/common';
import { SocialModule } from '../social/social.module';
import { AlertMailModule } from './alert-mail.module';
import { ReconnectFlowService } from './reconnect-flow.service';
import { ReconnectLinkController } from './reconnect-link.controller';

/** api role: GET /social/reconnect/:token. */
@Module({
  imports: [AlertMailModule, SocialModule],
  controllers: [ReconnectLinkController],
  providers: [ReconnectFlowService],
})
export class ReconnectModule {}
