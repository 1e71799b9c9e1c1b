import type { Response } from 'supertest';
import { declaredSchema, shapeErrors, type OpenApiDocument } from '../helpers/openapi-shape';
import { ALEX_ID, ACME_COFFEE_IG, control } from '../helpers/sandbox';
import { callback, dialog, startStack, type Stack } from '../helpers/stack';

/**
 * The OpenAPI document against real answers (issue 16): every main route of the happy path, and
 * every error answer met on the way, is checked against the schema /docs-json declares for that
 * route, method and status (required properties, types, no undocumented properties).
 */
describe('OpenAPI document vs real answers (e2e)', () => {
  let stack: Stack;
  let doc: OpenApiDocument;
  const problems: string[] = [];
  const checked: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
    doc = (await stack.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(async () => stack?.close());

  /** Checks one real answer against the document; error answers also against the error schema. */
  function conforms(res: Response, method: string, route: string): Response {
    const label = `${method.toUpperCase()} ${route} → ${res.status}`;
    checked.push(label);
    const schema = declaredSchema(doc, route, method, res.status);
    if (typeof schema === 'string') problems.push(`${label}: ${schema}`);
    else problems.push(...shapeErrors(doc, schema, res.body).map((e) => `${label}: ${e}`));
    if (res.status >= 400) {
      const errorSchema = doc.components?.schemas?.ErrorBodyDto;
      if (!errorSchema) problems.push('the document has no ErrorBodyDto schema');
      else problems.push(...shapeErrors(doc, errorSchema, res.body).map((e) => `${label} (error schema): ${e}`));
    }
    return res;
  }

  it('should describe every answer of the happy path and its errors exactly', async () => {
    const http = () => stack.http();
    const email = `shapes-${Date.now()}@example.com`;
    const password = 'a-good-password';

    // auth
    conforms(await http().post('/auth/register').send({ email, password }), 'post', '/auth/register');
    conforms(await http().post('/auth/register').send({ email, password }), 'post', '/auth/register'); // taken
    conforms(await http().post('/auth/register').send({ email: 'not-an-email', password }), 'post', '/auth/register');
    conforms(await http().post('/auth/login').send({ email, password: 'wrong-password' }), 'post', '/auth/login');
    const login = conforms(await http().post('/auth/login').send({ email, password }), 'post', '/auth/login');
    const auth = `Bearer ${login.body.access_token as string}`;
    conforms(await http().get('/auth/me').set('Authorization', auth), 'get', '/auth/me');
    conforms(await http().get('/auth/me'), 'get', '/auth/me'); // no bearer

    // connect: login URL, callback (two accounts → needs_selection), select
    conforms(await http().post('/social/facebook/login').set('Authorization', auth).send({}), 'post', '/social/facebook/login');
    conforms(await http().get('/social/status').set('Authorization', auth), 'get', '/social/status'); // nothing connected
    const search = await dialog(stack, auth, { user: ALEX_ID });
    const cb = conforms(await callback(stack, auth, search), 'get', '/social/facebook/callback');
    expect(cb.body.status).toBe('needs_selection');
    conforms(await callback(stack, null, search), 'get', '/social/facebook/callback'); // no bearer
    conforms(await callback(stack, auth, '?code=x&state=unknown-state'), 'get', '/social/facebook/callback');
    const state = cb.body.state as string;
    conforms(
      await http().post('/social/facebook/select').set('Authorization', auth).send({ state, ig_user_ids: [] }),
      'post',
      '/social/facebook/select',
    );
    const ids = (cb.body.candidates as Array<{ ig_user_id: string }>).map((c) => c.ig_user_id);
    expect(ids).toContain(ACME_COFFEE_IG);
    const selected = conforms(
      await http().post('/social/facebook/select').set('Authorization', auth).send({ state, ig_user_ids: ids }),
      'post',
      '/social/facebook/select',
    );
    expect(selected.body.status).toBe('connected');
    conforms(await callback(stack, auth, search), 'get', '/social/facebook/callback'); // replay: connected

    // accounts
    conforms(await http().get('/social/status').set('Authorization', auth), 'get', '/social/status');
    const list = conforms(await http().get('/social/accounts').set('Authorization', auth), 'get', '/social/accounts');
    const [first, second] = (list.body.accounts as Array<{ id: number }>).map((a) => a.id);
    conforms(await http().get(`/social/accounts/${first}`).set('Authorization', auth), 'get', '/social/accounts/{id}');
    conforms(await http().get('/social/accounts/999999').set('Authorization', auth), 'get', '/social/accounts/{id}');
    conforms(
      await http().patch(`/social/accounts/${second}`).set('Authorization', auth).send({ is_default: true }),
      'patch',
      '/social/accounts/{id}',
    );
    conforms(
      await http().patch(`/social/accounts/${second}`).set('Authorization', auth).send({ is_default: false }),
      'patch',
      '/social/accounts/{id}',
    );
    conforms(
      await http().get(`/social/accounts/${first}/events`).set('Authorization', auth),
      'get',
      '/social/accounts/{id}/events',
    );

    // refresh (healthy, then a dead token raising an alert)
    conforms(await http().post('/social/refresh-token').set('Authorization', auth), 'post', '/social/refresh-token');
    await control(stack.sandbox, 'POST', `/users/${ALEX_ID}/invalidate`, { subcode: 460 });
    conforms(
      await http().post(`/social/accounts/${first}/refresh-token`).set('Authorization', auth),
      'post',
      '/social/accounts/{id}/refresh-token',
    );
    await control(stack.sandbox, 'POST', '/faults', { path: 'debug_token', count: 10, error: { code: 2 } });
    conforms(
      await http().post(`/social/accounts/${second}/refresh-token`).set('Authorization', auth),
      'post',
      '/social/accounts/{id}/refresh-token',
    ); // Meta unavailable
    await control(stack.sandbox, 'DELETE', '/faults');

    // alerts
    const alerts = conforms(await http().get('/social/alerts').set('Authorization', auth), 'get', '/social/alerts');
    const alertId = (alerts.body.alerts as Array<{ id: number }>)[0]?.id;
    expect(alertId).toBeDefined();
    conforms(await http().post(`/social/alerts/${alertId}/read`).set('Authorization', auth), 'post', '/social/alerts/{id}/read');
    conforms(await http().post('/social/alerts/999999/read').set('Authorization', auth), 'post', '/social/alerts/{id}/read');

    // no bearer, and bad bodies, on the social routes
    conforms(await http().get('/social/status'), 'get', '/social/status');
    conforms(await http().get('/social/accounts'), 'get', '/social/accounts');
    conforms(await http().post('/social/refresh-token'), 'post', '/social/refresh-token');
    conforms(await http().get('/social/alerts'), 'get', '/social/alerts');
    conforms(await http().delete('/social/disconnect'), 'delete', '/social/disconnect');
    conforms(
      await http().post('/social/facebook/login').set('Authorization', auth).send({ account_id: 'x' }),
      'post',
      '/social/facebook/login',
    );
    const denied = await dialog(stack, auth, { deny: true });
    conforms(await callback(stack, auth, denied), 'get', '/social/facebook/callback'); // OAUTH_DENIED with reason

    // disconnect
    conforms(await http().delete(`/social/accounts/${second}`).set('Authorization', auth), 'delete', '/social/accounts/{id}');
    conforms(await http().delete('/social/disconnect').set('Authorization', auth), 'delete', '/social/disconnect');
    conforms(await http().delete('/social/disconnect').set('Authorization', auth), 'delete', '/social/disconnect'); // again

    expect(checked.length).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});
