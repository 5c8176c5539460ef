import { afterEach, describe, expect, it } from 'vitest';
import { get } from 'node:http';
import { Registry } from 'prom-client';
import { FakeClock } from '@kube-ts/client/clock';
import type { Node } from '@kube-ts/client';
import { ProxyHealth } from '../../src/server/health.js';
import { goTimeString } from '../../src/server/gotime.js';
import { listenHttp, notFound, type HttpListener } from '../../src/server/http.js';
import { metricsHandler } from '../../src/server/metrics.js';
import { ProxyMetrics } from '../../src/metrics.js';

function fetchLocal(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => { body += d.toString(); });
      r.on('end', () => res({ status: r.statusCode ?? 0, body, type: String(r.headers['content-type']) }));
    }).on('error', rej);
  });
}

const listeners: HttpListener[] = [];
afterEach(async () => { await Promise.all(listeners.splice(0).map((l) => l.close())); });

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 670);

async function healthServer(timeoutMs = 60_000) {
  const clock = new FakeClock(T0);
  const counts: string[] = [];
  const h = new ProxyHealth(timeoutMs, { clock, healthz: { inc: (c) => counts.push(`healthz ${c}`) }, livez: { inc: (c) => counts.push(`livez ${c}`) } });
  const l = await listenHttp('127.0.0.1:0', (req, res) => { if (!h.handle(req, res)) notFound(res); });
  listeners.push(l);
  return { clock, h, port: l.port, counts };
}

describe('Go time strings', () => {
  it('print as Go prints time.Time in UTC', () => {
    expect(goTimeString(T0)).toBe('2026-01-02 03:04:05.67 +0000 UTC');
    expect(goTimeString(Date.UTC(2026, 0, 2))).toBe('2026-01-02 00:00:00 +0000 UTC');
    expect(goTimeString(undefined)).toBe('0001-01-01 00:00:00 +0000 UTC');
  });
});

describe('proxy healthz', () => {
  it('is healthy while starting and reports now, in upstream\'s JSON body', async () => {
    const { port } = await healthServer();
    const r = await fetchLocal(port, '/healthz');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.body).toBe('{"lastUpdated": "2026-01-02 03:04:05.67 +0000 UTC","currentTime": "2026-01-02 03:04:05.67 +0000 UTC", "nodeEligible": true}');
    const l = await fetchLocal(port, '/livez');
    expect(l.body).toBe('{"lastUpdated": "2026-01-02 03:04:05.67 +0000 UTC","currentTime": "2026-01-02 03:04:05.67 +0000 UTC"}');
  });

  it('turns 503 once a queued update waits longer than the timeout, and 200 after a sync', async () => {
    const { clock, h, port, counts } = await healthServer(60_000);
    h.updated();
    await clock.step(1000);
    h.queuedUpdate();
    await clock.step(59_000);
    expect((await fetchLocal(port, '/healthz')).status).toBe(200);
    h.queuedUpdate(); // a later queue does not move the oldest pending time
    await clock.step(1000);
    const bad = await fetchLocal(port, '/healthz');
    expect(bad.status).toBe(503);
    // An unhealthy answer reports the real last update time.
    expect(bad.body).toBe('{"lastUpdated": "2026-01-02 03:04:05.67 +0000 UTC","currentTime": "2026-01-02 03:05:06.67 +0000 UTC", "nodeEligible": true}');
    expect((await fetchLocal(port, '/livez')).status).toBe(503);
    h.updated();
    expect((await fetchLocal(port, '/healthz')).status).toBe(200);
    expect(counts).toEqual(['healthz 200', 'healthz 503', 'livez 503', 'healthz 200']);
  });

  it('healthz (not livez) is 503 while the Node is being deleted or tainted for deletion', async () => {
    const { h, port } = await healthServer();
    const node = (extra: Partial<Node>): Node => ({ metadata: { name: 'n' }, ...extra });
    h.syncNode(node({ spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] } }));
    const r = await fetchLocal(port, '/healthz');
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/"nodeEligible": false}$/);
    expect((await fetchLocal(port, '/livez')).status).toBe(200);
    h.syncNode(node({}));
    expect((await fetchLocal(port, '/healthz')).status).toBe(200);
    h.syncNode(node({ metadata: { name: 'n', deletionTimestamp: '2026-01-01T00:00:00Z' } }));
    expect((await fetchLocal(port, '/healthz')).status).toBe(503);
    expect((await fetchLocal(port, '/other')).status).toBe(404);
  });
});

describe('metrics server', () => {
  it('serves /metrics, /healthz, /proxyMode and /configz', async () => {
    const m = new ProxyMetrics('iptables', new Registry());
    m.observeSync(0.003, true);
    const l = await listenHttp('127.0.0.1:0', metricsHandler({ registry: m.registry, mode: 'iptables', configz: { mode: 'iptables' } }));
    listeners.push(l);
    const metrics = await fetchLocal(l.port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^kubeproxy_sync_proxy_rules_duration_seconds_count 1$/m);
    expect(metrics.body).toMatch(/^kubeproxy_sync_full_proxy_rules_duration_seconds_bucket\{le="0.004"\} 1$/m);
    expect(await fetchLocal(l.port, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await fetchLocal(l.port, '/proxyMode')).toMatchObject({ status: 200, body: 'iptables' });
    expect(JSON.parse((await fetchLocal(l.port, '/configz')).body)).toEqual({ 'kubeproxy.config.k8s.io': { mode: 'iptables' } });
    expect((await fetchLocal(l.port, '/nope')).status).toBe(404);
  });
});
