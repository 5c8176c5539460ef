// The exec/attach/port-forward bridges against a fake runtime streaming server built on our own SPDY
// session (server role), with `ws` clients speaking what kubectl 1.32 speaks.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { rejectUpgrade, serveRemoteCommand, servePortForward, type RemoteCommandOptions } from '../../src/streaming/index.js';
import { SpdySession, type SpdyStream } from '../../src/streaming/spdy/session.js';

const EXIT3 = JSON.stringify({
  metadata: {},
  status: 'Failure',
  message: 'command terminated with non-zero exit code: exit code 3',
  reason: 'NonZeroExitCode',
  details: { causes: [{ reason: 'ExitCode', message: '3' }] },
});

interface RuntimeCall {
  path: string;
  protocols: string;
  streams: { headers: Record<string, string[]>; data: string; fin: boolean }[];
}

/** A fake CRI streaming server: /exec echoes stdin (exit 3 after "fail"), /pf echoes data streams, /gone refuses. */
function fakeRuntime(): { server: Server; calls: RuntimeCall[]; url(path: string): string } {
  const calls: RuntimeCall[] = [];
  const server = createServer();
  server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
    const path = req.url ?? '';
    if (path.startsWith('/gone')) {
      sock.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\ntoken has expired\n');
      return;
    }
    const offered = String(req.headers['x-stream-protocol-version'] ?? '');
    const call: RuntimeCall = { path, protocols: offered, streams: [] };
    calls.push(call);
    const chosen = path.startsWith('/pf') ? 'portforward.k8s.io' : 'v4.channel.k8s.io';
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
    const session = new SpdySession(sock, { server: true });
    session.receive(head);
    const byType = new Map<string, SpdyStream>();
    session.on('stream', (s) => {
      const rec = { headers: s.headers, data: '', fin: false };
      call.streams.push(rec);
      s.reply();
      s.on('data', (d: Buffer) => (rec.data += d.toString()));
      s.on('end', () => (rec.fin = true));
      const type = s.headers.streamtype?.[0] ?? '';
      byType.set(type, s);
      if (path.startsWith('/pf')) {
        if (type === 'data') s.on('data', (d: Buffer) => s.write(Buffer.from(`echo:${d.toString()}`)));
        return;
      }
      if (type === 'stdin') {
        s.on('data', (d: Buffer) => byType.get('stdout')?.write(d));
        s.on('end', () => {
          byType.get('stdout')?.write(Buffer.from('bye'));
          byType.get('stderr')?.write(Buffer.from('err'));
          if (rec.data.includes('fail')) byType.get('error')?.write(Buffer.from(EXIT3));
          session.goAway();
          session.end();
        });
      }
    });
  });
  return { server, calls, url: (p) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}` };
}

/**
 * A bare WebSocket client as a Duplex of binary-message payloads. `ws`'s client refuses subprotocols
 * with '/' (SPDY/3.1+portforward.k8s.io); kubectl's gorilla client does not.
 */
async function rawWebSocket(port: number, path: string, protocol: string): Promise<{ protocol: string; stream: Duplex }> {
  const req = request({
    host: '127.0.0.1',
    port,
    path,
    headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': protocol },
  });
  req.end();
  const [res, socket, head] = (await once(req, 'upgrade')) as [IncomingMessage, Socket, Buffer];
  const frame = (opcode: number, payload: Buffer): Buffer => {
    const len = payload.length;
    const hdr = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
    if (len > 0xffff) throw new Error('test client: message too large');
    const mask = randomBytes(4);
    const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    return Buffer.concat([hdr, mask, body]);
  };
  let buf = Buffer.alloc(0);
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      socket.write(frame(2, chunk), cb);
    },
    final(cb) {
      socket.end(frame(8, Buffer.from([0x03, 0xe8])), cb);
    },
  });
  const onData = (c: Buffer): void => {
    buf = Buffer.concat([buf, c]);
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) [len, off] = [buf.readUInt16BE(2), 4];
      else if (len === 127) [len, off] = [Number(buf.readBigUInt64BE(2)), 10];
      if (buf.length < off + len) return;
      const opcode = buf[0]! & 0x0f;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      if (opcode === 2) stream.push(payload);
      else if (opcode === 9) socket.write(frame(10, payload));
      else if (opcode === 8) stream.push(null);
    }
  };
  socket.on('data', onData);
  socket.on('close', () => stream.destroy());
  socket.on('error', (err) => stream.destroy(err));
  if (head.length > 0) onData(head);
  return { protocol: String(res.headers['sec-websocket-protocol'] ?? ''), stream };
}

/** Upgraded sockets outlive server.close(): remember them to destroy at the end. */
const sockets = new Set<Socket>();
const track = (server: Server): void => {
  server.on('connection', (s: Socket) => sockets.add(s));
};

let runtime: ReturnType<typeof fakeRuntime>;
let kubelet: Server;
let kubeletPort = 0;
/** What the kubelet side serves next: set per test. */
let route: (req: IncomingMessage, sock: Duplex, head: Buffer) => void = (_r, s) => rejectUpgrade(s, 500, 'no route');

beforeAll(async () => {
  runtime = fakeRuntime();
  track(runtime.server);
  runtime.server.listen(0, '127.0.0.1');
  await once(runtime.server, 'listening');
  kubelet = createServer();
  track(kubelet);
  kubelet.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => route(req, sock, head));
  kubelet.listen(0, '127.0.0.1');
  await once(kubelet, 'listening');
  kubeletPort = (kubelet.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => kubelet.close(r));
  await new Promise((r) => runtime.server.close(r));
});

function exec(opts: RemoteCommandOptions, getUrl: () => Promise<string>): void {
  route = (req, sock, head) => serveRemoteCommand(req, sock, head, opts, getUrl);
}

interface WsResult {
  frames: Buffer[];
  closeCode: number;
}

/** A kubectl-like WebSocket exec client: sends `input` messages once open, records every frame. */
async function wsExec(protocols: string[], input: Buffer[]): Promise<WsResult & { protocol: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${kubeletPort}/exec`, protocols);
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
  await once(ws, 'open');
  for (const m of input) ws.send(m);
  const [code] = (await once(ws, 'close')) as [number];
  return { frames, closeCode: code, protocol: ws.protocol };
}

