import { LONG_LIVED_USER_TOKEN_SECONDS, SandboxState, appSecretProof, maskParams } from './sandbox-state';

const ALEX = '10000000000000001';
const COFFEE = '110000000000001';
const ROASTERY = '110000000000002';

function newState(): SandboxState {
  return new SandboxState({ appId: '1', appSecret: 's', redirectUris: [], requireAppSecretProof: true, seed: true });
}

describe('SandboxState', () => {
  it('should seed the documented users, Pages and Instagram accounts when seeding is on', () => {
    const s = newState();
    expect(s.users.get(ALEX)?.name).toBe('Alex Rivera');
    expect(s.users.get('10000000000000002')?.name).toBe('Sam Lee');
    expect([...s.pages.values()].map((p) => p.name)).toEqual([
      'Acme Coffee',
      'Acme Roastery',
      'Acme Events',
      "Sam's Studio",
      "Sam's Drafts",
    ]);
    expect([...s.igAccounts.values()].map((i) => i.username)).toEqual(['acme.coffee', 'acme.roastery', 'sam.studio']);
    expect([...s.igAccounts.keys()].every((id) => id.startsWith('1784'))).toBe(true);
  });

  it('should reuse the previous Page selection when the user logs in again without reauthorize', () => {
    const s = newState();
    s.approve({ userId: ALEX, requested: ['pages_show_list'], declinedByUser: [], pageIds: [COFFEE] });
    const again = s.approve({ userId: ALEX, requested: ['pages_show_list'], declinedByUser: [], pageIds: [COFFEE, ROASTERY] });
    expect(again.pageIds).toEqual([COFFEE]);
    const reauth = s.approve({
      userId: ALEX,
      requested: ['pages_show_list'],
      declinedByUser: [],
      pageIds: [ROASTERY],
      authType: 'reauthorize',
    });
    expect(reauth.pageIds).toEqual([ROASTERY]);
  });

  it('should keep a declined permission declined when it is requested again without rerequest', () => {
    const s = newState();
    s.approve({
      userId: ALEX,
      requested: ['pages_show_list', 'instagram_basic'],
      declinedByUser: ['instagram_basic'],
      pageIds: [COFFEE],
    });
    const again = s.approve({
      userId: ALEX,
      requested: ['pages_show_list', 'instagram_basic'],
      declinedByUser: [],
      pageIds: [COFFEE],
    });
    expect([...again.declined]).toEqual(['instagram_basic']);
    const rerequest = s.approve({
      userId: ALEX,
      requested: ['instagram_basic'],
      declinedByUser: [],
      pageIds: [],
      authType: 'rerequest',
    });
    expect(rerequest.granted.has('instagram_basic')).toBe(true);
    expect(rerequest.declined.size).toBe(0);
  });

  it('should never let public_profile be declined when the user unticks it', () => {
    const s = newState();
    const grant = s.approve({ userId: ALEX, requested: [], declinedByUser: ['public_profile'], pageIds: [] });
    expect(grant.granted.has('public_profile')).toBe(true);
  });

  it('should report 463 when a token passes its expiry on the sandbox clock', () => {
    const s = newState();
    const t = s.issueUserToken(ALEX, false);
    expect(s.tokenProblem(t)).toBeUndefined();
    s.advanceClock(7200);
    expect(s.tokenProblem(t)).toBe(463);
  });

  it('should give Page tokens no expiry when derived from a long-lived user token and 1 h otherwise', () => {
    const s = newState();
    const long = s.issueUserToken(ALEX, true);
    expect(long.expiresAt - long.issuedAt).toBe(LONG_LIVED_USER_TOKEN_SECONDS);
    expect(s.pageTokenFor(long, COFFEE).expiresAt).toBe(0);
    const short = s.issueUserToken(ALEX, false);
    const page = s.pageTokenFor(short, COFFEE);
    expect(page.expiresAt - page.issuedAt).toBe(3600);
    expect(s.pageTokenFor(short, COFFEE).value).toBe(page.value);
  });

  it('should kill all user and Page tokens with 458 when the app is removed', () => {
    const s = newState();
    s.approve({ userId: ALEX, requested: ['pages_show_list'], declinedByUser: [], pageIds: [COFFEE] });
    const user = s.issueUserToken(ALEX, true);
    const page = s.pageTokenFor(user, COFFEE);
    s.revokeAll('1', ALEX);
    expect(s.tokenProblem(user)).toBe(458);
    expect(s.tokenProblem(page)).toBe(458);
    expect(s.grantFor('1', ALEX)).toBeUndefined();
  });

  it('should keep the first cause when a token is invalidated twice', () => {
    const s = newState();
    const t = s.issueUserToken(ALEX, true);
    s.invalidateUser(ALEX, 460);
    s.invalidateUser(ALEX, 467);
    expect(s.tokenProblem(t)).toBe(460);
  });

  it("should only kill that user's Page tokens for that Page when a role is removed", () => {
    const s = newState();
    const user = s.issueUserToken(ALEX, true);
    const coffee = s.pageTokenFor(user, COFFEE);
    const roastery = s.pageTokenFor(user, ROASTERY);
    s.removePageRole(COFFEE, ALEX);
    expect(s.tokenProblem(coffee)).toBe(492);
    expect(s.tokenProblem(roastery)).toBeUndefined();
    expect(s.tokenProblem(user)).toBeUndefined();
  });

  it('should fire a fault exactly count times when its path matches as substring or regex', () => {
    const s = newState();
    s.addFault({ path: '/me/accounts', count: 2 });
    s.addFault({ path: '^/\\d+$', method: 'get' });
    expect(s.takeFault('GET', '/me/accounts')).toBeDefined();
    expect(s.takeFault('GET', '/me/accounts')).toBeDefined();
    expect(s.takeFault('GET', '/me/accounts')).toBeUndefined();
    expect(s.takeFault('POST', '/17841400000000001')).toBeUndefined();
    expect(s.takeFault('GET', '/17841400000000001')).toBeDefined();
  });

  it('should mask secret parameters when recording calls', () => {
    expect(maskParams({ access_token: 'EAAx', client_id: '1', code: 'AQ', appsecret_proof: 'p' })).toEqual({
      access_token: '***',
      client_id: '1',
      code: '***',
      appsecret_proof: '***',
    });
  });

  it('should compute appsecret_proof like Meta when given the documented test vector', () => {
    expect(appSecretProof('appsecret-123', 'access-token-234')).toBe(
      'cdfcbc87edc90f8123cd3797a0d6f6f7eedf63d97038a15d1693d297f653d7f2',
    );
  });
});
