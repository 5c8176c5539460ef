// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 + the 3.1 flow-control changes), as spoken by Go's
// moby/spdystream on the other end (kubectl, containerd's CRI streaming server). Frames carry header
// blocks still compressed: compression is stateful per connection and lives in the session.

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const FLAG_SETTINGS_CLEAR = 0x01;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** The largest payload a frame's 24-bit length can describe. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export interface SettingsEntry {
  flags: number;
  id: number;
  value: number;
}

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedId: number;
      priority: number;
      slot: number;
      fin: boolean;
      unidirectional: boolean;
      headerBlock: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: SettingsEntry[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

const u31 = (n: number): number => n & 0x7fffffff;

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`control frame payload too large: ${payload.length}`);
  const h = Buffer.allocUnsafe(8);
  h.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

function words(...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Serializes one frame; header blocks must already be compressed. */
export function encodeFrame(f: SpdyFrame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`data frame too large: ${f.data.length}`);
      const h = words(u31(f.streamId), ((f.fin ? FLAG_FIN : 0) << 24 | f.data.length) >>> 0);
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(u31(f.streamId), 0);
      fixed.writeUInt32BE(u31(f.associatedId), 4);
      fixed[8] = (f.priority & 0x7) << 5;
      fixed[9] = f.slot & 0xff;
      const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return control(FrameType.SynStream, flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
      return control(FrameType.SynReply, f.fin ? FLAG_FIN : 0, Buffer.concat([words(u31(f.streamId)), f.headerBlock]));
    case 'headers':
      return control(FrameType.Headers, f.fin ? FLAG_FIN : 0, Buffer.concat([words(u31(f.streamId)), f.headerBlock]));
    case 'rst_stream':
      return control(FrameType.RstStream, 0, words(u31(f.streamId), f.status));
    case 'settings': {
      const body = [words(f.entries.length)];
      for (const e of f.entries) body.push(words(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, e.value));
      return control(FrameType.Settings, f.clear ? FLAG_SETTINGS_CLEAR : 0, Buffer.concat(body));
    }
    case 'ping':
      return control(FrameType.Ping, 0, words(f.id));
    case 'goaway':
      return control(FrameType.GoAway, 0, words(u31(f.lastGoodStreamId), f.status));
    case 'window_update':
      return control(FrameType.WindowUpdate, 0, words(u31(f.streamId), u31(f.delta)));
    case 'unknown':
      return control(f.frameType, f.flags, f.payload);
  }
}

function need(p: Buffer, n: number, what: string): void {
  if (p.length < n) throw new SpdyProtocolError(`${what} frame too short (${p.length} bytes)`);
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case FrameType.SynStream:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: u31(p.readUInt32BE(0)),
        associatedId: u31(p.readUInt32BE(4)),
        priority: p[8]! >> 5,
        slot: p[9]!,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: p.subarray(10),
      };
    case FrameType.SynReply:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: u31(p.readUInt32BE(0)), fin, headerBlock: p.subarray(4) };
    case FrameType.Headers:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: u31(p.readUInt32BE(0)), fin, headerBlock: p.subarray(4) };
    case FrameType.RstStream:
      need(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: u31(p.readUInt32BE(0)), status: p.readUInt32BE(4) };
    case FrameType.Settings: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + n * 8, 'SETTINGS');
      const entries: SettingsEntry[] = [];
      for (let i = 0; i < n; i++) {
        const fid = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: fid >>> 24, id: fid & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', clear: (flags & FLAG_SETTINGS_CLEAR) !== 0, entries };
    }
    case FrameType.Ping:
      need(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      // SPDY/2 GOAWAY had no status word; treat a missing one as OK.
      need(p, 4, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: u31(p.readUInt32BE(0)), status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WindowUpdate:
      need(p, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: u31(p.readUInt32BE(0)), delta: u31(p.readUInt32BE(4)) };
    default:
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

/** Incremental parser: feed it socket chunks, get whole frames back. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const w0 = this.buf.readUInt32BE(0);
      const w1 = this.buf.readUInt32BE(4);
      const len = w1 & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const payload = this.buf.subarray(8, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      const flags = w1 >>> 24;
      if (w0 & 0x80000000) {
        const version = (w0 >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        out.push(decodeControl(w0 & 0xffff, flags, payload));
      } else {
        out.push({ type: 'data', streamId: w0, fin: (flags & FLAG_FIN) !== 0, data: payload });
      }
    }
    return out;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Header names (lowercase) to values; SPDY joins several values of one name with NUL. */
export type SpdyHeaders = Record<string, string[]>;

/** The uncompressed name/value block: count, then length-prefixed names and NUL-joined values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const names = Object.keys(headers);
  const parts: Buffer[] = [words(names.length)];
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from((headers[name] ?? []).join('\0'), 'utf8');
    parts.push(words(n.length), n, words(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {};
  let off = 0;
  const take = (n: number): Buffer => {
    if (off + n > b.length) throw new SpdyProtocolError('truncated header block');
    const s = b.subarray(off, off + n);
    off += n;
    return s;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString('utf8').toLowerCase();
    const value = take(take(4).readUInt32BE(0)).toString('utf8');
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

/** First value of a header, case-insensitively. */
export function headerValue(h: SpdyHeaders, name: string): string | undefined {
  return h[name.toLowerCase()]?.[0];
}
