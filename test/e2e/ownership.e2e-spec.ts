import { DataSource } from 'typeorm';
import { SAM_ID, control } from '../helpers/sandbox';
import { callback, dialog, newUser, startStack, type Stack } from '../helpers/stack';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/**
 * Broken object-level authorization, checked across the whole API: every route of the OpenAPI
 * document that takes an id is called by another user with the owner's id. Every answer is a 404
 * that reveals nothing, and nothing changes in the database.
 */
describe('ownership on every id-bearing route (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.close());

  it("should answer 404 with none of the owner's data and change nothing when another user uses the owner's ids", async () => {
    const db = stack.api.app.get(DataSource);
    const owner = await newUser(stack);
    const intruder = await newUser(stack);
    const connected = await callback(stack, owner.auth, await dialog(stack, owner.auth, { user: SAM_ID })).expect(200);
    const accountId = connected.body.accounts[0].id as number;
    await control(stack.sandbox, 'POST', `/users/${SAM_ID}/invalidate`, { subcode: 460 });
    await stack.http().post(`/social/accounts/${accountId}/refresh-token`).set('Authorization', owner.auth).expect(200);
    const alerts = await stack.http().get('/social/alerts').set('Authorization', owner.auth).expect(200);
    const alertId = alerts.body.alerts[0]?.id as number;
    expect(alertId).toBeDefined();
    expect(alerts.body.alerts[0]).toMatchObject({
      account_id: accountId,
      instagram_username: 'sam.studio',
      kind: 'token_invalid',
    });

    const doc = (await stack.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const snapshot = async () =>
      JSON.stringify([
        await db.query(`SELECT * FROM instagram_tokens ORDER BY id`),
        await db.query(`SELECT * FROM alerts ORDER BY id`),
        await db.query(`SELECT count(*) FROM token_events`),
      ]);
    const before = await snapshot();
    const checked: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      for (const [method, op] of Object.entries(ops)) {
        if (!op.security?.length) continue; // public routes (Meta callbacks, signed links) carry no user id
        const id = path.startsWith('/social/alerts') ? alertId : accountId;
        const url = path.replace(/\{[^}]+\}/g, String(id));
        const res = await stack
          .http()
          [method as Method](url)
          .set('Authorization', intruder.auth)
          .send(method === 'patch' ? { is_default: true } : {});
        expect([method, path, res.status]).toEqual([method, path, 404]);
        expect(JSON.stringify(res.body)).not.toMatch(/sam\.studio|Sam's Studio/);
        checked.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(6);
    expect(await snapshot()).toBe(before);
  });
});
