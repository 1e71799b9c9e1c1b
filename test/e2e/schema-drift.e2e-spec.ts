import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/config/database';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The schema is written by hand in migrations/; the entities must describe it exactly (FKs with
 * their ON DELETE rules, named/partial/unique indexes, CHECK constraints), otherwise
 * `npm run migration:generate` proposes to drop them.
 */
describe('schema drift (e2e)', () => {
  let database: TestDatabase;
  let ds: DataSource | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(); // runs the migrations
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await database?.drop();
  });

  it('should find no difference between the entities and the migrated schema', async () => {
    ds = new DataSource(dataSourceOptions(database.url));
    await ds.initialize();
    expect(await ds.showMigrations()).toBe(false); // every migration has run

    const { upQueries } = await ds.driver.createSchemaBuilder().log();
    const pending = upQueries.map((q) => q.query).join(';\n');
    expect({ pending }).toEqual({ pending: '' });
  });
});
