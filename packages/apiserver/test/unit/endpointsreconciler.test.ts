// The lease endpoint reconciler with an in-memory lease store on a fake clock: endpoints follow
// exactly the live leases, a graceful stop removes the own IP at once, a crashed apiserver drops
// out when its lease expires, an empty lease list never empties the endpoints.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { KubeObject } from '../../src/api/types.js';
import {
  desiredEndpointSlice, desiredEndpoints, EtcdMasterLeases, httpsEndpointPorts, KubernetesEndpointsController,
  LeaseEndpointReconciler, parseEndpointReconcilerType, type EndpointPort, type EndpointsTarget, type MasterLeases,
} from '../../src/endpointsreconciler.js';
import type { EtcdClient, KV } from '../../src/storage/etcd.js';

const logger = pino({ level: 'silent' });
const PORTS = httpsEndpointPorts(6443);

/** Leases expiring on Date.now() (faked by vi.useFakeTimers). */
class FakeLeases implements MasterLeases {
  readonly expiry = new Map<string, number>();
  updates: string[] = [];
  failList = false;
  constructor(private readonly ttlMs = 15_000) {}
  async list(): Promise<string[]> {
    if (this.failList) return [];
    return [...this.expiry].filter(([, t]) => t > Date.now()).map(([ip]) => ip).sort();
  }
  async update(ip: string): Promise<void> { this.updates.push(ip); this.expiry.set(ip, Date.now() + this.ttlMs); }
  async remove(ip: string): Promise<boolean> {
    const had = (this.expiry.get(ip) ?? 0) > Date.now();
    this.expiry.delete(ip);
    return had;
  }
}

class RecordingTarget implements EndpointsTarget {
  syncs: Array<{ ips: string[]; reconcilePorts: boolean }> = [];
  hang = false;
  async sync(ips: string[], _ports: EndpointPort[], reconcilePorts: boolean): Promise<void> {
    if (this.hang) await new Promise(() => { /* never */ });
    this.syncs.push({ ips, reconcilePorts });
  }
  get last(): string[] | undefined { return this.syncs.at(-1)?.ips; }
}

describe('desired objects', () => {
  it('builds the Endpoints as upstream: skip-mirror label, one subset, IPs in order, https port', () => {
    const ep = desiredEndpoints(undefined, ['10.0.0.1', '10.0.0.2'], PORTS, false);
    expect(ep).toEqual({
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    });
  });

  it('returns the current object itself when it already matches (so nothing is written)', () => {
    const cur = desiredEndpoints(undefined, ['10.0.0.1'], PORTS, true);
    cur.metadata.resourceVersion = '7';
    expect(desiredEndpoints(cur, ['10.0.0.1'], PORTS, false)).toBe(cur);
    const slice = desiredEndpointSlice(undefined, ['10.0.0.1'], PORTS, true);
    expect(desiredEndpointSlice(slice, ['10.0.0.1'], PORTS, false)).toBe(slice);
  });

  it('drops dead IPs and extra subsets, keeps other ports unless reconciling them', () => {
    const cur: KubeObject = {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { stale: 'x' } },
      subsets: [{ addresses: [{ ip: '10.0.0.9' }, { ip: '10.0.0.1' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }],
    };
    const kept = desiredEndpoints(cur, ['10.0.0.1'], PORTS, false);
    expect(kept).not.toBe(cur);
    expect(kept.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    expect(kept.subsets).toEqual([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }]);
    expect((desiredEndpoints(cur, ['10.0.0.1'], PORTS, true).subsets as Array<{ ports: EndpointPort[] }>)[0]!.ports).toEqual(PORTS);
    const two = desiredEndpoints({ ...cur, subsets: [{ addresses: [{ ip: 'a' }] }, { addresses: [{ ip: 'b' }] }] }, ['10.0.0.1'], PORTS, false);
    expect(two.subsets).toEqual([{ addresses: [{ ip: '10.0.0.1' }], ports: PORTS }]);
  });

  it('builds the EndpointSlice as upstream: service-name label only, IPv4, ready endpoints', () => {
    const cur: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', uid: 'u', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.9'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    };
    const next = desiredEndpointSlice(cur, ['10.0.0.1', '10.0.0.2'], PORTS, false);
    expect(next).toEqual({
      ...cur,
      metadata: { ...cur.metadata, labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }, { addresses: ['10.0.0.2'], conditions: { ready: true } }],
    });
    expect(cur.endpoints).toEqual([{ addresses: ['10.0.0.9'], conditions: { ready: true } }]);
  });
});

