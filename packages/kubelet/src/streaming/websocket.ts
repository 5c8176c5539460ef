// The client side of exec/attach/port-forward when it speaks WebSocket (kubectl 1.32 does): handshake
// checks done before the runtime is asked for a URL, the upgrade itself (the `ws` package), and a
// sender that pauses its source while the client is not reading.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { headerList } from './upgrade.js';

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Why this WebSocket handshake cannot succeed, or undefined when it can. */
export function websocketHandshakeError(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return `unable to upgrade: websocket requires GET, not ${req.method ?? ''}`;
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return 'unable to upgrade: unsupported Sec-WebSocket-Version';
  if (!WS_KEY.test((req.headers['sec-websocket-key'] ?? '').trim())) return 'unable to upgrade: invalid Sec-WebSocket-Key';
  return undefined;
}

/** Subprotocols the client offered, in its order of preference. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  return headerList(req, 'sec-websocket-protocol');
}

/**
 * Completes the upgrade answering with `protocol` (none when undefined); rejects if the socket dies
 * first. Kubernetes subprotocols such as `SPDY/3.1+portforward.k8s.io` contain '/', which is not an
 * RFC 7230 token, and `ws` refuses such a Sec-WebSocket-Protocol header outright; gorilla (kubectl)
 * and the apiserver accept it. So the header is taken out of `ws`'s sight (we chose already) and our
 * answer is added to the response headers.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string | undefined): Promise<WebSocket> {
  delete req.headers['sec-websocket-protocol'];
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  if (protocol) wss.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('client connection closed during the WebSocket handshake'));
    socket.once('close', onClose);
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', onClose);
      ws.binaryType = 'nodebuffer';
      resolve(ws);
    });
  });
}

/** Queued bytes above which the source is paused, and below which it is resumed. */
const HIGH_WATER = 4 << 20;
const LOW_WATER = 1 << 20;

/** Sends binary messages, pausing `source` while the client has more than HIGH_WATER unacknowledged. */
export class WsSender {
  private inFlight = 0;
  private paused = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly source: { pause(): void; resume(): void },
  ) {}

  send(data: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.inFlight += data.length;
    this.ws.send(data, { binary: true }, () => {
      this.inFlight -= data.length;
      if (this.paused && this.inFlight < LOW_WATER) {
        this.paused = false;
        this.source.resume();
      }
    });
    if (!this.paused && this.inFlight > HIGH_WATER) {
      this.paused = true;
      this.source.pause();
    }
  }
}
