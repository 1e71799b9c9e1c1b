import { DataSource } from 'typeorm';
import { APP_PROBLEM } from '../../src/modules/connections/domain/graph-failure-policy';
import { SAM_ID, control } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

/**
 * What a Meta error means for a user's Refresh, through the sandbox's fault injection: one blip is
 * ridden out in the request, a persistent one is a 502; code 10/200-299 is our app's problem (ops
 * alerted, the user is told so, the connection is unchanged); 368 is a long back-off (429).
 */
describe('Meta error meanings on a user refresh (e2e)', () => {
  let stack: Stack;
  let db: DataSource;

  beforeAll(async () => {
    stack = await startStack();
    db = stack.api.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
  });

  async function connectSam(): Promise<{ auth: string; accountId: number }> {
    const user = await newUser(stack);
    const res = await callback(stack, user.auth, await dialog(stack, user.auth, { user: SAM_ID })).expect(200);
    return { auth: user.auth, accountId: res.body.accounts[0].id as number };
  }
  const refresh = (auth: string, id: number) =>
    stack.http().post(`/social/accounts/${id}/refresh-token`).set('Authorization', auth);
  const exchanges = async () =>
    (
      await control<{ data: Array<{ query: Record<string, string>; status: number }> }>(
        stack.sandbox,
        'GET',
        `/calls?path=${encodeURIComponent('oauth/access_token')}`,
      )
    ).data.filter((c) => 'fb_exchange_token' in c.query);
  const row = async (id: number) =>
    (
      await db.query<Array<Record<string, unknown>>>(
        `SELECT status, is_valid, status_reason, last_error_code FROM instagram_tokens WHERE id = $1`,
        [id],
      )
    )[0];

  it.each([
    ['code 2', { error: { code: 2 } }],
    ['code 17', { error: { code: 17 } }],
    ['HTTP 502', { http_status: 502 }],
    ['a dropped connection', { drop_response: true }],
  ])('should answer 200 when Meta fails once with %s', async (_name, fault) => {
    const { auth, accountId } = await connectSam();
    await control(stack.sandbox, 'DELETE', '/calls');
    await control(stack.sandbox, 'POST', '/faults', { path: 'oauth/access_token', count: 1, ...fault });
    const started = Date.now();
    const res = await refresh(auth, accountId).expect(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.body.success).toBe(true);
    expect(await exchanges()).toHaveLength(2);
  });

  it('should answer 502 META_UNAVAILABLE, after one retry only, when Meta keeps failing', async () => {
    const { auth, accountId } = await connectSam();
    await control(stack.sandbox, 'DELETE', '/calls');
    await control(stack.sandbox, 'POST', '/faults', { path: 'oauth/access_token', count: 10, error: { code: 2 } });
    const res = await refresh(auth, accountId).expect(502);
    expect(res.body.code).toBe('META_UNAVAILABLE');
    expect(await exchanges()).toHaveLength(2);
    expect(await row(accountId)).toMatchObject({ status: 'active', is_valid: true });
  });

  it('should tell the user an app-level code 200 is our problem, keep the connection, raise no user alert and count it for ops', async () => {
    const { auth, accountId } = await connectSam();
    await control(stack.sandbox, 'POST', '/faults', {
      path: 'oauth/access_token',
      count: 1,
      error: { code: 200, message: '(#200) Requires pages_show_list permission' },
    });
    const res = await refresh(auth, accountId).expect(502);
    expect(res.body).toMatchObject({ code: 'META_REQUEST_FAILED', message: APP_PROBLEM });
    expect(await row(accountId)).toEqual({
      status: 'active',
      is_valid: true,
      status_reason: APP_PROBLEM,
      last_error_code: 'GRAPH_200',
    });
    const card = await stack.http().get(`/social/accounts/${accountId}`).set('Authorization', auth).expect(200);
    expect(card.body.status_reason).toBe(APP_PROBLEM);
    const alerts = await db.query<Array<{ n: number }>>(`SELECT count(*)::int n FROM alerts WHERE account_id = $1`, [accountId]);
    expect(alerts[0].n).toBe(0);
    const metrics = await stack.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/autoreels_meta_app_problems_total\{code="200",operation="[^"]+"\} [1-9]/);
  });

  it('should answer 429 and keep the connection when Meta answers 368 (temporarily blocked), without a quick retry', async () => {
    const { auth, accountId } = await connectSam();
    await control(stack.sandbox, 'DELETE', '/calls');
    await control(stack.sandbox, 'POST', '/faults', {
      path: 'oauth/access_token',
      count: 1,
      error: { code: 368, subcode: 1390008 },
    });
    const res = await refresh(auth, accountId).expect(429);
    expect(res.body.code).toBe('META_RATE_LIMITED');
    expect(res.body.message).toMatch(/temporarily blocked/);
    expect(await exchanges()).toHaveLength(1);
    expect(await row(accountId)).toMatchObject({ status: 'active', is_valid: true });
  });
});
