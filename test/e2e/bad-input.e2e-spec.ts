import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { SANDBOX_APP_SECRET } from '../../src/config/app-config';
import { hubSignatureHeaders, metaJson } from '../../src/sandbox/webhook-sender';
import { newUser, startStack, type Stack } from '../helpers/stack';

/** Issue 10: every one of these answered 500; each is a 4xx with the usual envelope. */
describe('bad input never becomes a 500 (e2e)', () => {
  let stack: Stack;
  let auth: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ auth } = await newUser(stack));
  });
  afterAll(async () => stack.close());

  const envelope = (status: number, code: string) => ({ statusCode: status, code, message: expect.any(String) });
  const json = (path: string, text: string) => stack.http().post(path).set('Content-Type', 'application/json').send(text);

  describe('a stray Authorization header', () => {
    it('should not fail a public route (health probes, register, Meta callbacks) that never reads it', async () => {
      await stack.http().get('/health').set('Authorization', 'Bearer not-a-jwt').expect(200);
      const res = await stack
        .http()
        .post('/auth/login')
        .set('Authorization', 'Bearer not-a-jwt')
        .send({ email: 'nobody@example.com', password: 'wrong-password' });
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    });

    it('should still refuse an invalid bearer on the OAuth callback, which decides with it', async () => {
      const res = await stack
        .http()
        .get('/social/facebook/callback?state=x&code=y')
        .set('Accept', 'application/json')
        .set('Authorization', 'Bearer not-a-jwt');
      expect(res.body).toEqual(envelope(401, 'AUTH_TOKEN_INVALID'));
    });
  });

  describe('query strings', () => {
    it.each(['/health?%=1', '/health?a=%E0%A4%A', '/health?a=%FF', '/social/status?%ED%A0%80=1'])(
      'should answer %s with 400 MALFORMED_QUERY',
      async (url) => {
        const res = await stack.http().get(url).set('Authorization', auth);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(envelope(400, 'MALFORMED_QUERY'));
      },
    );

    it('should refuse a repeated state on the callback with 400 MALFORMED_QUERY, with or without a bearer', async () => {
      for (const bearer of [auth, null]) {
        const req = stack.http().get('/social/facebook/callback?state=a&state=b&code=c').set('Accept', 'application/json');
        const res = await (bearer ? req.set('Authorization', bearer) : req);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(envelope(400, 'MALFORMED_QUERY'));
        expect(res.body.message).toContain("'state'");
      }
    });

    it('should still read well-formed queries, percent-encoded ones included', async () => {
      expect((await stack.http().get('/health?a=%41+b&c=%C3%A9')).status).toBe(200);
      const res = await stack.http().get('/social/alerts?unread=%74rue').set('Authorization', auth);
      expect(res.status).toBe(200);
    });
  });

  describe('JSON bodies', () => {
    it.each([
      ['arrays', `{"email":${'['.repeat(5000)}${']'.repeat(5000)},"password":"a-good-password"}`],
      ['objects', `{"email":"deep@example.com","password":"a-good-password","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
    ])('should answer JSON nested thousands of levels deep (%s) with 400 BODY_TOO_DEEP', async (_kind, text) => {
      const res = await json('/auth/register', text);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope(400, 'BODY_TOO_DEEP'));
    });

    it.each([
      ['a lone high surrogate in the email', '{"email":"a\\ud800@example.com","password":"a-good-password"}'],
      ['a lone low surrogate in the password', '{"email":"lone@example.com","password":"a-good-\\udc00password"}'],
      ['a high surrogate followed by a non-surrogate', '{"email":"pair@example.com","password":"a-good-\\ud800\\u0041pass"}'],
      ['a NUL in the password', '{"email":"nul@example.com","password":"a-good-\\u0000password"}'],
      ['a lone surrogate in a key', '{"\\ud800":1,"email":"key@example.com","password":"a-good-password"}'],
    ])('should answer %s with 400 INVALID_CHARACTERS and register nobody', async (_name, text) => {
      for (const path of ['/auth/register', '/auth/login']) {
        const res = await json(path, text);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(envelope(400, 'INVALID_CHARACTERS'));
      }
      const [{ n }] = await stack.api.app
        .get(DataSource)
        .query<Array<{ n: number }>>(
          `SELECT count(*)::int n FROM users WHERE email IN ('lone@example.com','pair@example.com','nul@example.com','key@example.com')`,
        );
      expect(n).toBe(0);
    });

    it('should accept a well-formed surrogate pair (an emoji) and keep MALFORMED_JSON for broken JSON', async () => {
      const ok = await json('/auth/register', '{"email":"emoji@example.com","password":"a-good-\\ud83d\\ude00-password"}');
      expect(ok.status).toBe(201);
      const broken = await json('/auth/register', '{"email":');
      expect(broken.body).toEqual(envelope(400, 'MALFORMED_JSON'));
    });
  });

  describe('errors carrying their own status keep it', () => {
    it.each(['identity, gzip', 'bogus', 'gzip, gzip'])(
      'should answer Content-Encoding "%s" with 415 UNSUPPORTED_ENCODING',
      async (enc) => {
        const res = await stack
          .http()
          .post('/auth/register')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', enc)
          .send('{}');
        expect(res.status).toBe(415);
        expect(res.body).toEqual(envelope(415, 'UNSUPPORTED_ENCODING'));
      },
    );

    it('should answer an unsupported charset with 415 UNSUPPORTED_ENCODING', async () => {
      for (const type of [
        'application/json; charset=latin-99',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded; charset=utf-16',
      ]) {
        const res = await stack.http().post('/auth/register').set('Content-Type', type).send('{}');
        expect(res.status).toBe(415);
        expect(res.body).toEqual(envelope(415, 'UNSUPPORTED_ENCODING'));
      }
    });

    it('should answer a corrupt gzip body with 400 MALFORMED_BODY and still read a good one', async () => {
      const bad = await stack
        .http()
        .post('/auth/register')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('not gzip at all');
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual(envelope(400, 'MALFORMED_BODY'));
      const good = stack.http().post('/auth/register').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip');
      good.write(gzipSync('{"email":"gzip@example.com","password":"a-good-password"}'));
      expect((await good).status).toBe(201);
    });

    it('should answer too many form parameters with 413 PAYLOAD_TOO_LARGE', async () => {
      const form = Array.from({ length: 1200 }, (_, i) => `k${i}=1`).join('&');
      const res = await stack.http().post('/auth/register').type('form').send(form);
      expect(res.status).toBe(413);
      expect(res.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));
    });
  });

  describe('body limits', () => {
    const bigPayload = () =>
      Buffer.from(
        metaJson({
          object: 'instagram',
          entry: [
            { id: '17841400000000999', time: 1764230600, changes: [{ field: 'comments', value: { text: 'x'.repeat(500_000) } }] },
          ],
        }),
      );

    it('should accept a 500 kB webhook signed over its raw bytes', async () => {
      const body = bigPayload();
      const res = await stack
        .http()
        .post('/webhooks/instagram')
        .set('Content-Type', 'application/json')
        .set(hubSignatureHeaders(body, SANDBOX_APP_SECRET))
        .send(body.toString('utf8'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
    });

    it('should still refuse a webhook over 1 MB with 413, and a 500 kB body anywhere else', async () => {
      const huge = Buffer.from(JSON.stringify({ object: 'instagram', entry: [], pad: 'x'.repeat(1_100_000) }));
      const tooBig = await stack
        .http()
        .post('/webhooks/instagram')
        .set('Content-Type', 'application/json')
        .set(hubSignatureHeaders(huge, SANDBOX_APP_SECRET))
        .send(huge.toString('utf8'));
      expect(tooBig.status).toBe(413);
      expect(tooBig.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));

      const register = await json('/auth/register', JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(500_000) }));
      expect(register.status).toBe(413);
      expect(register.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));
    });
  });
});
