import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { constants, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HeaderCompressor, HeaderDecompressor } from '../../src/streaming/spdy/compression.js';
import { SPDY3_DICTIONARY } from '../../src/streaming/spdy/dictionary.js';
import {
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  FrameParser,
  SpdyProtocolError,
  type SpdyFrame,
} from '../../src/streaming/spdy/frames.js';
import { SpdySession, type SpdyStream } from '../../src/streaming/spdy/session.js';

/** Two in-memory duplexes wired back to back. */
function duplexPair(): [Duplex, Duplex] {
  const mk = (peer: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  const a: Duplex = mk(() => b);
  const b: Duplex = mk(() => a);
  return [a, b];
}

/** A raw peer: collects the frames the session writes, lets the test write frames back. */
function rawPeer(sock: Duplex): { frames: SpdyFrame[]; send(f: SpdyFrame): void; compressor: HeaderCompressor; decompressor: HeaderDecompressor } {
  const parser = new FrameParser();
  const frames: SpdyFrame[] = [];
  sock.on('data', (c: Buffer) => frames.push(...parser.push(c)));
  return { frames, send: (f) => sock.write(encodeFrame(f)), compressor: new HeaderCompressor(), decompressor: new HeaderDecompressor() };
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await tick(5);
  }
}

function collect(s: SpdyStream): { data: () => Buffer; ended: Promise<unknown> } {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return { data: () => Buffer.concat(parts), ended: once(s, 'end') };
}

describe('SPDY/3 dictionary', () => {
  it('is the 1423-byte dictionary of the SPDY/3 spec (as in moby/spdystream)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex')).toBe('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });
});

describe('SPDY frames', () => {
  const frames: SpdyFrame[] = [
    { type: 'data', streamId: 3, fin: false, data: Buffer.from('hello') },
    { type: 'data', streamId: 0x7ffffffd, fin: true, data: Buffer.alloc(0) },
    { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 3, slot: 0, fin: false, unidirectional: true, headerBlock: Buffer.from([1, 2, 3]) },
    { type: 'syn_reply', streamId: 1, fin: true, headerBlock: Buffer.from([9, 8]) },
    { type: 'headers', streamId: 5, fin: false, headerBlock: Buffer.from([7]) },
    { type: 'rst_stream', streamId: 7, status: 5 },
    { type: 'settings', clear: true, entries: [{ flags: 1, id: 7, value: 1 << 20 }, { flags: 0, id: 4, value: 100 }] },
    { type: 'ping', id: 0xfffffffe },
    { type: 'goaway', lastGoodStreamId: 9, status: 2 },
    { type: 'window_update', streamId: 0, delta: 32768 },
  ];

  it('round-trips every frame type, whole and fed one byte at a time', () => {
    const wire = Buffer.concat(frames.map(encodeFrame));
    expect(new FrameParser().push(wire)).toEqual(frames);
    const p = new FrameParser();
    const got: SpdyFrame[] = [];
    for (const byte of wire) got.push(...p.push(Buffer.from([byte])));
    expect(got).toEqual(frames);
    expect(p.pending).toBe(0);
  });

  it('lays out control and data frames as SPDY/3 does', () => {
    expect(encodeFrame({ type: 'ping', id: 1 }).toString('hex')).toBe('80030006' + '00000004' + '00000001');
    expect(encodeFrame({ type: 'data', streamId: 1, fin: true, data: Buffer.from('a') }).toString('hex')).toBe('00000001' + '01000001' + '61');
    const syn = encodeFrame({ type: 'syn_stream', streamId: 3, associatedId: 0, priority: 7, slot: 0, fin: true, unidirectional: false, headerBlock: Buffer.alloc(0) });
    expect(syn.toString('hex')).toBe('80030001' + '0100000a' + '00000003' + '00000000' + 'e000');
  });

  it('rejects other SPDY versions', () => {
    const f = encodeFrame({ type: 'ping', id: 1 });
    f.writeUInt16BE(0x8002, 0);
    expect(() => new FrameParser().push(f)).toThrow(SpdyProtocolError);
  });

  it('encodes header blocks with lowercase names and NUL-joined values', () => {
    const block = encodeHeaderBlock({ StreamType: ['error'], port: ['80', '81'] });
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: ['error'], port: ['80', '81'] });
    expect(block.subarray(0, 4).readUInt32BE(0)).toBe(2);
    expect(block.includes(Buffer.from('80\x0081'))).toBe(true);
  });
});

describe('SPDY header compression', () => {
  it('shares one zlib context across the header blocks of a connection', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const blocks = [
      encodeHeaderBlock({ streamtype: ['error'], port: ['8080'], requestid: ['0'] }),
      encodeHeaderBlock({ streamtype: ['data'], port: ['8080'], requestid: ['0'] }),
      encodeHeaderBlock({ streamtype: ['data'], port: ['8080'], requestid: ['0'] }),
    ];
    const compressed = [];
    for (const b of blocks) compressed.push(await c.compress(b));
    // Every block ends in a sync flush marker, and the repeat costs less than the first (shared window).
    for (const z of compressed) expect(z.subarray(-4).toString('hex')).toBe('0000ffff');
    expect(compressed[2]!.length).toBeLessThan(compressed[0]!.length);
    // Decoding in order in one context gives the blocks back...
    for (let i = 0; i < blocks.length; i++) expect(await d.decompress(compressed[i]!)).toEqual(blocks[i]);
    // ...and the concatenation is one zlib stream (what a Go zlib reader sees across frames).
    const whole = inflateSync(Buffer.concat(compressed), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    expect(whole).toEqual(Buffer.concat(blocks));
    // A later block alone, in a fresh context, is undecodable: the context really is shared.
    await expect(new HeaderDecompressor().decompress(compressed[2]!)).rejects.toThrow();
    c.close();
    d.close();
  });
});

