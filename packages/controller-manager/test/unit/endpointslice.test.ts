// EndpointSlice reconciler: endpoint conditions (podToEndpoint), slice packing and churn
// (upstream reconciler_test.go: placeholder, max endpoints per slice, updates in place, fill the
// fullest slice, reuse a deleted slice's name), and the stale-cache tracker.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '@kube-ts/client/services';
import type { Node } from '@kube-ts/client/types';
import { endpointPorts, podToEndpoint } from '../../src/controllers/endpointslice/endpoint.js';
import { Reconciler, type SliceWriter } from '../../src/controllers/endpointslice/reconciler.js';
import { EndpointSliceTracker } from '../../src/controllers/endpointslice/tracker.js';
import { pod, service } from './endpoint-fixtures.js';

const node = (name: string, zone?: string): Node => ({ metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });

class FakeWriter implements SliceWriter {
  created: EndpointSlice[] = []; updated: EndpointSlice[] = []; deleted: string[] = [];
  private seq = 0;
  create(s: EndpointSlice): Promise<EndpointSlice> {
    const c = structuredClone(s);
    c.metadata.name = `${s.metadata.generateName}${String(this.seq++).padStart(5, 'x')}`;
    c.metadata.uid = `uid-${c.metadata.name}`; c.metadata.resourceVersion = String(100 + this.seq);
    this.created.push(c);
    return Promise.resolve(c);
  }
  update(s: EndpointSlice): Promise<EndpointSlice> { this.updated.push(structuredClone(s)); return Promise.resolve(s); }
  delete(s: EndpointSlice): Promise<void> { this.deleted.push(s.metadata.name!); return Promise.resolve(); }
}

function setup(max = 100, nodes: Node[] = [node('node-1', 'zone-a')]): { r: Reconciler; w: FakeWriter } {
  const w = new FakeWriter();
  const r = new Reconciler({ maxEndpointsPerSlice: max, getNode: (n) => nodes.find((x) => x.metadata.name === n), writer: w });
  return { r, w };
}

const manyPods = (n: number, from = 0) => Array.from({ length: n }, (_, i) => pod(`p${i + from}`, { ip: `10.1.${Math.floor((i + from) / 250)}.${((i + from) % 250) + 1}` }));

describe('podToEndpoint conditions', () => {
  const cases: Array<{ name: string; ready: boolean; deleting: boolean; publish: boolean; want: { ready: boolean; serving: boolean; terminating: boolean } }> = [
    { name: 'ready pod', ready: true, deleting: false, publish: false, want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready pod', ready: false, deleting: false, publish: false, want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating ready pod', ready: true, deleting: true, publish: false, want: { ready: false, serving: true, terminating: true } },
    { name: 'terminating not ready pod', ready: false, deleting: true, publish: false, want: { ready: false, serving: false, terminating: true } },
    { name: 'publishNotReadyAddresses, not ready', ready: false, deleting: false, publish: true, want: { ready: true, serving: false, terminating: false } },
    { name: 'publishNotReadyAddresses, terminating', ready: true, deleting: true, publish: true, want: { ready: true, serving: true, terminating: true } },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const ep = podToEndpoint(pod('a', { ip: '10.0.0.1', ready: tc.ready, deleting: tc.deleting }), node('node-1', 'zone-a'), service({ publishNotReady: tc.publish }), 'IPv4');
      expect(ep.conditions).toEqual(tc.want);
    });
  }

  it('carries node, zone, target and (for the pod subdomain) hostname', () => {
    const svc = service({ clusterIP: 'None' });
    const ep = podToEndpoint(pod('a', { ip: '10.0.0.1', hostname: 'h', subdomain: 'web' }), node('node-1', 'zone-a'), svc, 'IPv4');
    expect(ep).toEqual({
      addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'h',
      targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' }, nodeName: 'node-1', zone: 'zone-a',
    });
    expect(podToEndpoint(pod('a', { ip: '10.0.0.1' }), node('node-1', 'zone-a'), svc, 'IPv6').addresses).toEqual([]);
  });

  it('resolves ports with names, protocols and appProtocol', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web', appProtocol: 'http' }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }] });
    const ports = endpointPorts(svc, pod('a', { ports: [{ name: 'web', containerPort: 8080 }] }));
    expect(ports).toHaveLength(2);
    expect(ports).toContainEqual({ name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' });
    expect(ports).toContainEqual({ name: 'dns', protocol: 'UDP', port: 5353 });
  });
});