/** A refused upgrade: the HTTP status and JSON body the client got. */
async function wsRefused(path: string, protocols: string[]): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${kubeletPort}${path}`, protocols);
  ws.on('error', () => undefined);
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
  let body = '';
  for await (const c of res) body += String(c);
  return { status: res.statusCode ?? 0, body };
}

const ch = (channel: number, s: string | Buffer): Buffer => Buffer.concat([Buffer.from([channel]), Buffer.from(s)]);
const onChannel = (frames: Buffer[], c: number): string =>
  frames.filter((f) => f[0] === c).map((f) => f.subarray(1).toString()).join('');

describe('exec over WebSocket v5.channel.k8s.io', () => {
  it('bridges stdin, stdin close, stdout, stderr and a non-zero exit status', async () => {
    exec({ stdin: true, stdout: true, stderr: true, tty: false }, async () => runtime.url('/exec/tok1'));
    const r = await wsExec(['v5.channel.k8s.io'], [ch(0, 'hello '), ch(0, 'fail'), Buffer.from([255, 0])]);
    expect(r.protocol).toBe('v5.channel.k8s.io');
    // First frame: the empty "connection is up" message on the lowest writable channel.
    expect(r.frames[0]).toEqual(Buffer.from([1]));
    expect(onChannel(r.frames, 1)).toBe('hello failbye');
    expect(onChannel(r.frames, 2)).toBe('err');
    expect(JSON.parse(onChannel(r.frames, 3))).toEqual(JSON.parse(EXIT3));
    expect(r.frames.at(-1)![0]).toBe(3);
    expect(r.closeCode).toBe(1000);
    const call = runtime.calls.find((c) => c.path === '/exec/tok1')!;
    expect(call.protocols).toBe('v4.channel.k8s.io');
    expect(call.streams.map((s) => s.headers.streamtype?.[0])).toEqual(['error', 'stdin', 'stdout', 'stderr']);
    expect(call.streams[1]).toMatchObject({ data: 'hello fail', fin: true });
  });

  it('reports Success when the runtime wrote no status, and carries tty resizes', async () => {
    exec({ stdin: true, stdout: true, stderr: true, tty: true }, async () => runtime.url('/exec/tok2'));
    const resize = JSON.stringify({ Width: 100, Height: 40 });
    const r = await wsExec(['v5.channel.k8s.io'], [ch(4, resize), ch(0, 'x'), Buffer.from([255, 4]), Buffer.from([255, 0])]);
    expect(onChannel(r.frames, 1)).toBe('xbye');
    expect(onChannel(r.frames, 3)).toBe('{"metadata":{},"status":"Success"}');
    const call = runtime.calls.find((c) => c.path === '/exec/tok2')!;
    // tty: no stderr stream, a resize stream that got the JSON and the close.
    expect(call.streams.map((s) => s.headers.streamtype?.[0])).toEqual(['error', 'stdin', 'stdout', 'resize']);
    expect(call.streams[3]).toMatchObject({ data: resize, fin: true });
  });

  it('speaks v4.channel.k8s.io too (no close frames there: 255 is just an unknown channel)', async () => {
    exec({ stdin: false, stdout: true, stderr: false, tty: false }, async () => runtime.url('/exec/tok3'));
    const ws = new WebSocket(`ws://127.0.0.1:${kubeletPort}/exec`, ['v4.channel.k8s.io']);
    const first = once(ws, 'message');
    await once(ws, 'open');
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    expect(Buffer.from((await first)[0] as Buffer)).toEqual(Buffer.from([1]));
    await new Promise((r) => setTimeout(r, 50));
    const call = runtime.calls.find((c) => c.path === '/exec/tok3')!;
    expect(call.streams.map((s) => s.headers.streamtype?.[0])).toEqual(['error', 'stdout']);
    const closed = once(ws, 'close');
    ws.close();
    await closed;
  });

  it('answers HTTP errors before the upgrade', async () => {
    exec({ stdin: false, stdout: true, stderr: false, tty: false }, async () => {
      throw Object.assign(new Error('container "c1" not found'), { code: 5 });
    });
    const nf = await wsRefused('/exec', ['v5.channel.k8s.io']);
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'container "c1" not found' });

    let asked = false;
    exec({ stdin: false, stdout: true, stderr: false, tty: false }, async () => {
      asked = true;
      return runtime.url('/exec/x');
    });
    const bad = await wsRefused('/exec', ['base64.channel.k8s.io']);
    expect(bad.status).toBe(400);
    expect(asked).toBe(false);

    exec({ stdin: false, stdout: true, stderr: false, tty: false }, async () => runtime.url('/gone/tok'));
    const gone = await wsRefused('/exec', ['v5.channel.k8s.io']);
    expect(gone).toEqual({ status: 404, body: 'token has expired\n' });
  });
});

