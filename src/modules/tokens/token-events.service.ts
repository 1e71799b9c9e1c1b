import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { GraphError } from '../graph/graph-error';
import { TokenEventEntity, type TokenEventActor, type TokenEventOutcome } from './persistence/token-event.entity';

export interface TokenEventInput {
  accountId?: number | null;
  userId?: number | null;
  type: string;
  outcome: TokenEventOutcome;
  actor: TokenEventActor;
  message?: string;
  errorCode?: string;
  error?: unknown;
  /** Meta's code/subcode when they came from a debug_token answer rather than a thrown GraphError. */
  graph?: { code: number; subcode?: number };
  details?: Record<string, unknown>;
}

/** Writes the audit trail of token operations. Only ids, outcomes and Meta's error codes: never a secret. */
@Injectable()
export class TokenEventsService {
  constructor(
    @InjectRepository(TokenEventEntity) private readonly events: Repository<TokenEventEntity>,
    private readonly clock: Clock,
  ) {}

  async record(input: TokenEventInput, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(TokenEventEntity) : this.events;
    const graph = input.error instanceof GraphError ? input.error : undefined;
    await repo.insert({
      accountId: input.accountId ?? null,
      userId: input.userId ?? null,
      type: input.type,
      outcome: input.outcome,
      actor: input.actor,
      message: input.message ?? null,
      errorCode: input.errorCode ?? (graph ? `GRAPH_${graph.kind.toUpperCase().replace('-', '_')}` : null),
      graphErrorCode: graph?.code ?? input.graph?.code ?? null,
      graphErrorSubcode: graph?.subcode ?? input.graph?.subcode ?? null,
      details: (input.details ?? null) as never, // jsonb: see OAuthStateService.complete
      // the app's clock, like every other lifecycle time, so history and lifecycle rules agree
      createdAt: this.clock.now(),
    });
  }

  listForAccount(accountId: number, limit = 100): Promise<TokenEventEntity[]> {
    return this.events.find({ where: { accountId }, order: { id: 'DESC' }, take: limit });
  }
}
