import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A read on a hot path (a route every screen polls): one named prepared statement on the pool
 * TypeORM already owns. PostgreSQL parses and plans it once per connection instead of per
 * request, and the call skips TypeORM's per-query runner. Use it for simple single-statement
 * reads only: it is not part of any transaction, and TypeORM's query logging does not see it.
 */
export async function preparedQuery<T extends QueryResultRow>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query<T>({ name, text, values });
  return result.rows;
}
