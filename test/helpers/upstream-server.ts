/**
 * Plain node:http servers on loopback that sync and webhook tests stand up as upstreams, fronts
 * and receivers: the test writes the handler, this listens on an ephemeral port, gives the URL
 * and closes. Closing also drops kept-alive connections, so an afterAll never waits for a
 * client's idle socket to time out.
 */
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  readonly server: Server;
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listen with `handler` on `host` (default 127.0.0.1), on `port` (default: a free one). */
export async function listenOnLoopback(
  handler: RequestListener,
  host = '127.0.0.1',
  port = 0,
): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answer 200 with `text` as JSON, with its length, as a publisher does. */
export function sendJsonText(res: ServerResponse, text: string): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Answer 200 with `body` serialised as JSON. */
export function sendJson(res: ServerResponse, body: unknown): void {
  sendJsonText(res, JSON.stringify(body));
}

/** The 404 a fake upstream gives for a path it does not serve. */
export function sendNoRoute(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"no route"}');
}
