// The probe actions against real servers on 127.0.0.1: HTTP (status codes, headers, redirects,
// body limit, refused, timeout), TCP, gRPC health; messages as upstream prints them.
import grpc from '@grpc/grpc-js';
import { FakeClock, type Container, type EventRecorder, type Pod } from '@kube-ts/client';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RuntimeService } from '../../src/cri/types.js';
import { grpcProbe } from '../../src/prober/grpc.js';
import { httpProbe, newHttpProbeRequest } from '../../src/prober/http.js';
import { healthServiceDefinition, ProbeManager, type HealthCheckRequest, type HealthCheckResponse, type HTTPGetAction } from '../../src/prober/index.js';
import { tcpProbe } from '../../src/prober/tcp.js';
import { expand, resolveContainerPort } from '../../src/prober/util.js';

const listen = (s: Server | ReturnType<typeof createTcpServer>): Promise<number> =>
  new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

const app: Container = { name: 'app', ports: [{ name: 'http', containerPort: 0 }] };
const probeHttp = (action: HTTPGetAction, timeoutS = 1): ReturnType<typeof httpProbe> =>
  httpProbe(newHttpProbeRequest(action, app, '127.0.0.1'), timeoutS * 1000);

describe('http probe', () => {
  let server: Server;
  let port: number;
  let seen: IncomingHttpHeaders[] = [];
  const sockets = new Set<import('node:net').Socket>();

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      seen.push(req.headers);
      const path = req.url ?? '';
      if (path === '/ok') return res.end('fine');
      if (path === '/500') { res.statusCode = 500; return res.end('bad'); }
      if (path.startsWith('/hop/')) {
        const n = Number(path.slice(5));
        res.writeHead(302, { Location: n > 0 ? `/hop/${n - 1}` : '/ok' });
        return res.end();
      }
      if (path === '/loop') { res.writeHead(302, { Location: '/loop' }); return res.end(); }
      if (path === '/away') { res.writeHead(301, { Location: `http://localhost:${port}/ok` }); return res.end('moved away'); }
      if (path === '/big') { res.writeHead(307, { Location: `http://localhost:${port}/ok` }); return res.end('x'.repeat(50_000)); }
      if (path === '/hang') return; // never answers
      res.statusCode = 404;
      res.end();
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    port = await listen(server);
    app.ports = [{ name: 'http', containerPort: port }];
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('succeeds on 2xx and sends kube-probe headers, custom headers and Host', async () => {
    seen = [];
    expect(await probeHttp({ port: 'http', path: '/ok' })).toEqual({ result: 'success', output: 'fine' });
    expect(seen[0]).toMatchObject({ 'user-agent': 'kube-probe/1.32', accept: '*/*', host: `127.0.0.1:${port}`, connection: 'close' });
    expect(seen[0]!['accept-encoding']).toBeUndefined();
    seen = [];
    const r = await probeHttp({
      port,
      path: '/ok',
      httpHeaders: [{ name: 'x-probe', value: 'a' }, { name: 'Host', value: 'example.test' }, { name: 'User-Agent', value: 'mine' }, { name: 'Accept', value: '' }],
    });
    expect(r.result).toBe('success');
    expect(seen[0]).toMatchObject({ 'x-probe': 'a', host: 'example.test', 'user-agent': 'mine' });
    expect(seen[0]!.accept).toBeUndefined();
  });

  it('fails on other status codes with the upstream message', async () => {
    expect(await probeHttp({ port, path: '/500' })).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    expect(await probeHttp({ port, path: '/nope' })).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
  });

  it('follows redirects on the same host, at most 10', async () => {
    seen = [];
    expect(await probeHttp({ port, path: '/hop/3' })).toEqual({ result: 'success', output: 'fine' });
    expect(seen).toHaveLength(5);
    expect(await probeHttp({ port, path: '/loop' })).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects`,
    });
  });

  it('warns, and succeeds, on a redirect to another host; the body is capped at 10 KiB', async () => {
    expect(await probeHttp({ port, path: '/away' })).toEqual({ result: 'warning', output: 'Probe terminated redirects, Response body: moved away' });
    const big = await probeHttp({ port, path: '/big' });
    expect(big.result).toBe('warning');
    expect(big.output).toBe(`Probe terminated redirects, Response body: ${'x'.repeat(10 * 1024)}`);
  });

  it('reports refused connections and timeouts as Go does', async () => {
    const closed = await closedPort();
    expect(await probeHttp({ port: closed, path: '/healthz' })).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    });
    const t0 = Date.now();
    expect(await probeHttp({ port, path: '/hang' })).toEqual({
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('records ProbeWarning and Unhealthy events through the manager', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const clock = new FakeClock();
    const events: string[] = [];
    const recorder: EventRecorder = { event: (_ref, type, reason, message) => events.push(`${type} ${reason} ${message}`) };
    const pod: Pod = {
      metadata: { name: 'web', namespace: 'default', uid: 'u1' },
      spec: { containers: [{ name: 'app', readinessProbe: { httpGet: { port, path: '/away' } }, livenessProbe: { httpGet: { port, path: '/500' }, failureThreshold: 1 } }] },
    };
    const status = {
      phase: 'Running' as const,
      podIP: '127.0.0.1',
      containerStatuses: [{ name: 'app', containerID: 'containerd://c1', state: { running: { startedAt: new Date(clock.now()).toISOString() } }, ready: false }],
    };
    const resyncs: string[] = [];
    const mgr = new ProbeManager({
      runtime: {} as RuntimeService,
      recorder,
      clock,
      logger: pino({ level: 'silent' }),
      getPodStatus: () => status,
      onResult: (uid) => resyncs.push(uid),
    });
    try {
      mgr.addPod(pod);
      await clock.step(0);
      await vi.waitFor(() => expect(mgr.result('liveness', 'c1')).toBe('Failure'));
      await vi.waitFor(() => expect(mgr.result('readiness', 'c1')).toBe('Success'));
      expect(events.sort()).toEqual([
        'Warning ProbeWarning Readiness probe warning: Probe terminated redirects, Response body: moved away',
        'Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500',
      ]);
      expect(resyncs.length).toBeGreaterThanOrEqual(2);
      const s = structuredClone(status);
      mgr.updatePodStatus(pod, s);
      expect(s.containerStatuses[0]).toMatchObject({ ready: true, started: true });
    } finally {
      mgr.stop();
      vi.restoreAllMocks();
    }
  });

  it('errors on unresolvable ports (event: errored and resulted in unknown state)', () => {
    expect(() => resolveContainerPort('metrics', app)).toThrow('strconv.Atoi: parsing "metrics": invalid syntax');
    expect(() => resolveContainerPort(0, app)).toThrow('invalid port number: 0');
    expect(resolveContainerPort('8080', app)).toBe(8080);
    expect(resolveContainerPort('http', app)).toBe(port);
  });
});

describe('tcp probe', () => {
  it('succeeds when a connection opens and fails with the dial error otherwise', async () => {
    const s = createTcpServer((c) => c.destroy());
    const port = await listen(s);
    try {
      expect(await tcpProbe('127.0.0.1', port, 1000)).toEqual({ result: 'success', output: '' });
    } finally {
      await new Promise((r) => s.close(r));
    }
    const closed = await closedPort();
    expect(await tcpProbe('127.0.0.1', closed, 1000)).toEqual({ result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  });
});

describe('grpc probe', () => {
  let server: grpc.Server;
  let port: number;
  let bare: grpc.Server;
  let barePort: number;
  const statusOf: Record<string, HealthCheckResponse['status']> = { '': 'SERVING', db: 'NOT_SERVING' };
  let agents: string[] = [];

  const bind = (s: grpc.Server): Promise<number> =>
    new Promise((r, j) => s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? j(err) : r(p))));

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(healthServiceDefinition, {
      Check: (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, cb: grpc.sendUnaryData<HealthCheckResponse>) => {
        agents.push(String(call.metadata.get('user-agent')[0] ?? ''));
        const st = statusOf[call.request.service];
        if (!st) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        cb(null, { status: st });
      },
    });
    port = await bind(server);
    bare = new grpc.Server(); // no health service
    barePort = await bind(bare);
  });
  afterAll(() => {
    server.forceShutdown();
    bare.forceShutdown();
  });

  it('maps SERVING, NOT_SERVING, errors and a missing health service', async () => {
    agents = [];
    expect(await grpcProbe('127.0.0.1', '', port, 1)).toEqual({ result: 'success', output: 'service healthy' });
    expect(agents[0]).toMatch(/^kube-probe\/1\.32/);
    expect(await grpcProbe('127.0.0.1', 'db', port, 1)).toEqual({ result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
    expect(await grpcProbe('127.0.0.1', 'other', port, 1)).toEqual({
      result: 'failure',
      output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    });
    const r = await grpcProbe('127.0.0.1', '', barePort, 1);
    expect(r.result).toBe('failure');
    expect(r.output).toMatch(/^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  });

  it('fails with the connect timeout when nothing listens', async () => {
    const closed = await closedPort();
    expect(await grpcProbe('127.0.0.1', '', closed, 1)).toEqual({
      result: 'failure',
      output: `timeout: failed to connect service "127.0.0.1:${closed}" within 1s: context deadline exceeded`,
    });
  });
});

describe('command expansion', () => {
  it('expands like upstream expansion.Expand', () => {
    const env = new Map([['A', 'x'], ['EMPTY', '']]);
    expect(expand('$(A)-$(EMPTY)-$(B)-$$(A)-$A-$(A', env)).toBe('x--$(B)-$(A)-$A-$(A');
    expect(expand('tail$', env)).toBe('tail$');
  });
});