describe('--endpoint-reconciler-type', () => {
  it('accepts upstream values only', () => {
    expect(parseEndpointReconcilerType('lease')).toBe('lease');
    expect(parseEndpointReconcilerType('none')).toBe('none');
    expect(parseEndpointReconcilerType('master-count')).toBe('master-count');
    expect(() => parseEndpointReconcilerType('leases')).toThrow(/master-count, lease, none/);
  });
});

describe('LeaseEndpointReconciler', () => {
  it('refreshes its own lease before listing, and syncs the live IPs', async () => {
    const leases = new FakeLeases();
    const target = new RecordingTarget();
    await leases.update('10.0.0.2');
    const r = new LeaseEndpointReconciler(leases, target);
    await r.reconcileEndpoints('10.0.0.1', PORTS, false);
    expect(leases.updates).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(target.syncs).toEqual([{ ips: ['10.0.0.1', '10.0.0.2'], reconcilePorts: false }]);
  });

  it('refuses to erase all endpoints when no lease is listed', async () => {
    const leases = new FakeLeases();
    leases.failList = true;
    const target = new RecordingTarget();
    await expect(new LeaseEndpointReconciler(leases, target).reconcileEndpoints('10.0.0.1', PORTS, false)).rejects.toThrow(/refusing to erase all endpoints/);
    expect(target.syncs).toEqual([]);
  });

  it('removeEndpoints: nothing written without a lease; stopReconciling stops refreshes but not removal', async () => {
    const leases = new FakeLeases();
    const target = new RecordingTarget();
    const r = new LeaseEndpointReconciler(leases, target);
    expect(await r.removeEndpoints('10.0.0.1', PORTS)).toBe(false);
    expect(target.syncs).toEqual([]);
    await r.reconcileEndpoints('10.0.0.1', PORTS, false);
    await leases.update('10.0.0.2');
    r.stopReconciling();
    await r.reconcileEndpoints('10.0.0.1', PORTS, false);
    expect(leases.updates).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await r.removeEndpoints('10.0.0.1', PORTS)).toBe(true);
    expect(target.syncs.at(-1)).toEqual({ ips: ['10.0.0.2'], reconcilePorts: true });
  });
});

