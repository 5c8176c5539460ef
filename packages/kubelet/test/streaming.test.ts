// exec / port-forward bridges against a real containerd: a busybox pod run over CRI, the bridges
// served on a plain HTTP server, clients speaking what kubectl 1.32 speaks (WebSocket
// v5.channel.k8s.io for exec, SPDY/3.1 tunnelled in WebSocket for port-forward).
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ContainerConfig, PodSandboxConfig } from '../src/cri/types.js';
import { rejectUpgrade, serveRemoteCommand, servePortForward, type RemoteCommandOptions } from '../src/streaming/index.js';
import { SpdySession } from '../src/streaming/spdy/session.js';
import { BUSYBOX_IMAGE, haveContainerd, startContainerd, type TestContainerd } from './support/containerd.js';

/** A bare WebSocket client (binary payloads as a Duplex): `ws`'s client refuses subprotocols containing '/'. */
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
    if (payload.length > 0xffff) throw new Error('test client: message too large');
    const len = payload.length;
    const hdr = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
    const mask = randomBytes(4);
    return Buffer.concat([hdr, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
  };
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      socket.write(frame(2, chunk), cb);
    },
    final(cb) {
      socket.end(frame(8, Buffer.from([0x03, 0xe8])), cb);
    },
  });
  let buf = Buffer.alloc(0);
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

interface ExecResult { stdout: string; stderr: string; status: Record<string, unknown>; closeCode: number }

const ch = (channel: number, s: string): Buffer => Buffer.concat([Buffer.from([channel]), Buffer.from(s)]);

