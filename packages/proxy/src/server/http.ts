// Plain-HTTP listeners for the healthz and metrics ports ("IP:port" bind addresses, as upstream's
// servers: no TLS). Port 0 picks a free port (tests read it back).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { splitHostPort } from '../config/hostport.js';

export interface HttpListener { server: Server; port: number; close(): Promise<void> }

export async function listenHttp(bindAddress: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpListener> {
  const hp = splitHostPort(bindAddress);
  if (hp instanceof Error) throw hp;
  const [host, port] = hp;
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(port), host || '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export function notFound(res: ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end('404 page not found\n');
}
