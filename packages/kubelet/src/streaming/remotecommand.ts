// exec/attach: terminates what the client speaks and bridges to the runtime's streaming server.
// - WebSocket v5.channel.k8s.io / v4.channel.k8s.io (kubectl 1.32): translated to a SPDY/3.1
//   client session with the runtime (remotecommand v4), as the apiserver's StreamTranslatorHandler
//   does upstream: one SPDY stream per channel, v5 CLOSE frames become FIN (stdin EOF), the v4
//   error-stream status goes out on channel 3 followed by a normal WebSocket close.
// - plain SPDY/3.1 (kubectl's fallback): both ends speak the same protocol, so once the runtime has
//   accepted the client's protocol list the bytes are spliced through.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { SpdySession, type SpdyStream } from './spdy/session.js';
import { httpCodeFor, internalErrorStatus, SUCCESS_STATUS } from './status.js';
import {
  dialUpgrade,
  HEADER_PROTOCOL_VERSION,
  headerList,
  rejectUpgrade,
  rejectWith,
  spliceSockets,
  upgradeKind,
  writeSpdySwitch,
  type UpstreamUpgrade,
} from './upgrade.js';
import { acceptWebSocket, offeredSubprotocols, websocketHandshakeError, WsSender } from './websocket.js';

export interface RemoteCommandOptions { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
const WS_PROTOCOLS = [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4];

/** WebSocket channel numbers (k8s.io/apimachinery/pkg/util/remotecommand). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** How long the runtime may take to accept our streams (upstream's streamCreationTimeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

export function serveRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: RemoteCommandOptions,
  getUrl: () => Promise<string>,
  log?: Logger,
): void {
  socket.on('error', (err: Error) => log?.debug({ err }, 'remotecommand: client socket error'));
  const run = async (): Promise<void> => {
    // tty merges stderr into stdout (upstream NewOptions), so no stderr stream exists then.
    const o: RemoteCommandOptions = { ...opts, stderr: opts.stderr && !opts.tty };
    if (!o.stdin && !o.stdout && !o.stderr) return rejectUpgrade(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr');
    const kind = upgradeKind(req);
    if (kind === 'spdy') return serveSpdyPassthrough(req, socket, head, getUrl, log);
    if (kind !== 'websocket') return rejectUpgrade(socket, 400, 'unable to upgrade: missing upgrade headers in request');
    const bad = websocketHandshakeError(req);
    if (bad) return rejectUpgrade(socket, 400, bad);
    const offered = offeredSubprotocols(req);
    const protocol = offered.find((p) => WS_PROTOCOLS.includes(p));
    if (!protocol) {
      return rejectUpgrade(socket, 400, `unable to upgrade: requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${WS_PROTOCOLS.join(' ')}]`);
    }
    const up = await connectRuntime(socket, getUrl, [STREAM_PROTOCOL_V4]);
    if (!up) return;
    if (up.protocol !== STREAM_PROTOCOL_V4) {
      up.socket.destroy();
      return rejectUpgrade(socket, 500, `streaming server negotiated ${JSON.stringify(up.protocol)}, not ${STREAM_PROTOCOL_V4}`);
    }
    let ws: WebSocket;
    try {
      ws = await acceptWebSocket(req, socket, head, protocol);
    } catch (err) {
      up.socket.destroy();
      throw err;
    }
    new WebSocketBridge(ws, protocol === STREAM_PROTOCOL_V5, up, o, log).start();
  };
  run().catch((err: unknown) => {
    log?.warn({ err }, 'remotecommand: request failed');
    socket.destroy();
  });
}

/**
 * getUrl() then the SPDY upgrade towards the runtime; on failure the client gets the HTTP error
 * (the runtime's own answer when it refused) and undefined comes back.
 */
export async function connectRuntime(socket: Duplex, getUrl: () => Promise<string>, protocols: string[]): Promise<UpstreamUpgrade | undefined> {
  let url: string;
  try {
    url = await getUrl();
  } catch (err) {
    rejectUpgrade(socket, httpCodeFor(err), err instanceof Error ? err.message : String(err));
    return undefined;
  }
  let up: UpstreamUpgrade;
  try {
    up = await dialUpgrade(url, protocols);
  } catch (err) {
    rejectWith(socket, err, 500);
    return undefined;
  }
  if (socket.destroyed) {
    up.socket.destroy();
    return undefined;
  }
  return up;
}

/** Plain SPDY from the client: let the runtime negotiate the client's protocols, then splice. */
export async function serveSpdyPassthrough(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  getUrl: () => Promise<string>,
  log?: Logger,
): Promise<void> {
  const up = await connectRuntime(socket, getUrl, headerList(req, HEADER_PROTOCOL_VERSION));
  if (!up) return;
  log?.debug({ protocol: up.protocol }, 'spdy passthrough established');
  writeSpdySwitch(socket, up.protocol);
  spliceSockets(socket, head, up.socket, up.head);
}

type ClientAction = { channel: number; data: Buffer } | { close: number };

/** One exec/attach session: WebSocket channels on one side, SPDY streams to the runtime on the other. */
class WebSocketBridge {
  private readonly session: SpdySession;
  private readonly streams: Partial<Record<StreamType, SpdyStream>> = {};
  private readonly errorData: Buffer[] = [];
  private readonly sender: WsSender;
  private ready = false;
  private finished = false;
  private readonly queued: ClientAction[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly v5: boolean,
    up: UpstreamUpgrade,
    private readonly opts: RemoteCommandOptions,
    private readonly log: Logger | undefined,
  ) {
    this.session = new SpdySession(up.socket, { server: false, ...(log ? { log } : {}) });
    this.sender = new WsSender(ws, this.session);
    this.session.receive(up.head);
  }

