import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived. */
  raw: string;
  at: number;
}

/**
 * A real HTTP server on a free loopback port standing in for an integrator's endpoint: it keeps
 * every request and answers what `respond` says (default 200).
 */
export async function startReceiver(): Promise<{
  url: string;
  received: ReceivedDelivery[];
  respond: (n: number) => number;
  setRespond(fn: (n: number) => number): void;
  close(): Promise<void>;
}> {
  const received: ReceivedDelivery[] = [];
  let respond: (n: number) => number = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.statusCode = respond(received.length);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get respond() {
      return respond;
    },
    setRespond(fn) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
