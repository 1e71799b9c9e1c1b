import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConnectionEvents, ConnectionObserver } from '../../src/modules/connections/connection-observer';
import { ConnectionRepository, type Connection } from '../../src/modules/connections/connection.repository';
import { ConnectionsModule } from '../../src/modules/connections/connections.module';
import { CheckConnection, RetryLaterError } from '../../src/modules/connections/use-cases/check-connection.use-case';
import { ConnectAccounts } from '../../src/modules/connections/use-cases/connect-accounts.use-case';
import { Disconnect } from '../../src/modules/connections/use-cases/disconnect.use-case';
import { RefreshForUser } from '../../src/modules/connections/use-cases/refresh-for-user.use-case';
import { APP_PROBLEM, BLOCKED_RETRY_MS } from '../../src/modules/connections/domain/graph-failure-policy';
import { DomainError } from '../../src/common/errors/domain-error';
import { ErrorCode } from '../../src/common/errors/error-codes';
import { GraphApiClient } from '../../src/modules/graph/graph-api.client';
import { GraphError } from '../../src/modules/graph/graph-error';
import { CoreModule } from '../../src/core.module';
import { AppConfig } from '../../src/config/app-config';
import { validateEnv } from '../../src/config/env.schema';
import { TokenVault, tokenAad } from '../../src/modules/connections/token-vault';
import { baseEnv } from '../helpers/api-app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ScriptedGraph } from './scripted-graph';

/**
 * The use-case tier (STYLE.md): the connections module's use cases against the real PostgreSQL,
 * with the Graph port scripted (no HTTP, no sandbox). Faster than the e2e tier, closer to the
 * truth than a unit test: what each use case stores, records and tells its observers.
 */
class RecordingObserver extends ConnectionObserver {
  readonly heard: string[] = [];
  override connected(row: Connection): Promise<void> {
    this.heard.push(`connected:${row.id}`);
    return Promise.resolve();
  }
  override changed(row: Connection): Promise<void> {
    this.heard.push(`changed:${row.id}:${row.status}`);
    return Promise.resolve();
  }
  override disconnected(row: Connection): Promise<void> {
    this.heard.push(`disconnected:${row.id}`);
    return Promise.resolve();
  }
  override checked(actor: string, outcome: string): void {
    this.heard.push(`checked:${actor}:${outcome}`);
  }
}

/** The key ring: k2 encrypts, k1 (an older key) still decrypts. */
const KEY = (b: number) => Buffer.alloc(32, b).toString('base64');
const KEY_RING = `k2:${KEY(2)},k1:${KEY(1)}`;