  start(): void {
    const { stdin, stdout, stderr, tty } = this.opts;
    // Upstream client order: error first, then stdin, stdout, stderr, resize.
    const types: StreamType[] = ['error'];
    if (stdin) types.push('stdin');
    if (stdout) types.push('stdout');
    if (stderr) types.push('stderr');
    if (tty) types.push('resize');
    for (const t of types) this.streams[t] = this.session.openStream({ streamtype: [t] });

    // Tell the client the connection is up (upstream: an empty frame on the lowest writable channel).
    this.sendChannel(stdout ? Channel.stdout : stderr ? Channel.stderr : Channel.error, Buffer.alloc(0));

    this.streams.stdout?.on('data', (d: Buffer) => this.sendChannel(Channel.stdout, d));
    this.streams.stderr?.on('data', (d: Buffer) => this.sendChannel(Channel.stderr, d));
    this.streams.error?.on('data', (d: Buffer) => this.errorData.push(d));

    // The runtime's server sends GOAWAY once the command is over and every output byte is out.
    this.session.on('goaway', () => this.finish());
    this.session.on('close', (err) =>
      this.finish(this.errorData.length > 0 ? undefined : internalErrorStatus(err ?? new Error('the container runtime closed the stream connection'))),
    );

    this.ws.on('message', (raw: Buffer, isBinary: boolean) => this.onClientMessage(raw, isBinary));
    this.ws.on('close', () => this.abort());
    this.ws.on('error', (err) => {
      this.log?.debug({ err }, 'remotecommand: websocket error');
      this.abort();
    });

    const timer = setTimeout(() => this.finish(internalErrorStatus(new Error('timed out waiting for the runtime to accept the streams'))), STREAM_CREATION_TIMEOUT_MS);
    Promise.all(Object.values(this.streams).map((s) => s.replied))
      .then(() => {
        clearTimeout(timer);
        this.ready = true;
        for (const a of this.queued.splice(0)) this.apply(a);
      })
      .catch((err: unknown) => {
        clearTimeout(timer);
        this.finish(internalErrorStatus(err));
      });
  }

  private sendChannel(channel: number, data: Buffer): void {
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = channel;
    data.copy(frame, 1);
    this.sender.send(frame);
  }

  private onClientMessage(raw: Buffer, isBinary: boolean): void {
    if (!isBinary || raw.length === 0 || this.finished) return;
    const channel = raw[0]!;
    const action: ClientAction | undefined =
      channel === Channel.close && this.v5 ? (raw.length > 1 ? { close: raw[1]! } : undefined) : { channel, data: raw.subarray(1) };
    if (!action) return;
    if (this.ready) this.apply(action);
    else this.queued.push(action);
  }

  private apply(a: ClientAction): void {
    if ('close' in a) {
      if (a.close === Channel.stdin) this.streams.stdin?.end();
      else if (a.close === Channel.resize) this.streams.resize?.end();
      return;
    }
    const target = a.channel === Channel.stdin ? this.streams.stdin : a.channel === Channel.resize ? this.streams.resize : undefined;
    if (!target || a.data.length === 0) return;
    if (!target.write(a.data)) {
      // The runtime is not keeping up: stop reading the client until the connection drains.
      this.ws.pause();
      this.session.once('drain', () => this.ws.resume());
    }
  }

  /** Reports the status on the error channel and closes the WebSocket normally. */
  private finish(status?: string): void {
    if (this.finished) return;
    this.finished = true;
    const body = status ?? (this.errorData.length > 0 ? Buffer.concat(this.errorData).toString('utf8') : SUCCESS_STATUS);
    this.sendChannel(Channel.error, Buffer.from(body, 'utf8'));
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    this.session.end();
  }

  /** The client went away: drop the runtime connection (the runtime ends the session on its side). */
  private abort(): void {
    if (!this.finished) {
      this.finished = true;
      this.log?.debug('remotecommand: client closed before the command finished');
    }
    this.session.destroy();
  }
}