describe('SpdySession', () => {
  it('opens streams, exchanges data both ways and half-closes', async () => {
    const [a, b] = duplexPair();
    const client = new SpdySession(a, { server: false });
    const server = new SpdySession(b, { server: true });
    const accepted: SpdyStream[] = [];
    server.on('stream', (s) => {
      accepted.push(s);
      s.reply({ ok: ['yes'] });
      s.on('data', (d: Buffer) => s.write(Buffer.from(d.toString().toUpperCase())));
      s.on('end', () => s.end(Buffer.from('!')));
    });
    const s1 = client.openStream({ streamtype: ['stdin'] });
    const s2 = client.openStream({ streamtype: ['stdout'] });
    expect([s1.id, s2.id]).toEqual([1, 3]);
    expect(await s1.replied).toEqual({ ok: ['yes'] });
    const got = collect(s1);
    s1.write(Buffer.from('abc'));
    s1.write(Buffer.from('def'));
    s1.end();
    await got.ended;
    expect(got.data().toString()).toBe('ABCDEF!');
    expect(accepted.map((s) => s.headers)).toEqual([{ streamtype: ['stdin'] }, { streamtype: ['stdout'] }]);
    await until(() => !client.streams.has(1));
    expect(client.streams.has(3)).toBe(true);
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
    const goaway = once(client, 'goaway');
    server.goAway();
    expect(await goaway).toEqual([3, 0]);
    expect(() => client.openStream({})).toThrow();
    const closed = once(client, 'close');
    server.end();
    await closed;
    await expect(s2.replied).resolves.toEqual({ ok: ['yes'] });
  });

  it('refuses streams nobody listens for and reports resets', async () => {
    const [a, b] = duplexPair();
    const client = new SpdySession(a, { server: false });
    new SpdySession(b, { server: true });
    const s = client.openStream({ x: ['1'] });
    const reset = once(s, 'reset');
    await expect(s.replied).rejects.toThrow(/reset/);
    expect(await reset).toEqual([3]);
    client.destroy();
  });

  it('grants window to the peer with WINDOW_UPDATE as data is consumed', async () => {
    const [a, b] = duplexPair();
    const client = new SpdySession(a, { server: false });
    const peer = rawPeer(b);
    const s = client.openStream({ streamtype: ['stdout'] });
    await until(() => peer.frames.some((f) => f.type === 'syn_stream'));
    const got = collect(s);
    for (let i = 0; i < 5; i++) peer.send({ type: 'data', streamId: s.id, fin: false, data: Buffer.alloc(10_000, i) });
    await until(() => got.data().length === 50_000);
    await tick();
    const updates = peer.frames.filter((f): f is Extract<SpdyFrame, { type: 'window_update' }> => f.type === 'window_update');
    // Half the 64 KiB window (32 KiB) consumed after 4 frames: one update for the stream, one for the session.
    expect(updates).toEqual([
      { type: 'window_update', streamId: s.id, delta: 40_000 },
      { type: 'window_update', streamId: 0, delta: 40_000 },
    ]);
    client.destroy();
  });

  it('holds data back at the peer window when enforcing, and resumes on WINDOW_UPDATE', async () => {
    const [a, b] = duplexPair();
    const client = new SpdySession(a, { server: false, enforceSendWindow: true });
    const peer = rawPeer(b);
    const s = client.openStream({ streamtype: ['stdin'] });
    s.write(Buffer.alloc(100_000, 1));
    s.end();
    const sent = (): number => peer.frames.reduce((n, f) => n + (f.type === 'data' && f.streamId === s.id ? f.data.length : 0), 0);
    const fin = (): boolean => peer.frames.some((f) => f.type === 'data' && f.fin);
    await until(() => sent() === 65_536);
    await tick();
    expect(sent()).toBe(65_536);
    expect(fin()).toBe(false);
    // Stream window alone is not enough: the session window is exhausted too.
    peer.send({ type: 'window_update', streamId: s.id, delta: 50_000 });
    await tick();
    expect(sent()).toBe(65_536);
    peer.send({ type: 'window_update', streamId: 0, delta: 20_000 });
    await until(() => sent() === 85_536);
    peer.send({ type: 'window_update', streamId: 0, delta: 50_000 });
    await until(() => sent() === 100_000 && fin());
    client.destroy();
  });

  it('sends past the window when not enforcing (Go spdystream never sends WINDOW_UPDATE)', async () => {
    const [a, b] = duplexPair();
    const client = new SpdySession(a, { server: false });
    const peer = rawPeer(b);
    const s = client.openStream({ streamtype: ['stdin'] });
    s.end(Buffer.alloc(200_000, 2));
    await until(() => peer.frames.some((f) => f.type === 'data' && f.fin));
    const data = peer.frames.filter((f) => f.type === 'data');
    expect(data.reduce((n, f) => n + (f.type === 'data' ? f.data.length : 0), 0)).toBe(200_000);
    client.destroy();
  });

  it('applies SETTINGS_INITIAL_WINDOW_SIZE to open streams', async () => {
    const [a, b] = duplexPair();
    const client = new SpdySession(a, { server: false, enforceSendWindow: true });
    const peer = rawPeer(b);
    const s = client.openStream({});
    peer.send({ type: 'settings', clear: false, entries: [{ flags: 0, id: 7, value: 1000 }] });
    await tick();
    s.write(Buffer.alloc(5000));
    await tick();
    expect(peer.frames.filter((f) => f.type === 'data').reduce((n, f) => n + (f.type === 'data' ? f.data.length : 0), 0)).toBe(1000);
    client.destroy();
  });
});
