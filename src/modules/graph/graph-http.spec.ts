import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpCallError, httpCall } from './graph-http';

describe('httpCall (keep-alive HTTP for Meta calls)', () => {
  let server: Server;
  let base: string;
  const sockets = new Set<unknown>();
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  beforeEach(() => sockets.clear());

  it('should answer status, headers (case-insensitive, repeated ones joined) and the whole body', async () => {
    handler = (_req, _body, res) => {
      res.setHeader('X-App-Usage', '{"call_count":1}');
      res.setHeader('X-Many', ['a', 'b']);
      res.statusCode = 400;
      res.end('{"error":{"code":100}}');
    };
    const answer = await httpCall(`${base}/v25.0/me?fields=id`, { method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(answer).toMatchObject({ status: 400, ok: false, text: '{"error":{"code":100}}' });
    expect(answer.headers.get('x-app-usage')).toBe('{"call_count":1}');
    expect(answer.headers.get('X-Many')).toBe('a, b');
    expect(answer.headers.get('x-absent')).toBeNull();
  });

  it('should send a form body with its length and reuse one connection for calls in sequence', async () => {
    const seen: Array<{ method?: string; type?: string; length?: string; body: string }> = [];
    handler = (req, body, res) => {
      seen.push({ method: req.method, type: req.headers['content-type'], length: req.headers['content-length'], body });
      res.end('{"ok":true}');
    };
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    for (let i = 0; i < 3; i++) {
      const answer = await httpCall(`${base}/`, { method: 'POST', headers, body: `batch=é${i}`, timeoutMs: 2000 });
      expect(answer).toMatchObject({ status: 200, ok: true, text: '{"ok":true}' });
    }
    expect(seen[0]).toEqual({ method: 'POST', type: headers['Content-Type'], length: '9', body: 'batch=é0' });
    expect(sockets.size).toBe(1);
  });

  it('should time out a call whose answer does not come, with timedOut set', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const err = await httpCall(`${base}/hang`, { method: 'GET', headers: {}, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('should time out a body that stops half way', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"partial":');
    };
    const err = await httpCall(`${base}/slow`, { method: 'GET', headers: {}, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpCallError', timedOut: true });
  });

  it('should fail, not answer, when the server drops the connection half way through the body', async () => {
    handler = (req, _body, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"partial":', () => req.socket.destroy());
    };
    const err = await httpCall(`${base}/drop`, { method: 'GET', headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpCallError', timedOut: false });
  });

  it('should name a connection failure by its code', async () => {
    const err = await httpCall('http://127.0.0.1:1/', { method: 'GET', headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpCallError', timedOut: false, code: 'ECONNREFUSED' });
  });
});
