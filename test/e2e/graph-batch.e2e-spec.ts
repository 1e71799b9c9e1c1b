import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox-server';
import { GraphError } from '../../src/modules/graph/graph-error';
import { ALEX_ID, DEFAULT_SCOPES, control, graphClientFor, loginCode, TEST_REDIRECT_URI } from '../helpers/sandbox';

/** Meta's batch request in the sandbox, through the product's client: both debug_token probes in one round trip. */
describe('Graph batch request: debug_token probes in one round trip (sandbox)', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, redirectUris: [TEST_REDIRECT_URI] });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset', { seed: true });
  });

  async function tokens(): Promise<{ user: string; page: string }> {
    const graph = graphClientFor(sandbox);
    const grant = await graph.exchangeCode(
      await loginCode(sandbox, { userId: ALEX_ID, scopes: DEFAULT_SCOPES }),
      TEST_REDIRECT_URI,
    );
    const long = await graph.exchangeForLongLived(grant.accessToken);
    const [page] = await graph.listPages(long.accessToken);
    return { user: long.accessToken, page: page.accessToken };
  }
  const calls = () => sandbox.state.calls.map((c) => `${c.method} ${c.path}${c.batch ? ' (part)' : ''}`);

  it('should answer like two debug_token calls, in order, in one HTTP round trip with two Graph calls', async () => {
    const t = await tokens();
    const graph = graphClientFor(sandbox);
    const one = await Promise.all([graph.inspectToken(t.user), graph.inspectToken(t.page)]);
    await control(sandbox, 'DELETE', '/calls');
    const batched = await graph.inspectTokens([t.user, t.page]);
    expect(batched).toEqual(one);
    expect(batched.map((b) => b.type)).toEqual(['USER', 'PAGE']);
    expect(calls().sort()).toEqual(['GET /debug_token (part)', 'GET /debug_token (part)', 'POST /'].sort());
  });

  it('should pay the injected latency once for the whole batch', async () => {
    const t = await tokens();
    await control(sandbox, 'POST', '/settings', { latencyMs: 300 });
    const started = Date.now();
    await graphClientFor(sandbox).inspectTokens([t.user, t.page]);
    expect(Date.now() - started).toBeLessThan(550);
  });

  it("should throw the failed part's Meta error, and report a dead token as invalid like the single call", async () => {
    const t = await tokens();
    await control(sandbox, 'POST', '/faults', { path: 'debug_token', count: 1, error: { code: 2 } });
    const err = await graphClientFor(sandbox)
      .inspectTokens([t.user, t.page])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ code: 2, kind: 'transient' });
    await control(sandbox, 'POST', '/tokens/invalidate', { token: t.page, subcode: 467 });
    const [user, page] = await graphClientFor(sandbox).inspectTokens([t.user, t.page]);
    expect(user.isValid).toBe(true);
    expect(page).toMatchObject({ isValid: false, error: { code: 190, subcode: 467 } });
  });

  it('should refuse a batch that is not a JSON array of requests with code 100', async () => {
    const res = await fetch(`${sandbox.url}/v25.0/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ batch: '{"not":"an array"}', access_token: 'x' }).toString(),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(100);
  });
});
