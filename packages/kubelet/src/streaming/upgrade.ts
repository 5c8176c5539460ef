// HTTP upgrade plumbing: answering the client on a raw socket, and upgrading a connection to the
// runtime's streaming server (SPDY/3.1 with X-Stream-Protocol-Version negotiation).
import { request as httpRequest, STATUS_CODES, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { failureStatus } from './status.js';

export const HEADER_PROTOCOL_VERSION = 'X-Stream-Protocol-Version';
export const SPDY_31 = 'SPDY/3.1';
/** How long the runtime's streaming server may take to answer the upgrade. */
const UPSTREAM_TIMEOUT_MS = 30_000;

/** Writes a complete HTTP response and closes the socket (nothing was upgraded). */
export function writeHttpResponse(socket: Duplex, code: number, contentType: string, body: string): void {
  if (socket.destroyed || !socket.writable) return;
  const payload = Buffer.from(body, 'utf8');
  const head =
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: ${payload.length}\r\nCache-Control: no-cache, private\r\n` +
    'Connection: close\r\n\r\n';
  socket.on('error', () => undefined);
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
}

/** Writes an HTTP error (Status JSON body, Kubernetes shape) on a socket that was not upgraded. */
export function rejectUpgrade(socket: Duplex, code: number, message: string): void {
  writeHttpResponse(socket, code, 'application/json', JSON.stringify(failureStatus(code, message)));
}

/** Header values as a list: repeated header lines and comma-joined values both count. */
export function headerList(req: IncomingMessage, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== lower) continue;
    for (const v of req.rawHeaders[i + 1]!.split(',')) if (v.trim()) out.push(v.trim());
  }
  return out;
}

/** 'websocket' or 'spdy' for an upgrade request, undefined otherwise. */
export function upgradeKind(req: IncomingMessage): 'websocket' | 'spdy' | undefined {
  const connection = headerList(req, 'connection').map((v) => v.toLowerCase());
  if (!connection.includes('upgrade')) return undefined;
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return 'websocket';
  if (upgrade === SPDY_31.toLowerCase()) return 'spdy';
  return undefined;
}

export interface UpstreamUpgrade {
  socket: Socket;
  /** Bytes that arrived right after the 101 response (already SPDY). */
  head: Buffer;
  /** The X-Stream-Protocol-Version the server chose ('' when it named none). */
  protocol: string;
}

/** The streaming server refused the upgrade: its status and body, for passing on to the client. */
export class UpstreamRefused extends Error {
  constructor(
    readonly statusCode: number,
    readonly contentType: string,
    readonly body: string,
  ) {
    super(`streaming server answered ${statusCode}: ${body.trim().slice(0, 200)}`);
    this.name = 'UpstreamRefused';
  }
}

/** POSTs a SPDY/3.1 upgrade offering `protocols` to a runtime streaming URL. */
export function dialUpgrade(rawUrl: string, protocols: string[]): Promise<UpstreamUpgrade> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      reject(new Error(`invalid streaming URL ${JSON.stringify(rawUrl)}`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new Error(`unsupported streaming URL scheme ${url.protocol}`));
      return;
    }
    const headers: Record<string, string | string[]> = { Connection: 'Upgrade', Upgrade: SPDY_31 };
    if (protocols.length > 0) headers[HEADER_PROTOCOL_VERSION] = protocols;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers,
      agent: false,
      timeout: UPSTREAM_TIMEOUT_MS,
    });
    req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      const upgrade = (res.headers.upgrade ?? '').toLowerCase();
      if (upgrade !== SPDY_31.toLowerCase()) {
        socket.destroy();
        reject(new Error(`streaming server upgraded to ${JSON.stringify(res.headers.upgrade)}, not ${SPDY_31}`));
        return;
      }
      socket.setTimeout(0);
      socket.setNoDelay(true);
      const protocol = res.headers[HEADER_PROTOCOL_VERSION.toLowerCase()];
      resolve({ socket, head, protocol: (Array.isArray(protocol) ? protocol[0] : protocol) ?? '' });
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        reject(new UpstreamRefused(res.statusCode ?? 500, res.headers['content-type'] ?? 'text/plain', Buffer.concat(chunks).toString('utf8'))),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out waiting for the streaming server')));
    req.on('error', reject);
    req.end();
  });
}

/** Answers the client's SPDY upgrade with 101 and the negotiated protocol. */
export function writeSpdySwitch(socket: Duplex, protocol: string): void {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', `Upgrade: ${SPDY_31}`];
  if (protocol) lines.push(`${HEADER_PROTOCOL_VERSION}: ${protocol}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
}

/**
 * Splices two upgraded connections together. pipe() carries backpressure and half-closes; a side
 * that closes ends the other gracefully (so its buffered writes still go out), an error kills both.
 */
export function spliceSockets(client: Duplex, clientHead: Buffer, upstream: Duplex, upstreamHead: Buffer): void {
  if (upstreamHead.length > 0) client.write(upstreamHead);
  if (clientHead.length > 0) upstream.write(clientHead);
  client.pipe(upstream);
  upstream.pipe(client);
  const kill = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', kill).on('close', () => upstream.end());
  upstream.on('error', kill).on('close', () => client.end());
}

/** Sends a refused upstream upgrade (or any getUrl/dial failure) to the client as an HTTP error. */
export function rejectWith(socket: Duplex, err: unknown, fallbackCode: number): void {
  if (err instanceof UpstreamRefused) {
    writeHttpResponse(socket, err.statusCode, err.contentType, err.body);
    return;
  }
  rejectUpgrade(socket, fallbackCode, err instanceof Error ? err.message : String(err));
}
