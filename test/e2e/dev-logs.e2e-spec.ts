import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { waitFor } from '../helpers/lifecycle';
import { nonJsonLines, spawnRole } from '../helpers/processes';

/** Issue 15: `npm start` (LOG_FORMAT=pretty) prints readable lines; JSON stays the format everywhere else. */
describe('log format (e2e, real processes)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  const env = (extra: Record<string, string>) => ({
    SECRET_KEY: `test-secret-${randomBytes(16).toString('hex')}`,
    DATABASE_URL: db.url,
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'info',
    ...extra,
  });

  it.each([
    ['development', 'pretty', true],
    ['development', 'json', false],
    ['test', '', false],
  ])(
    'ENVIRONMENT=%s LOG_FORMAT=%s → readable lines: %s',
    async (environment, format, readable) => {
      const role = await spawnRole('scheduler', 'src/roles/scheduler.ts', env({ ENVIRONMENT: environment, LOG_FORMAT: format }));
      // pino-pretty writes from a worker thread: wait for the line (a loaded machine takes a while)
      await waitFor(
        'the scheduler line',
        () => Promise.resolve(role.stdout().includes('token sweep scheduled')),
        30_000,
        100,
      ).catch(
        () => undefined, // judged below, with what was printed
      );
      await role.stop();
      const nestLines = role
        .stdout()
        .split('\n')
        .filter((l) => l.includes('token sweep scheduled'));
      expect(nestLines).toHaveLength(1);
      if (readable) {
        expect(nonJsonLines(nestLines[0])).toHaveLength(1);
        expect(nestLines[0]).toMatch(/INFO.*token sweep scheduled/);
      } else {
        expect(nonJsonLines(role.stdout())).toEqual([]);
      }
    },
    90_000,
  );
});
