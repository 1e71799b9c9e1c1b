import { isConnectionError, nextRedisState, type RedisSignal, type RedisState } from './redis-state';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

describe('nextRedisState', () => {
  const down: RedisSignal = { kind: 'error', connectionError: true };
  const other: RedisSignal = { kind: 'error', connectionError: false };
  const ready: RedisSignal = { kind: 'ready' };
  it.each<[RedisState, RedisSignal, RedisState, string | null]>([
    ['up', down, 'down', 'lost'],
    ['down', down, 'down', null], // the retries of every connection: silent
    ['down', ready, 'up', 'restored'],
    ['up', ready, 'up', null], // the first connect is not news
    ['up', other, 'up', 'error'], // a command error is logged each time
    ['down', other, 'down', 'error'],
  ])('%s + %j → %s, logs %s', (state, signal, next, log) => {
    expect(nextRedisState(state, signal)).toEqual({ state: next, log });
  });
});

describe('isConnectionError', () => {
  it.each<[unknown, boolean]>([
    [refused, true],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    [new Error('Connection is closed.'), true],
    [
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }),
      true,
    ],
    [new Error('Missing lock for job 12. moveToFinished'), false],
    [new Error("ERR unknown command 'FOO'"), false],
    ['ECONNREFUSED', false],
  ])('%s → %s', (err, expected) => {
    expect(isConnectionError(err)).toBe(expected);
  });
});