describe.skipIf(!haveContainerd())('streaming on containerd', () => {
  let cd: TestContainerd;
  let dir: string;
  let server: Server;
  let port = 0;
  let sleeperId = '';
  let sandboxId = '';
  const sockets = new Set<Socket>();
  const uid = randomUUID();
  const labels = { 'io.kubernetes.pod.name': 'streams', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-stream-e2e-'));
    cd = await startContainerd('stream', '10.201.11.0/24', 'ktsk-stream');
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'streams', namespace: 'default', uid, attempt: 0 },
      hostname: 'streams',
      logDirectory: join(dir, 'pods', `default_streams_${uid}`),
      labels,
    };
    sandboxId = await cd.cri.runPodSandbox(sandboxConfig);
    const container = async (name: string, command: string[]): Promise<string> => {
      const config: ContainerConfig = {
        metadata: { name, attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command,
        logPath: `${name}/0.log`,
        labels: { ...labels, 'io.kubernetes.container.name': name },
      };
      const id = await cd.cri.createContainer(sandboxId, config, sandboxConfig);
      await cd.cri.startContainer(id);
      return id;
    };
    sleeperId = await container('sleeper', ['sleep', '3600']);
    await container('web', ['httpd', '-f', '-p', '8080', '-h', '/etc']);

    // The kubelet's part in miniature: /exec/<name>?command=..&stdin=1&tty=1, /portforward?port=N.
    server = createServer();
    server.on('connection', (s: Socket) => sockets.add(s));
    server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/portforward') {
        const ports = url.searchParams.getAll('port').map(Number);
        return servePortForward(req, sock, head, () => cd.cri.portForward(sandboxId, ports));
      }
      if (url.pathname === '/exec') {
        const tty = url.searchParams.get('tty') === '1';
        const opts: RemoteCommandOptions = { stdin: url.searchParams.get('stdin') === '1', stdout: true, stderr: !tty, tty };
        const cmd = url.searchParams.getAll('command');
        return serveRemoteCommand(req, sock, head, opts, () => cd.cri.exec({ containerId: sleeperId, cmd, ...opts }));
      }
      rejectUpgrade(sock, 404, 'not found');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  }, 90_000);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    if (server) await new Promise((r) => server.close(r));
    await cd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** Runs a command as kubectl exec does over WebSocket v5; `send` runs once the connection is up. */
  async function exec(query: string, send: (ws: WebSocket) => void = () => undefined): Promise<ExecResult> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/exec?${query}`, ['v5.channel.k8s.io']);
    const out = { 1: '', 2: '', 3: '' } as Record<number, string>;
    ws.on('message', (d: Buffer) => {
      if (d.length > 0 && d[0]! in out) out[d[0]!] += d.subarray(1).toString();
    });
    await once(ws, 'open');
    send(ws);
    const [code] = (await once(ws, 'close')) as [number];
    return { stdout: out[1]!, stderr: out[2]!, status: JSON.parse(out[3]!) as Record<string, unknown>, closeCode: code };
  }

  const q = (cmd: string[], extra = ''): string => cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&') + extra;

  it('exec: stdout, stderr and a NonZeroExitCode status carrying the exit code', async () => {
    const r = await exec(q(['sh', '-c', 'echo out; echo err >&2; exit 3']));
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
    expect(String(r.status['message'])).toContain('exit code 3');
    expect(r.closeCode).toBe(1000);
  }, 30_000);

  it('exec: stdin is echoed and its v5 close ends the command (half-close)', async () => {
    const payload = 'line one\n' + 'x'.repeat(100_000) + '\nlast\n';
    const r = await exec(q(['cat'], '&stdin=1'), (ws) => {
      ws.send(ch(0, payload));
      ws.send(Buffer.from([255, 0]));
    });
    expect(r.stdout).toBe(payload);
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  }, 30_000);

  it('exec with a tty applies resizes', async () => {
    const r = await exec(q(['sh', '-c', 'read x; stty size'], '&stdin=1&tty=1'), (ws) => {
      ws.send(ch(4, JSON.stringify({ Width: 123, Height: 45 })));
      setTimeout(() => ws.send(ch(0, 'go\r')), 300);
    });
    expect(r.stdout).toContain('45 123');
    expect(r.stderr).toBe('');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  }, 30_000);

  it('exec over a plain SPDY/3.1 upgrade (kubectl\'s fallback) is spliced through to the runtime', async () => {
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(
      `POST /exec?${q(['sh', '-c', 'echo spdy; exit 7'])} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
        'X-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\n\r\n',
    );
    let buf = Buffer.alloc(0);
    while (!buf.includes('\r\n\r\n')) buf = Buffer.concat([buf, (await once(sock, 'data'))[0] as Buffer]);
    const end = buf.indexOf('\r\n\r\n') + 4;
    expect(buf.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101 [^]*X-Stream-Protocol-Version: v4\.channel\.k8s\.io/i);
    const session = new SpdySession(sock, { server: false });
    session.receive(buf.subarray(end));
    const error = session.openStream({ streamtype: ['error'] });
    const stdout = session.openStream({ streamtype: ['stdout'] });
    const stderr = session.openStream({ streamtype: ['stderr'] });
    const got = { error: '', stdout: '' };
    error.on('data', (d: Buffer) => (got.error += d.toString()));
    stdout.on('data', (d: Buffer) => (got.stdout += d.toString()));
    await Promise.all([error.replied, stdout.replied, stderr.replied]);
    await once(session, 'goaway');
    expect(got.stdout).toBe('spdy\n');
    expect(JSON.parse(got.error)).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
    session.destroy();
  }, 30_000);

  it('port-forward: SPDY tunnelled in WebSocket reaches httpd in the pod', async () => {
    const ws = await rawWebSocket(port, '/portforward?port=8080', 'SPDY/3.1+portforward.k8s.io');
    expect(ws.protocol).toBe('SPDY/3.1+portforward.k8s.io');
    const session = new SpdySession(ws.stream, { server: false });
    // As kubectl: an error stream (closed for writing at once), then the data stream, same requestID.
    const headers = (type: string): Record<string, string[]> => ({ streamtype: [type], port: ['8080'], requestid: ['0'] });
    const error = session.openStream(headers('error'));
    error.end();
    const errText: Buffer[] = [];
    error.on('data', (d: Buffer) => errText.push(d));
    const data = session.openStream(headers('data'));
    await Promise.all([error.replied, data.replied]);
    const body: Buffer[] = [];
    data.on('data', (d: Buffer) => body.push(d));
    const ended = once(data, 'end');
    data.write(Buffer.from('GET /passwd HTTP/1.0\r\n\r\n'));
    await ended;
    const reply = Buffer.concat(body).toString();
    expect(reply).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(reply).toContain('root:x:0:0:');
    expect(Buffer.concat(errText).toString()).toBe('');
    const closed = once(session, 'close');
    session.goAway();
    session.end();
    await closed;
  }, 30_000);
});
