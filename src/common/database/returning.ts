/** Anything TypeORM can run raw SQL on: a DataSource, an EntityManager, a Repository. */
export interface RawQueryRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * The rows of an `UPDATE … RETURNING` or `DELETE … RETURNING`. TypeORM's postgres driver answers
 * those two commands as `[rows, affectedCount]`, not as the rows (INSERT and SELECT give the rows
 * themselves, and so does a WITH … SELECT over a data-modifying CTE), so `(await query(…)).length` is always 2 there: a check that "no row matched"
 * would never fire. Every UPDATE/DELETE that reads what it changed goes through here.
 */
export async function changedRows<T>(runner: RawQueryRunner, sql: string, params: unknown[]): Promise<T[]> {
  if (!/^\s*(UPDATE|DELETE)\b/i.test(sql)) {
    throw new Error('changedRows runs UPDATE or DELETE … RETURNING statements only');
  }
  const result = await runner.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  throw new Error('unexpected result shape for an UPDATE/DELETE … RETURNING');
}
