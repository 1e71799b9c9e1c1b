import { SEEDED_LOGIN_CONFIG_ID } from '../../src/sandbox/sandbox-state';
import { SAM_ID, control } from '../helpers/sandbox';
import { callback, newUser, startStack, type Stack } from '../helpers/stack';

/**
 * Facebook Login for Business (FACEBOOK_LOGIN_CONFIG_ID): the dialog URL carries config_id and no
 * scope, and the sandbox's dialog grants the configuration's permissions, all of them.
 */
describe('Facebook Login for Business: config_id in place of scope (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ FACEBOOK_LOGIN_CONFIG_ID: SEEDED_LOGIN_CONFIG_ID });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await control(stack.sandbox, 'POST', '/reset', { seed: true });
  });

  async function loginUrl(auth: string): Promise<URL> {
    const res = await stack.http().post('/social/facebook/login').set('Authorization', auth).send({}).expect(200);
    return new URL(res.body.login_url as string);
  }

  it('should send config_id without scope and connect through the consent page', async () => {
    const user = await newUser(stack);
    const url = await loginUrl(user.auth);
    expect(url.searchParams.get('config_id')).toBe(SEEDED_LOGIN_CONFIG_ID);
    expect(url.searchParams.has('scope')).toBe(false);

    // the consent page lists the configuration's permissions, locked (Login for Business: all or nothing)
    const html = await (await fetch(url)).text();
    expect(html).toContain('id="perm-instagram_content_publish" checked disabled');
    expect(html).toContain(`name="config_id" value="${SEEDED_LOGIN_CONFIG_ID}"`);

    // submit the form as the browser would: the hidden fields, Sam, his Page, Approve
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form.append(m[1], m[2].replace(/&amp;/g, '&'));
    form.set('user', SAM_ID);
    form.append('pages', '110000000000004');
    form.set('action', 'approve');
    const confirm = await fetch(new URL(`/v25.0/dialog/oauth/confirm`, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(confirm.status).toBe(302);
    const back = new URL(confirm.headers.get('location') as string);
    expect(back.searchParams.get('code')).toBeTruthy();

    const res = await callback(stack, user.auth, back.search).expect(200);
    expect(res.body.status).toBe('connected');
    expect(res.body.accounts[0].instagram_username).toBe('sam.studio');
  });

  it('should refuse a declined permission under Login for Business, and an unknown configuration, on an error page', async () => {
    const user = await newUser(stack);
    const url = await loginUrl(user.auth);
    url.searchParams.set('sandbox_auto', 'approve');
    url.searchParams.set('sandbox_user', SAM_ID);
    url.searchParams.set('sandbox_decline', 'instagram_content_publish');
    const declined = await fetch(url, { redirect: 'manual' });
    expect(declined.status).toBe(400);
    expect(await declined.text()).toContain('Permissions required');

    url.searchParams.delete('sandbox_decline');
    url.searchParams.set('config_id', '799999999999999');
    const unknown = await fetch(url, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Invalid configuration');
  });

  it('should grant what the configuration asks for, whatever scope says', async () => {
    const created = await control<{ id: string }>(stack.sandbox, 'POST', '/apps/login-configs', {
      permissions: ['instagram_basic', 'pages_show_list'],
    });
    const url = await loginUrl((await newUser(stack)).auth);
    url.searchParams.set('config_id', created.id);
    url.searchParams.set('scope', 'instagram_content_publish,business_management');
    url.searchParams.set('sandbox_auto', 'approve');
    url.searchParams.set('sandbox_user', SAM_ID);
    url.searchParams.set('response_type', 'code,granted_scopes');
    const res = await fetch(url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location') as string);
    expect(back.searchParams.get('granted_scopes')?.split(',').sort()).toEqual([
      'instagram_basic',
      'pages_show_list',
      'public_profile',
    ]);
  });
});
