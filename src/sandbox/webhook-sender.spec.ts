import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliver, hubSignatureHeaders, metaJson, signedRequest, webhookUrlsFor } from './webhook-sender';

describe('webhook-sender', () => {
  it('should build the reference signed_request (graph-api.md §12, secret "key")', () => {
    expect(signedRequest({ user_id: '0', algorithm: 'HMAC-SHA256', issued_at: 1624244156 }, 'key')).toBe(
      'Mf_s6nTb38UYqioBmPqu0Ewm9souPZB9I2fIGwV729U.eyJ1c2VyX2lkIjoiMCIsImFsZ29yaXRobSI6IkhNQUMtU0hBMjU2IiwiaXNzdWVkX2F0IjoxNjI0MjQ0MTU2fQ',
    );
  });

  it('should escape non-ASCII as lowercase \\uXXXX and / as \\/ and still parse back to the same value', () => {
    const value = { name: 'José Café ☕ 😀', url: 'https://x.test/a/b', quote: 'a\\/b"c' };
    const wire = metaJson(value);
    expect(wire).toContain('Jos\\u00e9 Caf\\u00e9 \\u2615 \\ud83d\\ude00');
    expect(wire).toContain('https:\\/\\/x.test\\/a\\/b');
    expect(/[^\x00-\x7f]/.test(wire)).toBe(false);
    expect(JSON.parse(wire)).toEqual(value);
  });

  it('should sign the exact bytes with sha256 and legacy sha1', () => {
    const body = Buffer.from(metaJson({ object: 'instagram', entry: [] }));
    const h = hubSignatureHeaders(body, 's');
    expect(h['X-Hub-Signature-256']).toBe(`sha256=${createHmac('sha256', 's').update(body).digest('hex')}`);
    expect(h['X-Hub-Signature']).toBe(`sha1=${createHmac('sha1', 's').update(body).digest('hex')}`);
  });

  it('should point at the product routes under a base URL', () => {
    expect(webhookUrlsFor('http://localhost:8000/')).toEqual({
      deauthorizeUrl: 'http://localhost:8000/webhooks/facebook/deauthorize',
      dataDeletionUrl: 'http://localhost:8000/webhooks/facebook/data-deletion',
      instagramUrl: 'http://localhost:8000/webhooks/instagram',
      instagramDeauthorizeUrl: 'http://localhost:8000/webhooks/instagram/deauthorize',
      instagramDataDeletionUrl: 'http://localhost:8000/webhooks/instagram/data-deletion',
    });
  });

  describe('deliver', () => {
    let server: Server;
    let url: string;
    let answers: number[];
    let received: Array<{ headers: IncomingMessage['headers']; body: string }>;
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          const status = answers.shift() ?? 200;
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      answers = [];
      received = [];
    });

    it('should retry on non-2xx with backoff until it is accepted', async () => {
      answers = [500, 503];
      const started = Date.now();
      const r = await deliver(
        url,
        { headers: { 'Content-Type': 'text/plain' }, body: 'x' },
        { retries: 3, backoffMs: 20, timeoutMs: 2000 },
      );
      expect(r).toMatchObject({ delivered: true, attempts: 3, status: 200, response: { status: 200 } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40);
      expect(received.map((x) => x.body)).toEqual(['x', 'x', 'x']);
    });

    it('should give up after the configured retries and report the last answer', async () => {
      answers = [401, 401, 401, 401];
      const r = await deliver(url, { headers: {}, body: 'x' }, { retries: 2, backoffMs: 1, timeoutMs: 2000 });
      expect(r).toMatchObject({ delivered: false, attempts: 3, status: 401 });
    });

    it('should report a network failure without throwing', async () => {
      const r = await deliver(
        'http://127.0.0.1:1/nothing',
        { headers: {}, body: 'x' },
        { retries: 1, backoffMs: 1, timeoutMs: 500 },
      );
      expect(r.delivered).toBe(false);
      expect(r.status).toBeNull();
      expect(r.attempts).toBe(2);
    });
  });
});