describe('Reconciler', () => {
  it('creates a placeholder slice for a service that selects no pods, and keeps it', async () => {
    const { r, w } = setup();
    await r.reconcile(service(), [], [], 0);
    expect(w.created).toHaveLength(1);
    const s = w.created[0]!;
    expect(s.endpoints).toEqual([]); expect(s.ports).toEqual([]); expect(s.addressType).toBe('IPv4');
    expect(s.metadata.generateName).toBe('web-');
    expect(s.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
    const again = setup();
    await again.r.reconcile(service(), [], [s], 0);
    expect([again.w.created.length, again.w.updated.length, again.w.deleted.length]).toEqual([0, 0, 0]);
  });

  it('labels slices of headless services and copies service labels', async () => {
    const { r, w } = setup();
    const svc = service({ clusterIP: 'None' }); svc.metadata.labels = { team: 'a' };
    await r.reconcile(svc, [pod('a', { ip: '10.0.0.1' })], [], Date.parse('2024-01-01T00:00:00Z'));
    expect(w.created[0]!.metadata.labels).toEqual({ team: 'a', 'service.kubernetes.io/headless': '', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(w.created[0]!.metadata.annotations).toEqual({ 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:00Z' });
  });

  it('splits 250 endpoints into slices of at most 100 (maxEndpointsPerSlice)', async () => {
    const { r, w } = setup(100);
    await r.reconcile(service(), manyPods(250), [], 0);
    expect(w.created.map((s) => s.endpoints!.length).sort()).toEqual([100, 100, 50]);
    expect(w.created[0]!.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 8080 }]);
  });

  it('updates only the slice that lost an endpoint and leaves the others alone', async () => {
    const first = setup(100);
    await first.r.reconcile(service(), manyPods(250), [], 0);
    const existing = first.w.created;
    const { r, w } = setup(100);
    const pods = manyPods(250).filter((p) => p.metadata.name !== 'p0');
    await r.reconcile(service(), pods, existing, 0);
    expect(w.created).toEqual([]); expect(w.deleted).toEqual([]);
    expect(w.updated).toHaveLength(1);
    expect(w.updated[0]!.metadata.name).toBe(existing[0]!.metadata.name);
    expect(w.updated[0]!.endpoints).toHaveLength(99);
  });

  it('puts a new endpoint into the slice being updated anyway, else the fullest unchanged slice that fits', async () => {
    const first = setup(100);
    await first.r.reconcile(service(), manyPods(150), [], 0);
    const existing = first.w.created; // 100 + 50
    const { r, w } = setup(100);
    await r.reconcile(service(), manyPods(151), existing, 0);
    expect(w.created).toEqual([]);
    expect(w.updated.map((s) => [s.metadata.name, s.endpoints!.length])).toEqual([[existing[1]!.metadata.name, 51]]);
  });

  it('changes conditions in place when a pod becomes not ready', async () => {
    const first = setup();
    await first.r.reconcile(service(), [pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2' })], [], 0);
    const { r, w } = setup();
    await r.reconcile(service(), [pod('a', { ip: '10.0.0.1', ready: false }), pod('b', { ip: '10.0.0.2' })], first.w.created, 0);
    expect(w.updated).toHaveLength(1);
    const a = w.updated[0]!.endpoints!.find((e) => e.targetRef?.name === 'a')!;
    expect(a.conditions).toEqual({ ready: false, serving: false, terminating: false });
  });

  it('replaces the placeholder by updating it in place when pods appear', async () => {
    const first = setup();
    await first.r.reconcile(service(), [], [], 0);
    const { r, w } = setup();
    await r.reconcile(service(), [pod('a', { ip: '10.0.0.1' })], first.w.created, 0);
    expect(w.created).toEqual([]); expect(w.deleted).toEqual([]);
    expect(w.updated).toHaveLength(1);
    expect(w.updated[0]!.metadata.name).toBe(first.w.created[0]!.metadata.name);
    expect(w.updated[0]!.endpoints).toHaveLength(1);
  });

  it('deletes slices not owned by the service (a recreated service) and reports pods on unknown nodes', async () => {
    const { r, w } = setup(100, []);
    const foreign: EndpointSlice = { metadata: { name: 'web-old', namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'other' }], labels: {} }, addressType: 'IPv4', endpoints: [] };
    await expect(r.reconcile(service(), [pod('a', { ip: '10.0.0.1' })], [foreign], 0)).rejects.toThrow('skipping Pod a for Service ns/web: Node node-1 Not Found');
    expect(w.deleted).toEqual(['web-old']);
    expect(w.created).toHaveLength(1);
  });

  it('does not create slices for a service being deleted', async () => {
    const { r, w } = setup();
    const svc: Service = { ...service(), metadata: { ...service().metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
    await r.reconcile(svc, [pod('a', { ip: '10.0.0.1' })], [], 0);
    expect(w.created).toEqual([]);
  });
});

describe('EndpointSliceTracker', () => {
  const slice = (uid: string, rv: string): EndpointSlice => ({ metadata: { name: uid, namespace: 'ns', uid, resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [] });
  it('detects a cache behind the controller writes and its own echoes', () => {
    const t = new EndpointSliceTracker();
    const svc = service();
    t.update(slice('a', '10'));
    expect(t.staleSlices(svc, [slice('a', '9')])).toBe(true);
    expect(t.staleSlices(svc, [])).toBe(true);
    expect(t.staleSlices(svc, [slice('a', '10')])).toBe(false);
    expect(t.shouldSync(slice('a', '10'))).toBe(false);
    expect(t.shouldSync(slice('a', '11'))).toBe(true);
    t.expectDeletion(slice('a', '10'));
    expect(t.staleSlices(svc, [slice('a', '10')])).toBe(true);
    expect(t.handleDeletion(slice('a', '10'))).toBe(true);
    t.update(slice('b', '12'));
    expect(t.handleDeletion(slice('b', '12'))).toBe(false);
  });
});
