import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * A raw row (`RETURNING *`, column names) as the entity `findOneBy` would give (property names,
 * the driver's conversions): a statement that changes a row can hand it back in the same round trip.
 */
export function hydrateEntity<T extends ObjectLiteral>(ds: DataSource, target: EntityTarget<T>, raw: Record<string, unknown>): T {
  const meta = ds.getMetadata(target);
  const entity = meta.create() as T;
  const fields = entity as Record<string, unknown>;
  for (const column of meta.columns) {
    if (column.databaseName in raw)
      fields[column.propertyName] = ds.driver.prepareHydratedValue(raw[column.databaseName], column);
  }
  return entity;
}

/**
 * `col = $n, …` for a patch of entity properties, numbered from `firstParam`, with the values
 * prepared as TypeORM would store them. A property that is not a column is refused (a typo
 * must not become a silent no-op).
 */
export function setClause<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  patch: Partial<T>,
  firstParam: number,
): { sql: string; params: unknown[] } {
  const meta = ds.getMetadata(target);
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [property, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = meta.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${meta.name} has no column for ${property}`);
    params.push(ds.driver.preparePersistentValue(value, column));
    parts.push(`"${column.databaseName}" = $${firstParam + params.length - 1}`);
  }
  return { sql: parts.join(', '), params };
}
