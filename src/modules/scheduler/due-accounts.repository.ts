import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DueAccount {
  id: number;
  /** next_check_at in epoch milliseconds (part of the job id). */
  dueAtMs: number;
  /** next_check_at exactly as PostgreSQL has it, for the keyset cursor. */
  cursor: string;
}

/** The scheduler's view of instagram_tokens: connected rows whose next check is due. */
@Injectable()
export class DueAccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async countDue(now: Date): Promise<number> {
    const rows = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM instagram_tokens WHERE is_connected AND next_check_at <= $1`,
      [now],
    );
    return rows[0].n;
  }

  /**
   * One page of due accounts in (next_check_at, id) order after the cursor: a keyset scan on the
   * partial index idx_instagram_tokens_due, so page 1,000 costs what page 1 does.
   */
  async page(now: Date, after: { cursor: string; id: number } | null, limit: number): Promise<DueAccount[]> {
    // two statements rather than `$2 IS NULL OR …`, which would keep the planner off the index
    const select = `SELECT id, floor(extract(epoch FROM next_check_at) * 1000)::bigint AS due_ms, next_check_at::text AS cursor
                      FROM instagram_tokens WHERE is_connected AND next_check_at <= $1`;
    type Row = { id: number; due_ms: string; cursor: string };
    const rows = after
      ? await this.dataSource.query<Row[]>(
          `${select} AND (next_check_at, id) > ($3::timestamptz, $4::int) ORDER BY next_check_at, id LIMIT $2`,
          [now, limit, after.cursor, after.id],
        )
      : await this.dataSource.query<Row[]>(`${select} ORDER BY next_check_at, id LIMIT $2`, [now, limit]);
    return rows.map((r) => ({ id: r.id, dueAtMs: Number(r.due_ms), cursor: r.cursor }));
  }

  /**
   * Moves a check that ended without moving next_check_at (Meta kept failing, or another run held
   * the account) to `at`, so the next sweep makes a new job id instead of colliding with the
   * finished one. Conditional: a run that stored a new next_check_at meanwhile wins.
   */
  async deferIfUnchanged(accountId: number, dueAtMs: number, at: Date): Promise<boolean> {
    const res = await this.dataSource.query<[unknown[], number]>(
      `UPDATE instagram_tokens SET next_check_at = $3
        WHERE id = $1 AND is_connected AND floor(extract(epoch FROM next_check_at) * 1000)::bigint = $2`,
      [accountId, dueAtMs, at],
    );
    return res[1] === 1;
  }

  /** Alerts whose e-mail never went out (enqueue lost with Redis, or jobs exhausted). */
  async unsentAlerts(olderThanMs: number, limit: number): Promise<number[]> {
    const rows = await this.dataSource.query<Array<{ id: number }>>(
      `SELECT id FROM alerts
        WHERE emailed_at IS NULL AND read_at IS NULL
          AND created_at < now() - make_interval(secs => $1::double precision / 1000)
          AND created_at > now() - interval '7 days'
        ORDER BY id LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }
}
