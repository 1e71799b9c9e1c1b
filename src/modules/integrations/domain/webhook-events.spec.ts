import { connectionEventsFor, type ConnectionHook } from './webhook-events';

describe('connectionEventsFor', () => {
  it.each<[ConnectionHook, string | null, string, string[]]>([
    // a login stores the account
    ['connected', null, 'active', ['connection.connected']],
    ['connected', 'active', 'active', ['connection.connected']],
    ['connected', 'needs_reconnect', 'active', ['connection.connected', 'connection.recovered']],
    ['connected', 'revoked', 'active', ['connection.connected', 'connection.recovered']],
    ['connected', null, 'expiring', ['connection.connected', 'connection.expiring']],
    // a check or Meta changed it
    ['changed', 'active', 'active', []],
    ['changed', 'active', 'expiring', ['connection.expiring']],
    ['changed', 'expiring', 'expiring', []],
    ['changed', 'expiring', 'active', ['connection.recovered']],
    ['changed', 'active', 'needs_reconnect', ['connection.needs_reconnect']],
    ['changed', 'expiring', 'needs_reconnect', ['connection.needs_reconnect']],
    ['changed', 'needs_reconnect', 'needs_reconnect', []],
    ['changed', 'needs_reconnect', 'active', ['connection.recovered']],
    ['changed', 'revoked', 'expiring', ['connection.recovered', 'connection.expiring']],
    ['changed', 'active', 'revoked', ['connection.revoked']],
    ['changed', null, 'revoked', ['connection.revoked']],
    ['changed', null, 'needs_reconnect', ['connection.needs_reconnect']],
    ['changed', null, 'active', []],
    ['changed', 'revoked', 'revoked', []],
    ['changed', 'active', 'disconnected', []],
    // the user disconnected it
    ['disconnected', 'active', 'disconnected', ['connection.disconnected']],
    ['disconnected', 'needs_reconnect', 'disconnected', ['connection.disconnected']],
    ['disconnected', 'disconnected', 'disconnected', []],
  ])('should raise on %s from %s to %s: %j', (hook, before, after, expected) => {
    expect(connectionEventsFor(hook, before, after)).toEqual(expected);
  });
});
