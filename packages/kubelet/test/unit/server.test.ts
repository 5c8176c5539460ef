import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import type { Container, ContainerFilter, ContainerState, PodSandbox, RuntimeService } from '../../src/cri/types.js';
import { startKubeletServer, type KubeletServer, type KubeletServerHost, type RemoteCommandOptions, type StreamingHandlers } from '../../src/server/index.js';

const pexec = promisify(execFile);
const log = pino({ level: 'silent' });

interface Reply { status: number; body: string; headers: IncomingMessage['headers']; cert?: ReturnType<TLSSocket['getPeerCertificate']> }

function get(port: number, path: string, o: { method?: string; headers?: Record<string, string>; cert?: Buffer; key?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers, rejectUnauthorized: false, cert: o.cert, key: o.key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, cert }));
    });
    req.on('error', reject);
    req.end();
  });
}
const upgrade = (port: number, path: string) => get(port, path, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });

/** A RuntimeService where only the given methods work. */
function fakeRuntime(impl: Partial<RuntimeService>): RuntimeService {
  return new Proxy(impl, {
    get: (t, p) => (t as Record<string | symbol, unknown>)[p] ?? (() => Promise.reject(new Error(`${String(p)} not faked`))),
  }) as RuntimeService;
}

function ctr(id: string, name: string, createdAt: number, state: ContainerState, attempt: number): Container {
  return {
    id, podSandboxId: 'sb1', metadata: { name, attempt }, image: { image: 'busybox' }, imageRef: 'x', state, createdAt: String(BigInt(createdAt) * 1_000_000_000n),
    labels: { 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': name }, annotations: {},
  };
}

const T = (s: number) => `2024-05-01T10:00:0${s}.1Z`;

/** Hands streams to a stub that answers with the runtime URL (or the rejection) as a plain response. */
function fakeStreaming(seen: { opts?: RemoteCommandOptions; kind?: string }[]): StreamingHandlers {
  const reply = (socket: Duplex, code: number, body: string) =>
    socket.end(`HTTP/1.1 ${code} X\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  return {
    serveRemoteCommand(_req, socket, _head, opts, getUrl) {
      seen.push({ opts, kind: 'remote' });
      getUrl().then((u) => reply(socket, 200, u), (e: Error) => reply(socket, 500, e.message));
    },
    servePortForward(_req, socket, _head, getUrl) {
      seen.push({ kind: 'pf' });
      getUrl().then((u) => reply(socket, 200, u), (e: Error) => reply(socket, 500, e.message));
    },
    rejectUpgrade: (socket, code, message) => reply(socket, code, message),
  };
}

describe('kubelet server', () => {
  let dir: string;
  let srv: KubeletServer;
  const seen: { opts?: RemoteCommandOptions; kind?: string }[] = [];
  const execs: unknown[] = [];
  let unhealthy: string | undefined;
  const registry = new Registry();
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: { containers: [{ name: 'app' }, { name: 'side' }, { name: 'pull' }], initContainers: [{ name: 'init' }] },
    status: {
      containerStatuses: [
        { name: 'side', state: { waiting: { reason: 'ContainerCreating' } } },
        { name: 'pull', state: { waiting: { reason: 'ImagePullBackOff' } } },
      ],
    },
  };
  const containers: Container[] = [];
  const logs: Record<string, string> = {};
  const sandboxes: PodSandbox[] = [
    { id: 'sb-old', metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 0 }, state: 'SANDBOX_NOTREADY', createdAt: '1', labels: {}, annotations: {}, runtimeHandler: '' },
    { id: 'sb-new', metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 1 }, state: 'SANDBOX_READY', createdAt: '2', labels: {}, annotations: {}, runtimeHandler: '' },
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-server-'));
    for (const [id, lines] of [['c0', ['old-1', 'old-2']], ['c1', ['new-1', 'new-2', 'new-3']]] as const) {
      logs[id] = join(dir, `${id}.log`);
      await writeFile(logs[id]!, lines.map((l, i) => `${T(i)} stdout F ${l}\n`).join(''));
    }
    containers.push(ctr('c0', 'app', 100, 'CONTAINER_EXITED', 0), ctr('c1', 'app', 200, 'CONTAINER_RUNNING', 1));
    const runtime = fakeRuntime({
      listContainers: async (f?: ContainerFilter) =>
        containers.filter((c) => Object.entries(f?.labelSelector ?? {}).every(([k, v]) => c.labels[k] === v)),
      containerStatus: async (id) => {
        const c = containers.find((x) => x.id === id)!;
        return { ...c, startedAt: '0', finishedAt: '0', exitCode: 0, reason: '', message: '', mounts: [], logPath: logs[id] ?? '' };
      },
      listPodSandbox: async () => sandboxes,
      exec: async (r) => {
        execs.push(r);
        return 'http://127.0.0.1:1/exec/tok';
      },
      attach: async (r) => {
        execs.push(r);
        return 'http://127.0.0.1:1/attach/tok';
      },
      portForward: async (id, ports) => `http://127.0.0.1:1/portforward/${id}/${ports.join(',')}`,
    });
    const host: KubeletServerHost = {
      nodeName: 'node-a',
      runtime,
      getPodByName: (ns, name) => (ns === 'default' && name === 'web' ? pod : undefined),
      listPods: () => [pod],
      healthChecks: () => ({ syncloop: unhealthy }),
      metricsRegistry: registry,
    };
    srv = await startKubeletServer(host, { address: '127.0.0.1', port: 0, certDir: join(dir, 'pki'), logger: log, streaming: fakeStreaming(seen) });
  });
  afterAll(async () => {
    await srv?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a self-signed certificate for the node, kept for the next start', async () => {
    const r = await get(srv.port, '/healthz');
    expect(r.cert?.subject.CN).toMatch(/^node-a@\d+$/);
    expect(r.cert?.subjectaltname).toBe('DNS:node-a, DNS:localhost, IP Address:127.0.0.1');
    const before = await readFile(join(dir, 'pki', 'kubelet.crt'), 'utf8');
    const again = await startKubeletServer(
      { nodeName: 'node-a', runtime: fakeRuntime({}), getPodByName: () => undefined, listPods: () => [], metricsRegistry: new Registry() },
      { address: '127.0.0.1', port: 0, certDir: join(dir, 'pki'), logger: log, streaming: fakeStreaming([]) },
    );
    try {
      expect((await get(again.port, '/healthz')).cert?.fingerprint256).toBe(r.cert?.fingerprint256);
      expect(await readFile(join(dir, 'pki', 'kubelet.crt'), 'utf8')).toBe(before);
    } finally {
      await again.close();
    }
  });

  it('answers healthz, with the host checks', async () => {
    expect(await get(srv.port, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get(srv.port, '/healthz/ping')).toMatchObject({ status: 200, body: 'ok' });
    expect((await get(srv.port, '/healthz?verbose')).body).toBe('[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
    unhealthy = 'sync loop stalled';
    try {
      const r = await get(srv.port, '/healthz');
      expect(r.status).toBe(500);
      expect(r.body).toContain('[-]syncloop failed: reason withheld');
      expect((await get(srv.port, '/healthz/syncloop')).status).toBe(500);
      expect((await get(srv.port, '/healthz/ping')).status).toBe(200);
    } finally {
      unhealthy = undefined;
    }
    expect((await get(srv.port, '/healthz/nope')).status).toBe(404);
  });

  it('serves /pods, /metrics, /stats/summary (503 without a provider), 404 and 405', async () => {
    const pods = await get(srv.port, '/pods');
    expect(pods.headers['content-type']).toBe('application/json');
    expect(JSON.parse(pods.body)).toMatchObject({ kind: 'PodList', apiVersion: 'v1', items: [{ metadata: { name: 'web' } }] });
    const m = await get(srv.port, '/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toMatch(/kubelet_http_requests_total\{method="GET",path="pods",server_type="readwrite",long_running="false"\} 1/);
    expect((await get(srv.port, '/stats/summary')).status).toBe(503);
    expect(await get(srv.port, '/nope')).toMatchObject({ status: 404, body: '404 page not found\n' });
    const post = await get(srv.port, '/pods', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('serves container logs of the current and the previous instance', async () => {
    expect(await get(srv.port, '/containerLogs/default/web/app')).toMatchObject({ status: 200, body: 'new-1\nnew-2\nnew-3\n' });
    expect((await get(srv.port, '/containerLogs/default/web/app?tailLines=1&timestamps=true')).body).toBe('2024-05-01T10:00:02.100000000Z new-3\n');
    expect((await get(srv.port, '/containerLogs/default/web/app?previous=true')).body).toBe('old-1\nold-2\n');
    expect((await get(srv.port, '/containerLogs/default/web/app?limitBytes=3')).body).toBe('new');
    // follow on a running container streams until the client leaves; on an exited one it ends.
    expect((await get(srv.port, '/containerLogs/default/web/app?previous=1&follow=true')).body).toBe('old-1\nold-2\n');
  });

  it('answers log errors as upstream', async () => {
    const cases: [string, number, string][] = [
      ['/containerLogs/default/nope/app', 404, 'pod "nope" does not exist'],
      ['/containerLogs/default/web/nope', 404, 'container "nope" not found in pod "web"'],
      ['/containerLogs/default/web/side', 400, 'container "side" in pod "web" is waiting to start: ContainerCreating'],
      ['/containerLogs/default/web/pull', 400, 'container "pull" in pod "web" is waiting to start: trying and failing to pull image'],
      ['/containerLogs/default/web/init', 400, 'container "init" in pod "web" is not available'],
      ['/containerLogs/default/web/side?previous=true', 400, 'previous terminated container "side" in pod "web" not found'],
      ['/containerLogs/default/web/app?tailLines=-1', 422, '{"message": "Invalid request."}'],
      ['/containerLogs/default/web/app?tailLines=x', 400, '{"message": "Unable to decode query."}'],
    ];
    for (const [path, status, body] of cases) expect(await get(srv.port, path), path).toMatchObject({ status, body });
  });

  it('requires an upgrade for exec, attach and portForward', async () => {
    for (const p of ['/exec/default/web/app?command=ls&output=1', '/attach/default/web/app?output=1', '/portForward/default/web']) {
      expect(await get(srv.port, p), p).toMatchObject({ status: 400, body: 'Upgrade request required' });
    }
  });

  it('hands exec, attach and portForward upgrades to the streaming bridges with the resolved runtime call', async () => {
    seen.length = 0;
    execs.length = 0;
    const r = await upgrade(srv.port, '/exec/default/web/app?command=sh&command=-c&command=echo%20hi&input=1&output=1&error=1&tty=1');
    expect(r).toMatchObject({ status: 200, body: 'http://127.0.0.1:1/exec/tok' });
    // tty drops stderr, as upstream's NewOptions.
    expect(seen[0]).toEqual({ kind: 'remote', opts: { stdin: true, stdout: true, stderr: false, tty: true } });
    expect(execs[0]).toEqual({ containerId: 'c1', cmd: ['sh', '-c', 'echo hi'], tty: true, stdin: true, stdout: true, stderr: false });
    // kubectl's own names are accepted too, and the uid form of the path.
    expect((await upgrade(srv.port, '/attach/default/web/uid-1/app?stdout=true&stderr=true')).body).toBe('http://127.0.0.1:1/attach/tok');
    expect(execs[1]).toEqual({ containerId: 'c1', tty: false, stdin: false, stdout: true, stderr: true });
    expect((await upgrade(srv.port, '/portForward/default/web?port=8080')).body).toBe('http://127.0.0.1:1/portforward/sb-new/8080');
  });

  it('rejects bad stream upgrades before the bridge', async () => {
    const cases: [string, number, string][] = [
      ['/exec/default/web/app?command=ls', 400, 'you must specify at least 1 of stdin, stdout, stderr'],
      ['/exec/default/nope/app?output=1', 404, 'pod does not exist'],
      ['/exec/default/web/other-uid/app?output=1', 404, 'pod not found'],
      ['/exec/default/web/side?output=1', 500, 'container not found ("side")'],
      ['/portForward/default/nope', 404, 'pod does not exist'],
      ['/nope/x', 404, '404 page not found\n'],
    ];
    for (const [path, status, body] of cases) expect(await upgrade(srv.port, path), path).toMatchObject({ status, body });
  });
});

describe('kubelet server with --client-ca-file', () => {
  let dir: string;
  let srv: KubeletServer;
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => pexec('openssl', args);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-server-ca-'));
    await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=test-ca', '-days', '1');
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=kube-apiserver');
    await ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.crt'), '-days', '1');
    await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('rogue.key'), '-out', f('rogue.crt'), '-subj', '/CN=rogue', '-days', '1');
    const host: KubeletServerHost = { nodeName: 'node-b', runtime: fakeRuntime({}), getPodByName: () => undefined, listPods: () => [], metricsRegistry: new Registry() };
    srv = await startKubeletServer(host, { address: '127.0.0.1', port: 0, certDir: f('pki'), clientCAFile: f('ca.crt'), logger: log, streaming: fakeStreaming([]) });
  });
  afterAll(async () => {
    await srv?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 401 without a certificate from the CA and serves with one', async () => {
    expect(await get(srv.port, '/pods')).toMatchObject({ status: 401, body: 'Unauthorized' });
    expect((await get(srv.port, '/healthz', { cert: await readFile(f('rogue.crt')), key: await readFile(f('rogue.key')) })).status).toBe(401);
    expect((await upgrade(srv.port, '/exec/default/web/app?output=1')).status).toBe(401);
    const ok = await get(srv.port, '/pods', { cert: await readFile(f('client.crt')), key: await readFile(f('client.key')) });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] });
  });
});
