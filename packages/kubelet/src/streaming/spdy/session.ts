// A SPDY/3.1 session over a byte duplex: streams, pings, GOAWAY, and flow-control windows.
//
// Flow control: we always grant the peer window (WINDOW_UPDATE once half of a window is consumed),
// but only hold back our own sends when `enforceSendWindow` is set: Go's moby/spdystream (the SPDY
// of kubectl, the kubelet and containerd) never sends WINDOW_UPDATE, so honouring the 64 KiB
// initial window towards it would stall every stream after 64 KiB.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { HeaderCompressor, HeaderDecompressor } from './compression.js';
import {
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  FrameParser,
  RstStatus,
  SETTINGS_INITIAL_WINDOW_SIZE,
  type SpdyFrame,
  type SpdyHeaders,
} from './frames.js';

export const DEFAULT_WINDOW = 64 * 1024;
/** Outgoing DATA frames are cut at this size so one stream cannot hog the connection. */
const MAX_DATA_CHUNK = 32 * 1024;

export interface SpdySessionOptions {
  /** Server sessions use even stream ids and answer SYN_STREAMs; clients use odd ids. */
  server: boolean;
  log?: Logger;
  /** Hold outgoing data back when the peer's window is exhausted (see the file comment). */
  enforceSendWindow?: boolean;
  /** Our receive window per stream and for the session (SPDY/3.1 default 64 KiB). */
  initialWindow?: number;
}

export class SpdyStream extends EventEmitter {
  replyHeaders: SpdyHeaders | undefined;
  localClosed = false;
  remoteClosed = false;
  isReset = false;
  /** Resolves with the SYN_REPLY headers; rejects when the stream is reset or the session ends first. */
  readonly replied: Promise<SpdyHeaders>;
  /** Peer's window for our sends on this stream. */
  sendWindow: number;
  /** Bytes received and consumed since the last WINDOW_UPDATE we sent. */
  private unacked = 0;
  private readonly pending: { data: Buffer; fin: boolean }[] = [];
  private settleReply!: { resolve: (h: SpdyHeaders) => void; reject: (e: Error) => void };

  constructor(
    readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
    sendWindow: number,
  ) {
    super();
    this.sendWindow = sendWindow;
    this.replied = new Promise<SpdyHeaders>((resolve, reject) => {
      this.settleReply = { resolve, reject };
    });
    this.replied.catch(() => undefined);
  }

  /** Sends data; returns false when the connection's write buffer is full (wait for the session's 'drain'). */
  write(data: Buffer): boolean {
    if (this.localClosed || this.isReset) return false;
    this.pending.push({ data, fin: false });
    this.session.flushStream(this);
    return this.session.writable;
  }

  /** Half-closes our side (DATA with FIN), optionally with a last chunk. */
  end(data?: Buffer): void {
    if (this.localClosed || this.isReset) return;
    this.localClosed = true;
    this.pending.push({ data: data ?? Buffer.alloc(0), fin: true });
    this.session.flushStream(this);
  }

  /** Accepts a peer-initiated stream. */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    this.session.sendHeaderFrame('syn_reply', this.id, headers, fin);
    if (fin) this.localClosed = true;
  }

  reset(status: number = RstStatus.Cancel): void {
    if (this.isReset) return;
    this.session.send({ type: 'rst_stream', streamId: this.id, status });
    this.onReset(status, false);
  }

  /** @internal queued sends, in order, as far as the window allows. */
  takeSendable(enforce: boolean, sessionWindow: number): { data: Buffer; fin: boolean }[] {
    const out: { data: Buffer; fin: boolean }[] = [];
    let budget = enforce ? Math.min(this.sendWindow, sessionWindow) : Number.MAX_SAFE_INTEGER;
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      if (head.data.length === 0) {
        out.push(this.pending.shift()!);
        continue;
      }
      if (budget <= 0) break;
      const n = Math.min(head.data.length, budget, MAX_DATA_CHUNK);
      const last = n === head.data.length;
      out.push({ data: head.data.subarray(0, n), fin: last && head.fin });
      budget -= n;
      if (last) this.pending.shift();
      else head.data = head.data.subarray(n);
    }
    return out;
  }

  /** @internal */
  get queued(): number {
    return this.pending.reduce((n, p) => n + p.data.length, 0);
  }

  /** @internal data arrived: account it and hand it to listeners. */
  onData(data: Buffer, window: number): number {
    this.unacked += data.length;
    if (data.length > 0) this.emit('data', data);
    if (this.unacked >= window / 2 && !this.remoteClosed) {
      const delta = this.unacked;
      this.unacked = 0;
      return delta;
    }
    return 0;
  }

  /** @internal */
  onReply(headers: SpdyHeaders): void {
    this.replyHeaders = headers;
    this.settleReply.resolve(headers);
    this.emit('reply', headers);
  }

  /** @internal */
  onRemoteFin(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
    this.maybeClose();
  }

  /** @internal */
  onReset(status: number, remote: boolean): void {
    if (this.isReset) return;
    this.isReset = true;
    this.pending.length = 0;
    this.settleReply.reject(new Error(`stream ${this.id} reset (status ${status})`));
    if (remote) this.emit('reset', status);
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.emit('end');
    }
    this.localClosed = true;
    this.maybeClose();
  }

  /** @internal the session went away under the stream. */
  onSessionClosed(err: Error): void {
    this.settleReply.reject(err);
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.emit('end');
    }
    this.localClosed = true;
    this.pending.length = 0;
    this.maybeClose();
  }

  /** @internal */
  maybeClose(): void {
    if (this.localClosed && this.remoteClosed && this.pending.length === 0) {
      this.session.forget(this);
      this.emit('close');
    }
  }
}

