import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchVideo, isExampleHost } from './video-fetch';

describe('video-fetch', () => {
  it.each([
    ['cdn.example.com', true],
    ['example.org', true],
    ['media.example', true],
    ['EXAMPLE.NET.', true],
    ['example.com.evil.net', false],
    ['notexample.com', false],
    ['127.0.0.1', false],
    ['api.autoreels.test', false],
  ])('should treat %s as a reserved example host: %s', (host, expected) => {
    expect(isExampleHost(host)).toBe(expected);
  });

  describe('fetchVideo', () => {
    let server: Server;
    let base: string;
    const bytes = Buffer.alloc(200_000, 7);
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/ok.mp4') res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': bytes.length }).end(bytes);
        else res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"code":"UPLOAD_URL_INVALID"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('should hash the streamed body and report its type and length', async () => {
      expect(await fetchVideo(`${base}/ok.mp4`)).toEqual({
        ok: true,
        httpStatus: 200,
        contentType: 'video/mp4',
        contentLength: bytes.length,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    });

    it('should fail on a non-2xx answer, a body over the limit, or no answer at all', async () => {
      expect(await fetchVideo(`${base}/forged.mp4`)).toMatchObject({ ok: false, httpStatus: 403, error: 'HTTP 403' });
      expect(await fetchVideo(`${base}/ok.mp4`, 5000, 1000)).toMatchObject({ ok: false, error: 'larger than 1000 bytes' });
      expect(await fetchVideo('http://127.0.0.1:1/none.mp4', 2000)).toMatchObject({ ok: false, httpStatus: null });
    });
  });
});
