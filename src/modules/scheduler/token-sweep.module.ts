import { Module } from '@nestjs/common';
import { QueuesModule } from '../queue/queues.module';
import { DueAccountsRepository } from './due-accounts.repository';
import { TokenSweepService } from './token-sweep.service';

/** The sweep (scheduler role and `npm run tokens:sweep`). */
@Module({
  imports: [QueuesModule],
  providers: [DueAccountsRepository, TokenSweepService],
  exports: [TokenSweepService, DueAccountsRepository],
})
export class TokenSweepModule {}