export interface SpdySessionEvents {
  stream: [SpdyStream];
  goaway: [number, number];
  close: [Error | undefined];
  drain: [];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  readonly streams = new Map<number, SpdyStream>();
  /** Set once either side sent GOAWAY: no new streams. */
  goneAway = false;
  closed = false;
  private nextId: number;
  private nextPingId: number;
  private lastPeerStreamId = 0;
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly pings = new Map<number, (err?: Error) => void>();
  /** Frames go out strictly in call order, header frames waiting for their compression. */
  private writeChain: Promise<void> = Promise.resolve();
  private readChain: Promise<void> = Promise.resolve();
  private readonly enforce: boolean;
  private readonly recvWindow: number;
  /** What the peer lets us send per new stream (changed by its SETTINGS) and on the whole session. */
  private peerInitialWindow = DEFAULT_WINDOW;
  private sessionSendWindow = DEFAULT_WINDOW;
  private sessionUnacked = 0;
  private readonly log: Logger | undefined;

  constructor(
    private readonly socket: Duplex,
    opts: SpdySessionOptions,
  ) {
    super();
    this.nextId = opts.server ? 2 : 1;
    this.nextPingId = opts.server ? 2 : 1;
    this.enforce = opts.enforceSendWindow ?? false;
    this.recvWindow = opts.initialWindow ?? DEFAULT_WINDOW;
    this.log = opts.log;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.shutdown(undefined));
    socket.on('close', () => this.shutdown(undefined));
    socket.on('error', (err: Error) => this.shutdown(err));
    socket.on('drain', () => this.emit('drain'));
    if (this.recvWindow !== DEFAULT_WINDOW) {
      this.send({ type: 'settings', clear: false, entries: [{ flags: 0, id: SETTINGS_INITIAL_WINDOW_SIZE, value: this.recvWindow }] });
    }
  }

  /** False while the underlying socket's write buffer is above its high-water mark. */
  get writable(): boolean {
    return !this.socket.writableNeedDrain;
  }

  /** Feeds bytes read from the connection (e.g. what followed the HTTP 101 response). */
  receive(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.log?.warn({ err }, 'spdy: bad frame');
      this.send({ type: 'goaway', lastGoodStreamId: this.lastPeerStreamId, status: 1 });
      this.destroy(err as Error);
      return;
    }
    for (const f of frames) {
      this.readChain = this.readChain.then(() => this.handle(f)).catch((err: unknown) => {
        this.log?.warn({ err }, 'spdy: frame handling failed');
        this.destroy(err as Error);
      });
    }
  }

  /** Opens a stream (SYN_STREAM). */
  openStream(headers: SpdyHeaders, fin = false): SpdyStream {
    if (this.closed || this.goneAway) throw new Error('spdy session is closed');
    const id = this.nextId;
    this.nextId += 2;
    const s = new SpdyStream(this, id, headers, this.peerInitialWindow);
    this.streams.set(id, s);
    this.sendHeaderFrame('syn_stream', id, headers, fin);
    if (fin) s.localClosed = true;
    return s;
  }

  /** Round-trip time in ms of a PING. */
  ping(): Promise<number> {
    const id = this.nextPingId;
    this.nextPingId += 2;
    const start = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('spdy session is closed'));
      this.pings.set(id, (err) => (err ? reject(err) : resolve(Number(process.hrtime.bigint() - start) / 1e6)));
      this.send({ type: 'ping', id });
    });
  }

  goAway(status = 0): void {
    if (this.closed) return;
    this.goneAway = true;
    this.send({ type: 'goaway', lastGoodStreamId: this.lastPeerStreamId, status });
  }

  /** Ends the connection once everything queued has been written. */
  end(): void {
    if (this.closed) return;
    this.writeChain = this.writeChain.then(() => {
      this.socket.end();
    });
  }

  destroy(err?: Error): void {
    this.socket.destroy();
    this.shutdown(err);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** @internal */
  send(f: SpdyFrame): void {
    if (this.closed) return;
    this.writeChain = this.writeChain.then(() => {
      if (!this.closed && this.socket.writable) this.socket.write(encodeFrame(f));
    });
  }

  /** @internal */
  sendHeaderFrame(type: 'syn_stream' | 'syn_reply' | 'headers', streamId: number, headers: SpdyHeaders, fin: boolean): void {
    if (this.closed) return;
    // Compression starts now so that blocks enter the zlib context in frame order.
    const compressed = this.compressor.compress(encodeHeaderBlock(headers));
    this.writeChain = this.writeChain.then(async () => {
      const headerBlock = await compressed;
      const f: SpdyFrame =
        type === 'syn_stream'
          ? { type, streamId, associatedId: 0, priority: 0, slot: 0, fin, unidirectional: false, headerBlock }
          : { type, streamId, fin, headerBlock };
      if (!this.closed && this.socket.writable) this.socket.write(encodeFrame(f));
    });
    this.writeChain = this.writeChain.catch((err: unknown) => this.destroy(err as Error));
  }

  /** @internal sends what a stream has queued and its window allows. */
  flushStream(s: SpdyStream): void {
    for (const chunk of s.takeSendable(this.enforce, this.sessionSendWindow)) {
      s.sendWindow -= chunk.data.length;
      this.sessionSendWindow -= chunk.data.length;
      this.send({ type: 'data', streamId: s.id, fin: chunk.fin, data: chunk.data });
    }
    s.maybeClose();
  }

  /** @internal */
  forget(s: SpdyStream): void {
    this.streams.delete(s.id);
  }

  private isPeerId(id: number): boolean {
    return (id & 1) === (this.nextId & 1 ? 0 : 1);
  }

  private async handle(f: SpdyFrame): Promise<void> {
    if (this.closed) return;
    switch (f.type) {
      case 'data': {
        const s = this.streams.get(f.streamId);
        this.sessionUnacked += f.data.length;
        if (!s || s.remoteClosed) {
          this.log?.debug({ streamId: f.streamId }, 'spdy: data for a closed or unknown stream');
        } else {
          const delta = s.onData(f.data, this.recvWindow);
          if (delta > 0) this.send({ type: 'window_update', streamId: s.id, delta });
          if (f.fin) s.onRemoteFin();
        }
        if (this.sessionUnacked >= this.recvWindow / 2) {
          this.send({ type: 'window_update', streamId: 0, delta: this.sessionUnacked });
          this.sessionUnacked = 0;
        }
        return;
      }
      case 'syn_stream': {
        const headers = decodeHeaderBlock(await this.decompressor.decompress(f.headerBlock));
        if (!this.isPeerId(f.streamId) || f.streamId <= this.lastPeerStreamId) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.ProtocolError });
          return;
        }
        this.lastPeerStreamId = f.streamId;
        if (this.goneAway || this.listenerCount('stream') === 0) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.RefusedStream });
          return;
        }
        const s = new SpdyStream(this, f.streamId, headers, this.peerInitialWindow);
        this.streams.set(s.id, s);
        if (f.unidirectional) s.localClosed = true;
        this.emit('stream', s);
        if (f.fin) s.onRemoteFin();
        return;
      }
      case 'syn_reply': {
        const headers = decodeHeaderBlock(await this.decompressor.decompress(f.headerBlock));
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.onReply(headers);
        if (f.fin) s.onRemoteFin();
        return;
      }
      case 'headers': {
        const headers = decodeHeaderBlock(await this.decompressor.decompress(f.headerBlock));
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.emit('headers', headers);
        if (f.fin) s.onRemoteFin();
        return;
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.onReset(f.status, true);
        return;
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const diff = e.value - this.peerInitialWindow;
          this.peerInitialWindow = e.value;
          for (const s of this.streams.values()) s.sendWindow += diff;
        }
        this.flushAll();
        return;
      case 'window_update':
        if (f.streamId === 0) this.sessionSendWindow += f.delta;
        else {
          const s = this.streams.get(f.streamId);
          if (s) s.sendWindow += f.delta;
        }
        this.flushAll();
        return;
      case 'ping':
        if (this.isPeerId(f.id)) this.send({ type: 'ping', id: f.id });
        else {
          this.pings.get(f.id)?.();
          this.pings.delete(f.id);
        }
        return;
      case 'goaway':
        this.goneAway = true;
        this.emit('goaway', f.lastGoodStreamId, f.status);
        return;
      case 'unknown':
        this.log?.debug({ frameType: f.frameType }, 'spdy: ignoring unknown control frame');
        return;
    }
  }

  private flushAll(): void {
    for (const s of this.streams.values()) if (s.queued > 0) this.flushStream(s);
  }

  private shutdown(err: Error | undefined): void {
    if (this.closed) return;
    // Frames already parsed still reach their streams before the streams learn the session ended.
    void this.readChain.then(() => {
      if (this.closed) return;
      this.closed = true;
      const reason = err ?? new Error('spdy session closed');
      for (const s of [...this.streams.values()]) s.onSessionClosed(reason);
      this.streams.clear();
      for (const [, done] of this.pings) done(reason);
      this.pings.clear();
      this.compressor.close();
      this.decompressor.close();
      this.emit('close', err);
    });
  }
}