describe('KubernetesEndpointsController (fake clock)', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  const controller = (leases: MasterLeases, target: EndpointsTarget, ip: string, watchDeletes?: (f: () => void) => () => void): KubernetesEndpointsController =>
    new KubernetesEndpointsController({ ip, port: 6443, logger, reconciler: new LeaseEndpointReconciler(leases, target), intervalMs: 10_000, ...(watchDeletes ? { watchDeletes } : {}) });

  it('a crashed apiserver drops out once its lease expires (TTL 15 s, refresh every 10 s)', async () => {
    const leases = new FakeLeases(15_000);
    const target = new RecordingTarget();
    const a = controller(leases, target, '10.0.0.1');
    await leases.update('10.0.0.2'); // the other apiserver, which then crashes (never refreshes)
    await a.start();
    expect(target.last).toEqual(['10.0.0.1', '10.0.0.2']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(target.last).toEqual(['10.0.0.1', '10.0.0.2']);
    await vi.advanceTimersByTimeAsync(10_000); // t=20 s: the lease (t=0..15 s) is gone
    expect(target.last).toEqual(['10.0.0.1']);
    expect(leases.updates.filter((ip) => ip === '10.0.0.1')).toHaveLength(3);
    await a.stop();
  });

  it('a lease deletion seen by the watch resyncs at once, without waiting for the refresh', async () => {
    const leases = new FakeLeases();
    const target = new RecordingTarget();
    let notify: (() => void) | undefined;
    let unwatched = false;
    const a = controller(leases, target, '10.0.0.1', (f) => { notify = f; return () => { unwatched = true; }; });
    await leases.update('10.0.0.2');
    await a.start();
    const refreshes = leases.updates.length;
    await leases.remove('10.0.0.2');
    notify!();
    await vi.advanceTimersByTimeAsync(0);
    expect(target.last).toEqual(['10.0.0.1']);
    expect(leases.updates.length).toBe(refreshes);
    await a.stop();
    expect(unwatched).toBe(true);
  });

  it('stop removes the own lease and IP at once and ends the refreshes', async () => {
    const leases = new FakeLeases();
    const target = new RecordingTarget();
    const a = controller(leases, target, '10.0.0.1');
    const b = controller(leases, target, '10.0.0.2');
    await a.start();
    await b.start();
    expect(target.last).toEqual(['10.0.0.1', '10.0.0.2']);
    await b.stop();
    expect(target.last).toEqual(['10.0.0.1']);
    expect(await leases.list()).toEqual(['10.0.0.1']);
    const n = leases.updates.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(leases.updates.filter((ip) => ip === '10.0.0.2')).toHaveLength(1);
    expect(leases.updates.length).toBe(n + 3);
    await a.stop();
  });

  it('start drops a stale lease of an earlier run before joining again', async () => {
    const leases = new FakeLeases();
    const target = new RecordingTarget();
    await leases.update('10.0.0.1'); // left by a crashed earlier run of this apiserver
    await leases.update('10.0.0.2');
    const a = controller(leases, target, '10.0.0.1');
    await a.start();
    expect(target.syncs.map((s) => s.ips)).toEqual([['10.0.0.2'], ['10.0.0.1', '10.0.0.2']]);
    await a.stop();
  });

  it('stop gives up after 2 × interval when the store hangs', async () => {
    const leases = new FakeLeases();
    const target = new RecordingTarget();
    const a = controller(leases, target, '10.0.0.1');
    await a.start();
    await leases.update('10.0.0.2'); // so that removal reaches the (hanging) write
    target.hang = true;
    let done = false;
    const stopped = a.stop().then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(19_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(done).toBe(true);
  });
});

describe('EtcdMasterLeases', () => {
  /** The few EtcdClient calls it makes, over a map, with leases that expire on demand. */
  function fakeEtcd(): { etcd: EtcdClient; data: Map<string, { value: Buffer; lease?: string; mod: number }>; expire(lease: string): void; grants: number[] } {
    const data = new Map<string, { value: Buffer; lease?: string; mod: number }>();
    const grants: number[] = [];
    let rev = 1;
    const kv = (key: string): KV | undefined => {
      const d = data.get(key);
      return d && { key, value: d.value, createRevision: 1, modRevision: d.mod, version: 1 };
    };
    const etcd = {
      get: async (key: string) => ({ kv: kv(key), revision: rev }),
      range: async (from: string, end: string) => ({ kvs: [...data.keys()].filter((k) => k >= from && k < end).sort().map((k) => kv(k)!), revision: rev, more: false, count: 0 }),
      leaseGrant: async (ttl: number) => { grants.push(ttl); return { id: String(grants.length), ttl }; },
      put: async (key: string, value: Buffer, lease?: string) => { data.set(key, { value, mod: ++rev, ...(lease ? { lease } : {}) }); return { revision: rev }; },
      delete: async (key: string, mod: number) => {
        if (data.get(key)?.mod !== mod) return { current: kv(key) };
        data.delete(key);
        return { revision: ++rev };
      },
    };
    const expire = (lease: string): void => { for (const [k, d] of data) if (d.lease === lease) data.delete(k); };
    return { etcd: etcd as unknown as EtcdClient, data, expire, grants };
  }

  it('keeps /registry/masterleases/<ip> as an Endpoints with a fresh 15 s lease on every refresh', async () => {
    const f = fakeEtcd();
    const l = new EtcdMasterLeases(f.etcd, '/registry/masterleases/');
    await l.update('10.0.0.2');
    await l.update('10.0.0.1');
    await l.update('10.0.0.1');
    expect(f.grants).toEqual([15, 15, 15]);
    const stored = f.data.get('/registry/masterleases/10.0.0.1')!;
    expect(stored.lease).toBe('3');
    expect(JSON.parse(stored.value.toString())).toEqual({ kind: 'Endpoints', apiVersion: 'v1', metadata: { generation: 2 }, subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] });
    expect(await l.list()).toEqual(['10.0.0.1', '10.0.0.2']);
    f.expire('1');
    expect(await l.list()).toEqual(['10.0.0.1']);
    f.expire('2'); // an old lease of 10.0.0.1: its key moved to lease 3
    expect(await l.list()).toEqual(['10.0.0.1']);
    expect(await l.remove('10.0.0.1')).toBe(true);
    expect(await l.remove('10.0.0.1')).toBe(false);
    expect(await l.list()).toEqual([]);
  });
});