describe('connections use cases (real PostgreSQL, scripted Graph)', () => {
  let db: TestDatabase;
  let app: TestingModule;
  let graph: ScriptedGraph;
  let observer: RecordingObserver;
  let sql: DataSource;
  let users = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    graph = new ScriptedGraph();
    app = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({ env: baseEnv({ DATABASE_URL: db.url, TOKEN_ENCRYPTION_KEYS: KEY_RING }) }),
        ConnectionsModule,
      ],
    })
      .overrideProvider(GraphApiClient)
      .useValue(graph)
      .compile();
    await app.init();
    sql = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  beforeEach(() => {
    graph.calls.length = 0;
    graph.failures.clear();
    graph.expiry.clear();
    graph.scopes = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'];
    graph.pages = [{ id: 'p1', name: 'Acme Coffee', accessToken: 'page-1', tasks: [] }];
    observer = new RecordingObserver();
    app.get(ConnectionEvents).subscribe(observer);
  });

  async function connected(opts: { fbUserId?: string; userToken?: string } = {}): Promise<{ userId: number; row: Connection }> {
    const [{ id: userId }] = await sql.query<Array<{ id: number }>>(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`,
      [`u${Date.now()}-${users++}@example.com`],
    );
    const [row] = await app.get(ConnectAccounts).execute(userId, [
      {
        igUserId: `1784${users}`,
        username: 'acme.coffee',
        name: 'Acme Coffee',
        profilePictureUrl: null,
        pageId: 'p1',
        pageName: 'Acme Coffee',
        fbUserId: opts.fbUserId ?? `fb-${users}`,
        userToken: opts.userToken ?? `user-${users}`,
        pageToken: 'page-1',
        userTokenExpiresAt: new Date(Date.now() + 60 * 86_400_000),
        pageTokenExpiresAt: null,
        dataAccessExpiresAt: new Date(Date.now() + 90 * 86_400_000),
        issuedAt: new Date(),
        permissions: ['instagram_basic'],
      },
    ]);
    return { userId, row };
  }

  const eventsOf = (id: number) =>
    sql.query<Array<{ type: string; outcome: string; actor: string; error_code: string | null }>>(
      `SELECT type, outcome, actor, error_code FROM token_events WHERE account_id = $1 ORDER BY id`,
      [id],
    );

  it('should store a connect with its event and tell the observers', async () => {
    const { row } = await connected();
    expect(row).toMatchObject({ status: 'active', isValid: true, isConnected: true, isDefault: true });
    expect(row.longLivedToken).not.toContain('user-'); // ciphertext only
    expect(await eventsOf(row.id)).toEqual([{ type: 'connect', outcome: 'success', actor: 'user', error_code: null }]);
    expect(observer.heard).toEqual([`connected:${row.id}`]);
  });

  it('should verify, store honestly (not extended) and count the check when Meta keeps the expiry', async () => {
    const { row } = await connected();
    const result = await app.get(CheckConnection).execute(row.id, 'worker');
    expect(result).toMatchObject({ success: true, extended: false, status: 'active' });
    expect(result.message).toMatch(/reconnect before then to extend it/);
    expect((await eventsOf(row.id)).map((e) => `${e.type}:${e.outcome}`)).toEqual(['connect:success', 'refresh:success']);
    expect(observer.heard).toEqual([`connected:${row.id}`, `changed:${row.id}:active`, 'checked:worker:ok']);
  });

  it.each([
    [460, 'needs_reconnect', /password changed/],
    [463, 'needs_reconnect', /expired/],
    [458, 'revoked', /removed from your Facebook account/],
  ])('should store %s from debug_token as %s with a sentence, and stop checking', async (subcode, status, reason) => {
    const { row } = await connected();
    graph.dead.set(`user-${users}`, subcode);
    const result = await app.get(CheckConnection).execute(row.id, 'worker');
    expect(result).toMatchObject({ success: false, status, next_check_at: null });
    const [stored] = await sql.query<Array<Record<string, unknown>>>(
      `SELECT status, status_reason, last_error_code, next_check_at, long_lived_token IS NULL AS gone FROM instagram_tokens WHERE id = $1`,
      [row.id],
    );
    expect(stored).toMatchObject({
      status,
      last_error_code: `GRAPH_190_${subcode}`,
      next_check_at: null,
      gone: status === 'revoked',
    });
    expect(stored.status_reason).toMatch(reason);
    expect((await eventsOf(row.id)).at(-1)).toMatchObject({
      type: 'probe',
      outcome: 'failure',
      error_code: `GRAPH_190_${subcode}`,
    });
    expect(observer.heard).toContain(`changed:${row.id}:${status}`);
  });

  it('should leave the connection as it is and ask for a retry when Meta is unavailable', async () => {
    const { row } = await connected();
    graph.failures.set('inspect', [new GraphError('down', { code: 2, isTransient: true })]);
    await expect(app.get(CheckConnection).execute(row.id, 'worker')).rejects.toBeInstanceOf(RetryLaterError);
    const [stored] = await sql.query<Array<Record<string, unknown>>>(
      `SELECT status, is_valid, lease_until FROM instagram_tokens WHERE id = $1`,
      [row.id],
    );
    expect(stored).toEqual({ status: 'active', is_valid: true, lease_until: null });
    expect((await eventsOf(row.id)).at(-1)).toMatchObject({ type: 'refresh', outcome: 'skipped' });
    expect(observer.heard.at(-1)).toBe('checked:worker:retry');
  });

  it.each([10, 200, 294])(
    'should keep the status, tell the card it is our problem and not alert the user on an app-level code %s',
    async (code) => {
      const { row } = await connected();
      graph.failures.set('inspect', [new GraphError('(#200) Permissions error', { code, httpStatus: 403 })]);
      const err = await app
        .get(CheckConnection)
        .execute(row.id, 'worker')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: ErrorCode.META_REQUEST_FAILED, message: APP_PROBLEM });
      const [stored] = await sql.query<Array<Record<string, unknown>>>(
        `SELECT status, is_valid, lease_until, status_reason, last_error_code FROM instagram_tokens WHERE id = $1`,
        [row.id],
      );
      expect(stored).toEqual({
        status: 'active',
        is_valid: true,
        lease_until: null,
        status_reason: APP_PROBLEM,
        last_error_code: `GRAPH_${code}`,
      });
      // no status change → no "changed" event → no in-app alert or e-mail for the user
      expect(observer.heard.filter((h) => h.startsWith('changed:'))).toEqual([]);
      expect((await eventsOf(row.id)).at(-1)).toMatchObject({ type: 'refresh', outcome: 'failure' });
      // the next good check clears the card's sentence
      await app.get(CheckConnection).execute(row.id, 'worker');
      const [after] = await sql.query<Array<Record<string, unknown>>>(
        `SELECT status_reason, last_error_code FROM instagram_tokens WHERE id = $1`,
        [row.id],
      );
      expect(after).toEqual({ status_reason: null, last_error_code: null });
    },
  );

  it("should ask the user to reconnect when debug_token says they removed a permission (theirs, not the app's)", async () => {
    const { row } = await connected();
    graph.scopes = ['instagram_basic', 'pages_show_list', 'pages_read_engagement'];
    const result = await app.get(CheckConnection).execute(row.id, 'worker');
    expect(result).toMatchObject({ success: false, status: 'needs_reconnect' });
    expect(result.message).toMatch(/no longer grants AutoReels instagram_content_publish/);
    expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(0);
    expect(observer.heard).toContain(`changed:${row.id}:needs_reconnect`);
  });

  it('should back off for hours and keep the connection when Meta answers 368 (temporarily blocked)', async () => {
    const { row } = await connected();
    graph.failures.set('inspect', [
      new GraphError('It looks like you were misusing this feature', { code: 368, subcode: 1390008 }),
    ]);
    const err = await app
      .get(CheckConnection)
      .execute(row.id, 'worker')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLaterError);
    expect((err as RetryLaterError).delayMs).toBeGreaterThanOrEqual(BLOCKED_RETRY_MS);
    const [stored] = await sql.query<Array<Record<string, unknown>>>(
      `SELECT status, is_valid FROM instagram_tokens WHERE id = $1`,
      [row.id],
    );
    expect(stored).toEqual({ status: 'active', is_valid: true });
  });

  describe('a user refresh rides out one transient Meta error', () => {
    const transient: Array<[string, () => GraphError]> = [
      ['code 1', () => new GraphError('unknown', { code: 1 })],
      ['code 2', () => new GraphError('down', { code: 2, isTransient: true })],
      ['code 4', () => new GraphError('(#4) Application request limit reached', { code: 4 })],
      ['code 17', () => new GraphError('(#17) User request limit reached', { code: 17 })],
      ['code 341', () => new GraphError('limit', { code: 341 })],
      ['HTTP 503', () => new GraphError('unavailable', { httpStatus: 503 })],
      ['a timeout', () => new GraphError('timed out', { network: true })],
    ];
    it.each(transient)('should answer 200 after one %s', async (_name, make) => {
      const { userId, row } = await connected();
      graph.failures.set('exchange', [make()]);
      const started = Date.now();
      const result = await app.get(RefreshForUser).execute(userId, row.id);
      expect(result).toMatchObject({ success: true, status: 'active' });
      expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('should answer META_UNAVAILABLE (502) when the error persists, after exactly one retry', async () => {
      const { userId, row } = await connected();
      graph.failures.set('exchange', [
        new GraphError('down', { code: 2 }),
        new GraphError('down', { code: 2 }),
        new GraphError('down', { code: 2 }),
      ]);
      await expect(app.get(RefreshForUser).execute(userId, row.id)).rejects.toMatchObject({ code: ErrorCode.META_UNAVAILABLE });
      expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(2);
    });

    it.each([
      ['code 32 (Page limit)', () => new GraphError('(#32) Page request limit reached', { code: 32 })],
      ['code 368 (blocked)', () => new GraphError('blocked', { code: 368 })],
    ])('should not retry %s inside the request', async (_name, make) => {
      const { userId, row } = await connected();
      graph.failures.set('exchange', [make()]);
      await expect(app.get(RefreshForUser).execute(userId, row.id)).rejects.toMatchObject({ code: ErrorCode.META_RATE_LIMITED });
      expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(1);
    });
  });

  it('should make a routine check outside the refresh window with the two probes only, and renew inside it', async () => {
    const { row } = await connected();
    const first = await app.get(CheckConnection).execute(row.id, 'worker');
    expect(first).toMatchObject({ success: true, extended: false });
    expect(graph.calls).toEqual([`inspect:${'user-' + String(users)}`, 'inspect:page-1']);
    // inside the 10-day window the scheduled check re-exchanges and re-derives the Page token
    graph.calls.length = 0;
    graph.expiry.set(`user-${users}`, new Date(Date.now() + 5 * 86_400_000));
    await sql.query(`UPDATE instagram_tokens SET lease_until = NULL WHERE id = $1`, [row.id]);
    await app.get(CheckConnection).execute(row.id, 'worker');
    expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(1);
    expect(graph.calls.filter((c) => c.startsWith('pages:'))).toHaveLength(1);
  });

  const sealedTokens = async (id: number) =>
    (
      await sql.query<Array<{ long_lived_token: string; access_token: string; token_key_id: string }>>(
        `SELECT long_lived_token, access_token, token_key_id FROM instagram_tokens WHERE id = $1`,
        [id],
      )
    )[0];

  it('should keep the ciphertext of the tokens a routine check only verified, and seal renewed ones afresh', async () => {
    const { row, userId } = await connected();
    const before = await sealedTokens(row.id);
    await app.get(CheckConnection).execute(row.id, 'worker');
    expect(await sealedTokens(row.id)).toEqual(before);
    // a renewal (here a manual refresh) stores what Meta handed back, encrypted again
    await app.get(RefreshForUser).execute(userId, row.id);
    const after = await sealedTokens(row.id);
    expect(after.long_lived_token).not.toBe(before.long_lived_token);
    expect(after.access_token).not.toBe(before.access_token);
    const vault = app.get(TokenVault);
    expect(vault.decrypt(after.long_lived_token, tokenAad('instagram_tokens', row.id, 'long_lived_token'))).toBe(`user-${users}`);
    expect(vault.decrypt(after.access_token, tokenAad('instagram_tokens', row.id, 'access_token'))).toBe('page-1');
  });

  it('should move the tokens of a routine check to the current key when they are under an older one', async () => {
    const { row } = await connected();
    const old = new TokenVault(
      new AppConfig(validateEnv({ ...baseEnv({ DATABASE_URL: db.url }), TOKEN_ENCRYPTION_KEYS: `k1:${KEY(1)}` })),
    );
    await sql.query(`UPDATE instagram_tokens SET long_lived_token = $2, access_token = $3, token_key_id = 'k1' WHERE id = $1`, [
      row.id,
      old.encrypt(`user-${users}`, tokenAad('instagram_tokens', row.id, 'long_lived_token')),
      old.encrypt('page-1', tokenAad('instagram_tokens', row.id, 'access_token')),
    ]);
    expect(await app.get(CheckConnection).execute(row.id, 'worker')).toMatchObject({ success: true });
    const after = await sealedTokens(row.id);
    const vault = app.get(TokenVault);
    expect([after.token_key_id, vault.keyIdOf(after.long_lived_token), vault.keyIdOf(after.access_token)]).toEqual([
      'k2',
      'k2',
      'k2',
    ]);
    expect(vault.decrypt(after.long_lived_token, tokenAad('instagram_tokens', row.id, 'long_lived_token'))).toBe(`user-${users}`);
    expect(vault.decrypt(after.access_token, tokenAad('instagram_tokens', row.id, 'access_token'))).toBe('page-1');
  });

  it('should renew on a manual refresh even outside the window', async () => {
    const { row } = await connected();
    await app.get(CheckConnection).execute(row.id, 'user');
    expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(1);
  });

  it('should say which Page was lost when the login no longer shares it', async () => {
    const { row } = await connected();
    graph.pages = [];
    const result = await app.get(CheckConnection).execute(row.id, 'user');
    expect(result).toMatchObject({ success: false, status: 'needs_reconnect' });
    expect(result.message).toMatch(/"Acme Coffee" is no longer shared/);
  });

  it('should make one set of Meta calls for a burst of user checks of one account', async () => {
    const { row } = await connected();
    const results = await Promise.all(Array.from({ length: 5 }, () => app.get(CheckConnection).execute(row.id, 'user')));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('active'));
    expect(graph.calls.filter((c) => c.startsWith('exchange:'))).toHaveLength(1);
  });

  it("should not revoke at Facebook while another user's connection holds the same grant, then revoke for the last one", async () => {
    const first = await connected({ fbUserId: 'shared-fb', userToken: 'user-shared' });
    const second = await connected({ fbUserId: 'shared-fb', userToken: 'user-shared' });
    const kept = await app.get(Disconnect).execute(first.userId, first.row.id);
    expect(kept).toMatchObject({ disconnected: true, revoked_at_facebook: false });
    expect(graph.calls.filter((c) => c.startsWith('revoke:'))).toEqual([]);
    const last = await app.get(Disconnect).execute(second.userId, 'default');
    expect(last).toMatchObject({ disconnected: true, revoked_at_facebook: true });
    expect(graph.calls.filter((c) => c.startsWith('revoke:'))).toEqual(['revoke:user-shared']);
    const [row] = await sql.query<Array<Record<string, unknown>>>(
      `SELECT status, is_connected, is_default, long_lived_token, access_token FROM instagram_tokens WHERE id = $1`,
      [second.row.id],
    );
    expect(row).toEqual({
      status: 'disconnected',
      is_connected: false,
      is_default: false,
      long_lived_token: null,
      access_token: null,
    });
    expect(observer.heard).toContain(`disconnected:${second.row.id}`);
    expect((await eventsOf(second.row.id)).at(-1)).toMatchObject({ type: 'disconnect', outcome: 'success' });
  });

  it('should give a user exactly one default account when two first connects finish at the same instant', async () => {
    const [{ id: userId }] = await sql.query<Array<{ id: number }>>(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`,
      [`race-${Date.now()}@example.com`],
    );
    const pair = (n: number) => ({
      igUserId: `1799${n}${users++}`,
      username: `acme.${n}`,
      name: 'Acme',
      profilePictureUrl: null,
      pageId: `p${n}`,
      pageName: 'Acme',
      fbUserId: `fb-race-${n}`,
      userToken: `user-race-${n}`,
      pageToken: `page-race-${n}`,
      userTokenExpiresAt: new Date(Date.now() + 60 * 86_400_000),
      pageTokenExpiresAt: null,
      dataAccessExpiresAt: new Date(Date.now() + 90 * 86_400_000),
      issuedAt: new Date(),
      permissions: ['instagram_basic'],
    });
    // warm connections, so the transactions below really run side by side (as in a busy api)
    await Promise.all(Array.from({ length: 4 }, () => sql.query(`SELECT pg_sleep(0.05)`)));
    // logins (tabs, pickers) completing together: before, each saw no default and set its own,
    // and the unique index turned all but one into a 500
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, n) => app.get(ConnectAccounts).execute(userId, [pair(n)])),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const defaults = await sql.query<Array<{ n: number }>>(
      `SELECT count(*)::int n FROM instagram_tokens WHERE user_id = $1 AND is_default AND is_connected`,
      [userId],
    );
    expect(defaults[0].n).toBe(1);
  });

  it('should re-encrypt every row with the new first key and write it in the history', async () => {
    const { row } = await connected();
    await sql.query(`UPDATE instagram_tokens SET token_key_id = 'old' WHERE id = $1`, [row.id]);
    // the token itself is still under the current key: re-encryption re-reads it and writes it again
    const { moved } = await app.get(ConnectionRepository).reencryptAll();
    expect(moved).toBeGreaterThanOrEqual(1);
    expect((await eventsOf(row.id)).at(-1)).toMatchObject({ type: 'key_rotated', outcome: 'success', actor: 'system' });
  });

  it('should store a check that was in flight while the key rotation moved its row, and release its lease', async () => {
    const { row } = await connected();
    await sql.query(`UPDATE instagram_tokens SET token_key_id = 'old' WHERE id = $1`, [row.id]);
    const repo = app.get(ConnectionRepository);
    // the rotation runs while the check holds the lease, between its decrypt and its write
    const inspect = graph.inspectToken.bind(graph);
    let rotation: ReturnType<ConnectionRepository['reencryptAll']> | undefined;
    const spy = jest.spyOn(graph, 'inspectToken').mockImplementation(async (token) => {
      await (rotation ??= repo.reencryptAll()); // once, though both tokens are inspected at once
      return inspect(token);
    });
    try {
      const result = await app.get(CheckConnection).execute(row.id, 'worker');
      expect(result).toMatchObject({ success: true, status: 'active' });
    } finally {
      spy.mockRestore();
    }
    expect(await rotation).toMatchObject({ moved: 1, left: 0 });
    const [stored] = await sql.query<Array<{ lease_until: Date | null; token_key_id: string }>>(
      `SELECT lease_until, token_key_id FROM instagram_tokens WHERE id = $1`,
      [row.id],
    );
    // the check's verified write landed (before, the rotation's version bump made it miss: no
    // history row, the lease held for CHECK_LEASE_MS and the job deferred as "leased by another run")
    expect(stored).toEqual({ lease_until: null, token_key_id: (await repo.findById(row.id))?.tokenKeyId });
    expect((await eventsOf(row.id)).slice(-2)).toEqual([
      { type: 'key_rotated', outcome: 'success', actor: 'system', error_code: null },
      { type: 'refresh', outcome: 'success', actor: 'worker', error_code: null },
    ]);
  });

  it('should move a row whose version changed after the rotation read it (a lease taken and released meanwhile)', async () => {
    const first = await connected();
    const second = await connected();
    await sql.query(`UPDATE instagram_tokens SET token_key_id = 'old' WHERE id IN ($1, $2)`, [first.row.id, second.row.id]);
    // hold the first row so the rotation, having read both rows, waits on it
    const holder = sql.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    let rotation: Promise<Awaited<ReturnType<ConnectionRepository['reencryptAll']>>> | undefined;
    try {
      await holder.query(`SELECT 1 FROM instagram_tokens WHERE id = $1 FOR UPDATE`, [first.row.id]);
      rotation = app.get(ConnectionRepository).reencryptAll();
      for (let i = 0; ; i++) {
        const [{ waiting }] = await sql.query<Array<{ waiting: number }>>(
          `SELECT count(*)::int waiting FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE instagram_tokens SET long_lived_token%'`,
        );
        if (waiting > 0) break;
        if (i > 200) throw new Error('the rotation never waited on the held row');
        await new Promise((r) => setTimeout(r, 10));
      }
      // what a check does without writing tokens: lease (version + 1), release (version + 1)
      const leased = await app.get(ConnectionRepository).acquireLease(second.row.id, 60_000, 0);
      await app.get(ConnectionRepository).releaseLease(leased as Connection);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    const result = await rotation;
    const keys = await sql.query<Array<{ token_key_id: string }>>(
      `SELECT token_key_id FROM instagram_tokens WHERE id IN ($1, $2) ORDER BY id`,
      [first.row.id, second.row.id],
    );
    expect(keys.map((k) => k.token_key_id)).not.toContain('old'); // before: the second was "changed meanwhile" and stayed
    expect(result).toMatchObject({ moved: 2, skipped: 0, left: 0 });
  });
});
