// port-forward: kubectl 1.32 tunnels SPDY/3.1 inside WebSocket binary messages (subprotocol
// `SPDY/3.1+portforward.k8s.io`, upstream apiserver streamtunnel.go) and falls back to a plain
// SPDY/3.1 upgrade. Either way the SPDY session is the client's own with the runtime's port-forward
// server: we negotiate the protocol with the runtime, then carry the bytes unchanged.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { connectRuntime, serveSpdyPassthrough } from './remotecommand.js';
import { rejectUpgrade, upgradeKind } from './upgrade.js';
import { acceptWebSocket, offeredSubprotocols, websocketHandshakeError, WsSender } from './websocket.js';

export const TUNNELING_PREFIX = 'SPDY/3.1+';
const KUBERNETES_SUFFIX = '.k8s.io';

export function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, getUrl: () => Promise<string>, log?: Logger): void {
  socket.on('error', (err: Error) => log?.debug({ err }, 'portforward: client socket error'));
  const run = async (): Promise<void> => {
    const kind = upgradeKind(req);
    if (kind === 'spdy') return serveSpdyPassthrough(req, socket, head, getUrl, log);
    if (kind !== 'websocket') return rejectUpgrade(socket, 400, 'unable to upgrade: missing upgrade headers in request');
    const bad = websocketHandshakeError(req);
    if (bad) return rejectUpgrade(socket, 400, bad);
    const spdyProtocols = offeredSubprotocols(req)
      .filter((p) => p.startsWith(TUNNELING_PREFIX) && p.endsWith(KUBERNETES_SUFFIX))
      .map((p) => p.slice(TUNNELING_PREFIX.length));
    if (spdyProtocols.length === 0) return rejectUpgrade(socket, 400, 'unable to upgrade: no tunneling spdy protocols provided');
    const up = await connectRuntime(socket, getUrl, spdyProtocols);
    if (!up) return;
    let ws: WebSocket;
    try {
      ws = await acceptWebSocket(req, socket, head, up.protocol ? TUNNELING_PREFIX + up.protocol : undefined);
    } catch (err) {
      up.socket.destroy();
      throw err;
    }
    tunnel(ws, up.socket, up.head, log);
  };
  run().catch((err: unknown) => {
    log?.warn({ err }, 'portforward: request failed');
    socket.destroy();
  });
}

/** WebSocket binary messages <-> the raw SPDY byte stream, with backpressure both ways. */
function tunnel(ws: WebSocket, upstream: Duplex, upstreamHead: Buffer, log?: Logger): void {
  const sender = new WsSender(ws, upstream);
  if (upstreamHead.length > 0) sender.send(upstreamHead);
  upstream.on('data', (d: Buffer) => sender.send(d));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || upstream.destroyed) return;
    if (!upstream.write(data)) {
      ws.pause();
      upstream.once('drain', () => ws.resume());
    }
  });
  const closeWs = (): void => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  };
  upstream.on('end', closeWs);
  upstream.on('close', closeWs);
  upstream.on('error', (err: Error) => {
    log?.debug({ err }, 'portforward: runtime connection error');
    ws.terminate();
  });
  ws.on('close', () => upstream.end());
  ws.on('error', (err: Error) => {
    log?.debug({ err }, 'portforward: websocket error');
    upstream.destroy();
  });
}
