import { heartbeatFresh } from './heartbeat';

describe('heartbeatFresh', () => {
  it.each<[number | null, number, boolean]>([
    [null, 1_000_000, false], // no file: the role never started or shut down
    [1_000_000, 1_000_000, true],
    [1_000_000, 1_035_000, true],
    [1_000_000, 1_035_001, false], // three missed beats
  ])('written at %s, now %s → %s', (mtime, now, expected) => {
    expect(heartbeatFresh(mtime, now)).toBe(expected);
  });
});
