// The lease endpoint reconciler end to end: two kube-apiservers on one store advertising
// 127.0.0.1 and 127.0.0.2 (both loopback; same secure port, each bound to its own address) are
// both listed in default/kubernetes (Endpoints and EndpointSlice); a kill -9 drops one out once
// its master lease expires; a SIGTERM removes it before the process exits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { APISERVER_CLI, startCluster, testKinds, waitUntil, type Cluster } from './support/cluster.js';
import { EtcdClient, prefixEnd } from '../src/storage/etcd.js';

const EP = '/api/v1/namespaces/default/endpoints/kubernetes';
const SLICE = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes';

interface Listed { endpoints: string[]; slice: string[]; ports: number[] }

describe.each(testKinds())('kubernetes Service endpoints follow the live apiservers on %s', (kind) => {
  let c: Cluster;
  let b: { child: ChildProcess; log: () => string } | undefined;
  let port: number;

  /** GET through the apiserver at `host` (its cert names 127.0.0.1 and localhost, not 127.0.0.2). */
  const get = (host: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> => new Promise((res, rej) => {
    const req = httpsRequest({ host, port, path, ca: c.ca, servername: 'localhost', headers: { Accept: 'application/json' }, timeout: 10_000 }, (r) => {
      let text = '';
      r.on('data', (d: Buffer) => { text += d.toString(); });
      r.on('end', () => {
        let body: Record<string, unknown> = {};
        try { body = JSON.parse(text) as Record<string, unknown>; } catch { /* /healthz answers plain text */ }
        res({ status: r.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', rej);
    req.end();
  });

  const listed = async (host: string): Promise<Listed> => {
    const ep = await get(host, EP);
    const slice = await get(host, SLICE);
    const subsets = (ep.body.subsets as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }> | undefined) ?? [];
    const endpoints = (slice.body.endpoints as Array<{ addresses: string[] }> | undefined) ?? [];
    return {
      endpoints: subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip)),
      slice: endpoints.flatMap((e) => e.addresses),
      ports: [...subsets.flatMap((s) => (s.ports ?? []).map((p) => p.port)), ...((slice.body.ports as Array<{ port: number }> | undefined) ?? []).map((p) => p.port)],
    };
  };

  const bothList = async (host: string, ips: string[]): Promise<boolean> => {
    try {
      const l = await listed(host);
      return JSON.stringify(l.endpoints) === JSON.stringify(ips) && JSON.stringify(l.slice) === JSON.stringify(ips);
    } catch {
      return false;
    }
  };

  const exited = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r())));

  /** The second apiserver: same store, certs and port as the first, on 127.0.0.2. */
  const startB = async (): Promise<void> => {
    let log = '';
    const child = spawn(process.execPath, [APISERVER_CLI, '--etcd-servers', c.store.endpoint, '--secure-port', String(port),
      '--bind-address', '127.0.0.2', '--advertise-address', '127.0.0.2', '--cert-dir', join(c.dir, 'certs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    b = { child, log: () => log };
    let last = '';
    await waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`second apiserver exited:\n${log}`);
      try { return (await get('127.0.0.2', '/healthz')).status === 200; } catch (e) { last = String(e); return false; }
    }, 30_000, 'the second apiserver to serve').catch((e: Error) => { throw new Error(`${e.message} (${last}):\n${log}`); });
  };

  beforeAll(async () => {
    c = await startCluster(kind, { apiservers: 1 });
    port = c.apiservers[0]!.port;
    await startB();
  });
  afterAll(async () => {
    if (b && b.child.exitCode === null && b.child.signalCode === null) {
      b.child.kill('SIGKILL');
      await exited(b.child);
    }
    await c?.teardown();
  });

  it('lists both apiservers, sorted, with the secure port, and keeps a master lease for each', async () => {
    await waitUntil(() => bothList('127.0.0.1', ['127.0.0.1', '127.0.0.2']), 10_000, 'both apiservers listed');
    const l = await listed('127.0.0.2');
    expect(l).toEqual({ endpoints: ['127.0.0.1', '127.0.0.2'], slice: ['127.0.0.1', '127.0.0.2'], ports: [port, port] });
    const slice = (await get('127.0.0.1', SLICE)).body as { metadata: { labels: Record<string, string> }; addressType: string };
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    expect(slice.addressType).toBe('IPv4');
    const etcd = new EtcdClient(c.store.endpoint);
    try {
      const { kvs } = await etcd.range('/registry/masterleases/', prefixEnd('/registry/masterleases/'));
      expect(kvs.map((kv) => kv.key)).toEqual(['/registry/masterleases/127.0.0.1', '/registry/masterleases/127.0.0.2']);
      expect(JSON.parse(kvs[1]!.value.toString())).toMatchObject({ kind: 'Endpoints', apiVersion: 'v1', subsets: [{ addresses: [{ ip: '127.0.0.2' }] }] });
    } finally {
      etcd.close();
    }
  });

  it('kill -9 of one: only the live one is listed once its lease (15 s) expires', async () => {
    const killedAt = Date.now();
    c.apiservers[0]!.child.kill('SIGKILL');
    await exited(c.apiservers[0]!.child);
    // Still listed right after the crash: only the lease's expiry takes it out.
    expect((await listed('127.0.0.2')).endpoints).toEqual(['127.0.0.1', '127.0.0.2']);
    await waitUntil(() => bothList('127.0.0.2', ['127.0.0.2']), 25_000, 'the dead apiserver dropped');
    expect(Date.now() - killedAt).toBeLessThan(20_000);
  });

  it('after a restart both are listed again; SIGTERM removes the stopping one before it exits', async () => {
    await c.restartApiServer(0);
    await waitUntil(() => bothList('127.0.0.1', ['127.0.0.1', '127.0.0.2']), 10_000, 'the restarted apiserver listed again');
    b!.child.kill('SIGTERM');
    await exited(b!.child);
    expect(b!.child.exitCode).toBe(0);
    // Removed synchronously on shutdown: at most the watch cache's delay, nowhere near the TTL.
    await waitUntil(() => bothList('127.0.0.1', ['127.0.0.1']), 2_000, 'the stopped apiserver removed');
    expect(await listed('127.0.0.1')).toEqual({ endpoints: ['127.0.0.1'], slice: ['127.0.0.1'], ports: [port, port] });
  });
});
