// pods/log, exec and portforward through kube-apiserver to a kubelet: real kubectl against a
// fake kubelet (HTTPS on 127.0.0.1) that records what reached it and answers like a kubelet
// (plain-text logs, WebSocket v5.channel.k8s.io exec, SPDY/3.1+portforward.k8s.io tunnel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { startCluster, waitUntil, type Cluster } from './support/cluster.js';
import { freePort } from '../../raftkv/test/support/servers.js';
import { servingCert } from '../src/tls.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers'] }

/** A kubelet stand-in: logs by container name, exec by command, portforward accepted. */
class FakeKubelet {
  readonly seen: Seen[] = [];
  private releaseFollow: (() => void) | undefined;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : [...protocols][0] ?? false),
  });
  private readonly sockets = new Set<Duplex>();
  port = 0;

  constructor(cert: { cert: string; key: string }) {
    this.server = createServer(cert, (req, res) => {
      this.seen.push({ method: req.method!, url: req.url!, headers: { ...req.headers } });
      const u = new URL(req.url!, 'https://kubelet');
      const container = u.pathname.split('/')[4];
      if (container === 'waiting') {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('container "waiting" in pod "web" is waiting to start: ContainerCreating');
        return;
      }
      const stamp = u.searchParams.get('timestamps') === 'true' ? '2024-05-01T10:00:00.123456789Z ' : '';
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      if (u.searchParams.get('follow') === 'true') {
        // The second line only comes once the test saw the first one arrive at kubectl.
        res.write(`${stamp}follow-1\n`);
        this.releaseFollow = () => res.end(`${stamp}follow-2\n`);
        return;
      }
      let lines = [`${container}-1`, `${container}-2`, `${container}-3`];
      const tail = u.searchParams.get('tailLines');
      if (tail !== null) lines = lines.slice(-Number(tail));
      res.end(lines.map((l) => `${stamp}${l}\n`).join(''));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.seen.push({ method: req.method!, url: req.url!, headers: { ...req.headers } });
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
        // Plain SPDY upgrade (kubectl's fallback): switch and leave the connection open.
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
        return;
      }
      // ws refuses "SPDY/3.1+portforward.k8s.io" ('/' is no token character): answer it by hand.
      const tunnel = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim()).find((p) => p === 'SPDY/3.1+portforward.k8s.io');
      if (tunnel) {
        delete req.headers['sec-websocket-protocol'];
        this.wss.once('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${tunnel}`));
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (!req.url!.startsWith('/exec/')) return; // portforward: the tunnel stays open, idle
        const u = new URL(req.url!, 'https://kubelet');
        const command = u.searchParams.getAll('command');
        const frame = (channel: number, data: string): Buffer => Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);
        if (command[0] === 'cat') {
          // stdin (channel 0) echoed to stdout; v5's close of stdin (255, 0) ends the command.
          ws.on('message', (data: Buffer) => {
            if (data[0] === 0) ws.send(frame(1, data.subarray(1).toString()));
            if (data[0] === 255 && data[1] === 0) {
              ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Success' })));
              ws.close(1000);
            }
          });
          return;
        }
        if (command[0] === 'fail') {
          ws.send(frame(1, 'about to fail\n'));
          ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: error executing command [fail], exit code 3', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })));
        } else {
          ws.send(frame(1, `hello from ${command.join(' ')}\n`));
          ws.send(frame(2, 'to stderr\n'));
          ws.send(frame(3, JSON.stringify({ metadata: {}, status: 'Success' })));
        }
        ws.close(1000);
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  release(): void { this.releaseFollow?.(); }

  last(prefix: string): Seen | undefined {
    return [...this.seen].reverse().find((s) => s.url.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('pod proxy subresources through kube-apiserver', () => {
  let c: Cluster;
  let kubelet: FakeKubelet;
  let certDir: string;
  let deadPort: number;

  const createPod = async (name: string, containers: string[], nodeName?: string, phase?: string): Promise<void> => {
    const r = await c.request('/api/v1/namespaces/default/pods', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((n) => ({ name: n, image: 'busybox' })) } },
    });
    expect(r.status, r.text).toBe(201);
    if (phase) {
      const s = await c.request(`/api/v1/namespaces/default/pods/${name}/status`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { status: { phase } } });
      expect(s.status, s.text).toBe(200);
    }
  };

  const createNode = async (name: string, port: number): Promise<void> => {
    const r = await c.request('/api/v1/nodes', { method: 'POST', body: { apiVersion: 'v1', kind: 'Node', metadata: { name } } });
    expect(r.status, r.text).toBe(201);
    // What a kubelet reports; the Hostname does not resolve, so only InternalIP (preferred by the
    // cluster's --kubelet-preferred-address-types) can work.
    const s = await c.request(`/api/v1/nodes/${name}/status`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' },
      body: { status: { addresses: [{ type: 'Hostname', address: 'no-such-node.invalid' }, { type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } },
    });
    expect(s.status, s.text).toBe(200);
  };

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'fake-kubelet-'));
    const cert = servingCert(certDir, { dns: [], ips: [] });
    kubelet = new FakeKubelet(cert);
    await kubelet.start();
    deadPort = await freePort();
    c = await startCluster('raftkv', { extraArgs: ['--kubelet-preferred-address-types', 'InternalIP,Hostname', '--kubelet-timeout', '3s'] });
    await createNode('node-1', kubelet.port);
    await createNode('node-dead', deadPort);
    await createPod('web', ['a'], 'node-1', 'Running');
    await createPod('two', ['a', 'b'], 'node-1', 'Running');
    await createPod('unbound', ['a']);
    await createPod('lost', ['a'], 'node-dead', 'Running');
  }, 60_000);

  afterAll(async () => {
    await c?.teardown();
    await kubelet?.stop();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it('lists pods/log, exec, attach and portforward in discovery', async () => {
    const r = await c.request('/api/v1');
    const subs = (r.body.resources as Array<{ name: string; kind: string; verbs: string[] }>).filter((x) => x.name.startsWith('pods/'));
    expect(subs.map((x) => x.name)).toEqual(['pods/attach', 'pods/binding', 'pods/eviction', 'pods/exec', 'pods/log', 'pods/portforward', 'pods/status']);
    expect(subs.find((x) => x.name === 'pods/exec')).toMatchObject({ kind: 'PodExecOptions', verbs: ['create', 'get'] });
    expect(subs.find((x) => x.name === 'pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
  });

  it('kubectl logs shows what the kubelet served, with -c, --tail and --timestamps translated', async () => {
    expect(await c.kubectlOk(['logs', 'web'])).toBe('a-1\na-2\na-3\n');
    expect(kubelet.last('/containerLogs/')!.url).toBe('/containerLogs/default/web/a');
    expect(await c.kubectlOk(['logs', 'two', '-c', 'b', '--tail=1', '--timestamps'])).toBe('2024-05-01T10:00:00.123456789Z b-3\n');
    expect(kubelet.last('/containerLogs/')!.url).toBe('/containerLogs/default/two/b?tailLines=1&timestamps=true');
    // The kubelet's own refusal comes back as a Status.
    const r = await c.request('/api/v1/namespaces/default/pods/two/log?container=waiting');
    expect(r.status).toBe(400);
  });

  it('kubectl logs -f streams each line as the kubelet sends it', async () => {
    const child = spawn('kubectl', ['logs', '-f', 'web'], { env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: join(c.dir, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitUntil(() => out.includes('follow-1\n'), 15_000, 'the first followed line');
      expect(out).toBe('follow-1\n');
      expect(kubelet.last('/containerLogs/')!.url).toBe('/containerLogs/default/web/a?follow=true');
      kubelet.release();
      expect(await exited).toBe(0);
      expect(out).toBe('follow-1\nfollow-2\n');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('kubectl exec runs through the WebSocket upgrade and keeps the exit code', async () => {
    const ok = await c.kubectl(['exec', 'web', '--', 'echo', 'hi there']);
    expect(ok).toMatchObject({ code: 0, stdout: 'hello from echo hi there\n', stderr: 'to stderr\n' });
    const seen = kubelet.last('/exec/')!;
    expect(seen.url).toBe('/exec/default/web/a?command=echo&command=hi+there&error=1&output=1');
    expect(seen.headers['sec-websocket-protocol']).toContain('v5.channel.k8s.io');
    expect(seen.headers.authorization).toBeUndefined();
    // stdin travels the other way through the same joined connection.
    const echoed = await c.kubectl(['exec', '-i', 'web', '--', 'cat'], 'ping from stdin\n');
    expect(echoed).toMatchObject({ code: 0, stdout: 'ping from stdin\n' });
    expect(kubelet.last('/exec/')!.url).toBe('/exec/default/web/a?command=cat&error=1&input=1&output=1');
    const failed = await c.kubectl(['exec', 'two', '-c', 'b', '--', 'fail']);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toBe('about to fail\n');
    expect(failed.stderr).toContain('command terminated with exit code 3');
    expect(kubelet.last('/exec/')!.url).toBe('/exec/default/two/b?command=fail&error=1&output=1');
  });

  it('kubectl port-forward reaches the kubelet with the SPDY-over-WebSocket subprotocol', async () => {
    const child = spawn('kubectl', ['port-forward', 'pod/web', ':80'], { env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: join(c.dir, 'home') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await waitUntil(() => kubelet.last('/portForward/') !== undefined && /Forwarding from 127\.0\.0\.1:\d+ -> 80/.test(out), 15_000, `port-forward to start (${out})`);
      const seen = kubelet.last('/portForward/')!;
      expect(seen.url).toBe('/portForward/default/web');
      expect(seen.headers.upgrade?.toLowerCase()).toBe('websocket');
      expect(seen.headers['sec-websocket-protocol']).toContain('SPDY/3.1+portforward.k8s.io');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('answers errors with kubectl-readable Statuses', async () => {
    const many = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/two/log']);
    expect(many.code).toBe(1);
    expect(many.stderr).toContain('Error from server (BadRequest): a container name must be specified for pod two, choose one of: [a b]');
    const bogus = await c.kubectl(['exec', 'two', '-c', 'bogus', '--', 'ls']);
    expect(bogus.stderr).toContain('Error from server (BadRequest): container bogus is not valid for pod two');
    const unbound = await c.kubectl(['exec', 'unbound', '--', 'ls']);
    expect(unbound.code).toBe(1);
    expect(unbound.stderr).toContain('Error from server (BadRequest): pod unbound does not have a host assigned');
    // A pod not on a node yet has an empty log, as upstream.
    expect(await c.kubectl(['logs', 'unbound'])).toMatchObject({ code: 0, stdout: '' });
    const missing = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nope/log']);
    expect(missing.stderr).toContain('Error from server (NotFound): pods "nope" not found');
    const plain = await c.request('/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true');
    expect(plain.status).toBe(400);
    expect(plain.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'Upgrade request required' });
    expect((await c.request('/api/v1/namespaces/default/pods/nope/exec?command=ls')).status).toBe(404);
  });

  it('reports an unreachable kubelet like upstream', async () => {
    const logs = await c.kubectl(['logs', 'lost']);
    expect(logs.stderr).toContain(`Error from server: Get "https://127.0.0.1:${deadPort}/containerLogs/default/lost/a": dial tcp 127.0.0.1:${deadPort}: connect: connection refused`);
    const exec = await c.kubectl(['exec', 'lost', '--', 'ls']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain(`error dialing backend: dial tcp 127.0.0.1:${deadPort}: connect: connection refused`);
  });

  it('refuses an upgrade for a missing pod with a Status and still serves other upgrade requests', async () => {
    const url = `wss://127.0.0.1:${c.apiservers[0]!.port}/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true`;
    const answer = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(url, ['v5.channel.k8s.io'], { ca: c.ca });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => { ws.close(); reject(new Error('upgraded')); });
      ws.on('error', () => { /* reported through unexpected-response */ });
    });
    expect(answer.code).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found' });
    const other = await c.request('/api/v1/namespaces/default/pods/web', { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    expect(other.status).toBe(200);
    expect(other.body.metadata.name).toBe('web');
  });
});
