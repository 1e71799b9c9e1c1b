import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { SignedRequestKind } from './persistence/meta-signed-request.entity';

/** Rows older than this are purged; a signed_request is refused after 24 h anyway. */
export const SIGNED_REQUEST_RETENTION_MS = 48 * 3_600_000;

export interface Once<T> {
  answer: T;
  /** True for the request that acted; false for a repeat answered from the stored first answer. */
  first: boolean;
}

/**
 * Each `signed_request` acts once. The insert of its hash (unique index, ON CONFLICT DO NOTHING)
 * and the action share one transaction: a concurrent repeat waits on the uncommitted index entry
 * and then finds the committed first answer; if the action fails, the row goes with it and a
 * retry acts. The signed_request itself is never stored or logged, only its SHA-256.
 */
@Injectable()
export class SignedRequestReplayGuard {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async once<T extends object>(
    kind: SignedRequestKind,
    signedRequest: string,
    issuedAt: Date,
    act: (m: EntityManager) => Promise<T>,
  ): Promise<Once<T>> {
    const hash = createHash('sha256').update(signedRequest, 'utf8').digest('hex');
    return this.dataSource.transaction(async (m) => {
      const inserted = await m.query<Array<{ id: string }>>(
        `INSERT INTO meta_signed_requests (request_hash, kind, issued_at, created_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (request_hash) DO NOTHING
         RETURNING id`,
        [hash, kind, issuedAt, this.clock.now()],
      );
      if (!inserted.length) {
        const [seen] = await m.query<Array<{ kind: SignedRequestKind; answer: T | null }>>(
          `SELECT kind, answer FROM meta_signed_requests WHERE request_hash = $1`,
          [hash],
        );
        // a request Meta signed for one callback is never acted on by the other
        if (!seen?.answer || seen.kind !== kind) {
          throw new DomainError(ErrorCode.SIGNED_REQUEST_INVALID, 'This signed_request was already used for another callback.');
        }
        return { answer: seen.answer, first: false };
      }
      const answer = await act(m);
      await m.query(`UPDATE meta_signed_requests SET answer = $2 WHERE id = $1`, [inserted[0].id, JSON.stringify(answer)]);
      return { answer, first: true };
    });
  }
}

/** Housekeeping: forget signed_requests older than the retention (they are refused as expired). */
export async function purgeSignedRequests(dataSource: DataSource, before: Date): Promise<number> {
  const [, n] = await dataSource.query<[unknown[], number]>(`DELETE FROM meta_signed_requests WHERE created_at < $1`, [before]);
  return n;
}
