import { Module } from '@nestjs/common';
import { SocialModule } from '../social/social.module';
import { AlertMailModule } from './alert-mail.module';
import { AlertsController } from './alerts.controller';
import { AlertsModule } from './alerts.module';
import { ReconnectFlowService } from './reconnect-flow.service';
import { ReconnectLinkController } from './reconnect-link.controller';

/** api role: the in-app alerts and GET /social/reconnect/:token. */
@Module({
  imports: [AlertsModule, AlertMailModule, SocialModule],
  controllers: [AlertsController, ReconnectLinkController],
  providers: [ReconnectFlowService],
})
export class AlertsApiModule {}