describe('port-forward', () => {
  it('tunnels SPDY inside WebSocket (SPDY/3.1+portforward.k8s.io)', async () => {
    route = (req, sock, head) => servePortForward(req, sock, head, async () => runtime.url('/pf/tok1'));
    const ws = await rawWebSocket(kubeletPort, '/portforward', 'SPDY/3.1+portforward.k8s.io');
    expect(ws.protocol).toBe('SPDY/3.1+portforward.k8s.io');
    const session = new SpdySession(ws.stream, { server: false });
    const error = session.openStream({ streamtype: ['error'], port: ['8080'], requestid: ['0'] });
    const data = session.openStream({ streamtype: ['data'], port: ['8080'], requestid: ['0'] });
    await Promise.all([error.replied, data.replied]);
    const got = once(data, 'data');
    data.write(Buffer.from('GET /'));
    expect(String((await got)[0])).toBe('echo:GET /');
    const call = runtime.calls.find((c) => c.path === '/pf/tok1')!;
    expect(call.protocols).toBe('portforward.k8s.io');
    expect(call.streams.map((s) => s.headers)).toEqual([
      { streamtype: ['error'], port: ['8080'], requestid: ['0'] },
      { streamtype: ['data'], port: ['8080'], requestid: ['0'] },
    ]);
    session.destroy();
  });

  it('splices a plain SPDY/3.1 upgrade through to the runtime', async () => {
    route = (req, sock, head) => servePortForward(req, sock, head, async () => runtime.url('/pf/tok2'));
    const sock: Socket = connect(kubeletPort, '127.0.0.1');
    await once(sock, 'connect');
    sock.write('POST /portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
    let buf = Buffer.alloc(0);
    while (!buf.includes('\r\n\r\n')) buf = Buffer.concat([buf, (await once(sock, 'data'))[0] as Buffer]);
    const end = buf.indexOf('\r\n\r\n') + 4;
    const head = buf.subarray(0, end).toString();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head).toContain('X-Stream-Protocol-Version: portforward.k8s.io');
    const session = new SpdySession(sock, { server: false });
    session.receive(buf.subarray(end));
    const data = session.openStream({ streamtype: ['data'], port: ['80'], requestid: ['1'] });
    await data.replied;
    const got = once(data, 'data');
    data.write(Buffer.from('hi'));
    expect(String((await got)[0])).toBe('echo:hi');
    session.destroy();
  });

  it('needs a tunneling subprotocol', async () => {
    route = (req, sock, head) => servePortForward(req, sock, head, async () => runtime.url('/pf/x'));
    const r = await wsRefused('/portforward', ['portforward.k8s.io']);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('unable to upgrade: no tunneling spdy protocols provided');
  });
});
