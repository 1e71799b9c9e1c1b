import { changedRows } from './returning';

/** How TypeORM's postgres driver answers raw queries (PostgresQueryRunner.query): the shapes changedRows reads. */
const runner = (answer: unknown) => ({ query: () => Promise.resolve(answer) });

describe('changedRows', () => {
  it('should give the rows of an UPDATE … RETURNING, none when nothing matched', async () => {
    await expect(changedRows(runner([[{ id: 1 }], 1]), 'UPDATE t SET v = 1 RETURNING id', [])).resolves.toEqual([{ id: 1 }]);
    await expect(changedRows(runner([[], 0]), '  update t SET v = 1 WHERE false RETURNING id', [])).resolves.toEqual([]);
    await expect(changedRows(runner([[{ id: 2 }], 1]), 'DELETE FROM t RETURNING id', [])).resolves.toEqual([{ id: 2 }]);
  });

  it('should refuse statements whose answer is the rows themselves, and answers of another shape', async () => {
    await expect(changedRows(runner([{ id: 1 }]), 'INSERT INTO t VALUES (1) RETURNING id', [])).rejects.toThrow(
      /UPDATE or DELETE/,
    );
    await expect(changedRows(runner([{ id: 1 }, { id: 2 }]), 'UPDATE t SET v = 1 RETURNING id', [])).rejects.toThrow(
      /unexpected result shape/,
    );
  });
});
