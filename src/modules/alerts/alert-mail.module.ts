import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserDirectoryModule } from '../auth/user-directory';
import { ConnectionsModule } from '../connections/connections.module';
import { AlertEntity } from './alert.entity';
import { AlertMailerService } from './alert-mailer.service';
import { ReconnectLinkEntity } from './reconnect-link.entity';
import { ReconnectLinkService } from './reconnect-link.service';

/** Alert e-mail and the reconnect links in it (worker: sending; api: following a link). */
@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity, ReconnectLinkEntity]), UserDirectoryModule, ConnectionsModule],
  providers: [ReconnectLinkService, AlertMailerService],
  exports: [ReconnectLinkService, AlertMailerService],
})
export class AlertMailModule {}
