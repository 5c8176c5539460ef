// The garbage collector's graph builder and attemptToDelete/attemptToOrphan decisions against a
// fake API (upstream garbagecollector_test.go ideas: virtual owners, dangling/solid/waiting
// owners, foreground and orphan processing, namespace mismatches).
import { describe, expect, it } from 'vitest';
import { ApiError } from '@kube-ts/client/errors';
import type { EventRecorder } from '@kube-ts/client/events';
import type { ResourceType } from '@kube-ts/client/resources';
import type { DeleteOptions } from '@kube-ts/client/rest';
import type { KubeObject, ObjectReference, OwnerReference } from '@kube-ts/client/types';
import type { ApiResource } from '../../src/discovery.js';
import { AbsentOwnerCache } from '../../src/controllers/garbagecollector/absentcache.js';
import type { GcApi } from '../../src/controllers/garbagecollector/api.js';
import { Collector } from '../../src/controllers/garbagecollector/collector.js';
import { Graph, type GraphNode, type ObjectIdentity } from '../../src/controllers/garbagecollector/graph.js';
import { GraphBuilder, referencesDiffs, type GraphEvent } from '../../src/controllers/garbagecollector/graphbuilder.js';

const RESOURCES: ApiResource[] = [
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['delete', 'get', 'list', 'watch'] },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, verbs: ['delete', 'get', 'list', 'watch'] },
];
const notFound = (): ApiError => new ApiError({ status: 'Failure', code: 404, reason: 'NotFound', message: 'not found' }, 404);

class FakeGcApi implements GcApi {
  objects = new Map<string, KubeObject>();
  actions: string[] = [];
  gets = 0;
  key = (r: ResourceType, ns: string | undefined, name: string): string => `${r.plural}/${ns ?? ''}/${name}`;
  put(r: ResourceType, o: KubeObject): void { this.objects.set(this.key(r, o.metadata.namespace, o.metadata.name!), o); }
  async resourceFor(apiVersion: string, kind: string) { return apiVersion === 'v1' ? RESOURCES.find((r) => r.kind === kind) : undefined; }
  async get(r: ResourceType, ns: string | undefined, name: string): Promise<KubeObject> {
    this.gets++;
    const o = this.objects.get(this.key(r, ns, name));
    if (!o) throw notFound();
    return structuredClone(o);
  }
  async delete(r: ResourceType, ns: string | undefined, name: string, opts: DeleteOptions): Promise<void> {
    this.actions.push(`delete ${r.plural}/${name} ${opts.propagationPolicy} uid=${opts.preconditions?.uid}`);
    this.objects.delete(this.key(r, ns, name));
  }
  async patch(r: ResourceType, ns: string | undefined, name: string, body: unknown): Promise<KubeObject> {
    this.actions.push(`patch ${r.plural}/${name} ${JSON.stringify((body as { metadata: Record<string, unknown> }).metadata, (k, v) => (k === 'resourceVersion' ? undefined : v))}`);
    const o = this.objects.get(this.key(r, ns, name))!;
    const m = (body as { metadata: { ownerReferences?: OwnerReference[] | null; finalizers?: string[] } }).metadata;
    if ('ownerReferences' in m) o.metadata.ownerReferences = m.ownerReferences ?? undefined;
    if (m.finalizers) o.metadata.finalizers = m.finalizers;
    return o;
  }
}

function setup() {
  const api = new FakeGcApi();
  const graph = new Graph();
  const absent = new AbsentOwnerCache();
  const toDelete: GraphNode[] = [];
  const toOrphan: GraphNode[] = [];
  const virtualDeletes: ObjectIdentity[] = [];
  const events: string[] = [];
  const recorder: EventRecorder = { event: (o, type, reason, msg) => events.push(`${type} ${reason} ${(o as ObjectReference).name}: ${msg}`) };
  const builder = new GraphBuilder(graph, absent, { attemptToDelete: (n) => toDelete.push(n), attemptToOrphan: (n) => toOrphan.push(n) }, recorder);
  const collector = new Collector(api, graph, absent, (i) => virtualDeletes.push(i), (n) => toDelete.push(n));
  const cm = { apiVersion: 'v1', kind: 'ConfigMap' };
  /** Stores the object in the fake API and feeds an add (or update) event to the graph. */
  const observe = (o: KubeObject, type: GraphEvent['type'] = 'add', oldObj?: KubeObject): void => {
    if (type === 'delete') api.objects.delete(api.key(RESOURCES[0]!, o.metadata.namespace, o.metadata.name!)); else api.put(RESOURCES[0]!, o);
    builder.process({ type, obj: structuredClone(o), ...(oldObj ? { oldObj } : {}), ...cm });
  };
  return { api, graph, absent, toDelete, toOrphan, virtualDeletes, events, builder, collector, observe };
}

const obj = (name: string, uid: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}, ns = 'default'): KubeObject =>
  ({ metadata: { name, namespace: ns, uid, resourceVersion: '1', ...(owners.length ? { ownerReferences: owners } : {}), ...extra } });
const ref = (name: string, uid: string, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...(block ? { blockOwnerDeletion: true } : {}) });

describe('graph builder', () => {
  it('an owner named before it is seen is a virtual node queued for verification, then observed', () => {
    const s = setup();
    s.observe(obj('child', 'c1', [ref('parent', 'p1')]));
    const virtual = s.graph.read('p1')!;
    expect(virtual.virtual).toBe(true);
    expect(virtual.identity).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: 'p1', namespace: 'default' });
    expect(s.toDelete).toEqual([virtual]);
    expect([...virtual.dependents].map((d) => d.identity.name)).toEqual(['child']);
    s.observe(obj('parent', 'p1'));
    expect(s.graph.read('p1')!.observed).toBe(true);
    expect(s.graph.read('p1')).toBe(virtual);
  });

  it('a real delete queues the dependents and removes the node', () => {
    const s = setup();
    s.observe(obj('parent', 'p1'));
    s.observe(obj('child', 'c1', [ref('parent', 'p1')]));
    s.toDelete.length = 0;
    s.observe(obj('parent', 'p1'), 'delete');
    expect(s.graph.read('p1')).toBeUndefined();
    expect(s.toDelete.map((n) => n.identity.name)).toEqual(['child']);
    expect(s.absent.has({ apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: 'p1', namespace: 'default' })).toBe(true);
  });

  it('deletion with foregroundDeletion queues the dependents and the owner; with orphan, attemptToOrphan', () => {
    const s = setup();
    const parent = obj('parent', 'p1');
    s.observe(parent);
    s.observe(obj('child', 'c1', [ref('parent', 'p1', true)]));
    s.toDelete.length = 0;
    s.observe(obj('parent', 'p1', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'update', parent);
    expect(s.toDelete.map((n) => n.identity.name)).toEqual(['child', 'parent']);
    expect(s.graph.read('p1')!.isDeletingDependents()).toBe(true);

    const o = obj('other', 'o1');
    s.observe(o);
    s.observe(obj('other', 'o1', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] }), 'update', o);
    expect(s.toOrphan.map((n) => n.identity.name)).toEqual(['other']);
  });

  it('removing a blocking reference queues the owner waiting on it', () => {
    const s = setup();
    s.observe(obj('parent', 'p1'));
    const child = obj('child', 'c1', [ref('parent', 'p1', true)]);
    s.observe(child);
    s.toDelete.length = 0;
    s.observe(obj('child', 'c1', [{ ...ref('parent', 'p1'), blockOwnerDeletion: false }]), 'update', child);
    expect(s.toDelete.map((n) => n.identity.name)).toEqual(['parent']);
  });

  it('a dependent in another namespace than its observed owner: OwnerRefInvalidNamespace and verification', () => {
    const s = setup();
    s.observe(obj('parent', 'p1'));
    s.observe(obj('child', 'c1', [ref('parent', 'p1')], {}, 'other'));
    expect(s.events).toEqual(['Warning OwnerRefInvalidNamespace child: ownerRef [v1/ConfigMap, namespace: other, name: parent, uid: p1] does not resolve to an item in namespace other']);
    expect(s.toDelete.map((n) => n.identity.name)).toEqual(['child']);
  });

  it('referencesDiffs', () => {
    const a = ref('a', '1'); const b = ref('b', '2'); const c = ref('c', '3');
    expect(referencesDiffs([a, b], [{ ...b, blockOwnerDeletion: true }, c])).toEqual({ added: [c], removed: [a], changed: [{ oldRef: b, newRef: { ...b, blockOwnerDeletion: true } }] });
  });
});

describe('attemptToDelete', () => {
  it('deletes a dependent whose only owner is absent (Background), once, with a uid precondition', async () => {
    const s = setup();
    s.observe(obj('child', 'c1', [ref('parent', 'p1')]));
    await s.collector.attemptToDeleteItem(s.graph.read('c1')!);
    expect(s.api.actions).toEqual(['delete configmaps/child Background uid=c1']);
  });

  it('an owner with the same name but another uid is absent too; the absent cache spares a second GET', async () => {
    const s = setup();
    s.observe(obj('parent', 'other-uid'));
    s.observe(obj('a', 'a1', [ref('parent', 'p1')]));
    s.observe(obj('b', 'b1', [ref('parent', 'p1')]));
    await s.collector.attemptToDeleteItem(s.graph.read('a1')!);
    const gets = s.api.gets;
    await s.collector.attemptToDeleteItem(s.graph.read('b1')!);
    expect(s.api.gets).toBe(gets + 1); // only b itself
    expect(s.api.actions).toEqual(['delete configmaps/a Background uid=a1', 'delete configmaps/b Background uid=b1']);
  });

  it('keeps a dependent with a live owner and drops its dangling references', async () => {
    const s = setup();
    s.observe(obj('parent', 'p1'));
    s.observe(obj('child', 'c1', [ref('parent', 'p1'), ref('ghost', 'g1')]));
    await s.collector.attemptToDeleteItem(s.graph.read('c1')!);
    expect(s.api.actions).toEqual([`patch configmaps/child {"ownerReferences":[${JSON.stringify(ref('parent', 'p1'))}]}`]);
    s.api.actions.length = 0;
    await s.collector.attemptToDeleteItem(s.graph.read('c1')!);
    expect(s.api.actions).toEqual([]);
  });

  it('honours an orphan finalizer already on the dependent', async () => {
    const s = setup();
    s.observe(obj('child', 'c1', [ref('parent', 'p1')], { finalizers: ['orphan'] }));
    await s.collector.attemptToDeleteItem(s.graph.read('c1')!);
    expect(s.api.actions).toEqual(['delete configmaps/child Orphan uid=c1']);
  });

  it('a dependent with its own dependents, whose owner waits on it, is deleted in the foreground', async () => {
    const s = setup();
    s.observe(obj('parent', 'p1', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }));
    s.observe(obj('mid', 'm1', [ref('parent', 'p1', true)]));
    s.observe(obj('leaf', 'l1', [ref('mid', 'm1', true)]));
    await s.collector.attemptToDeleteItem(s.graph.read('m1')!);
    expect(s.api.actions).toEqual(['delete configmaps/mid Foreground uid=m1']);
    // A leaf waiting on an owner without dependents of its own goes in the background.
    s.api.actions.length = 0;
    s.observe(obj('mid', 'm1', [ref('parent', 'p1', true)], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), 'update', obj('mid', 'm1', [ref('parent', 'p1', true)]));
    await s.collector.attemptToDeleteItem(s.graph.read('l1')!);
    expect(s.api.actions).toEqual(['delete configmaps/leaf Background uid=l1']);
  });

  it('an owner deleting in the foreground: waits for blocking dependents, then drops its finalizer', async () => {
    const s = setup();
    s.observe(obj('parent', 'p1', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }));
    s.observe(obj('child', 'c1', [ref('parent', 'p1', true)]));
    s.toDelete.length = 0;
    const parent = s.graph.read('p1')!;
    await s.collector.attemptToDeleteItem(parent);
    expect(s.api.actions).toEqual([]);
    expect(s.toDelete.map((n) => n.identity.name)).toEqual(['child']);
    s.observe(obj('child', 'c1', [ref('parent', 'p1', true)]), 'delete');
    await s.collector.attemptToDeleteItem(parent);
    expect(s.api.actions).toEqual(['patch configmaps/parent {"finalizers":[]}']);
  });

  it('a virtual owner that does not exist produces a virtual delete event; being deleted means wait', async () => {
    const s = setup();
    s.observe(obj('child', 'c1', [ref('parent', 'p1')]));
    expect(await s.collector.processAttemptToDelete(s.graph.read('p1')!)).toBe('forget');
    expect(s.virtualDeletes).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: 'p1', namespace: 'default' }]);
    s.observe(obj('going', 'x1', [ref('parent', 'p1')], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/f'] }));
    await s.collector.attemptToDeleteItem(s.graph.read('x1')!);
    expect(s.api.actions).toEqual([]);
  });

  it('a cluster-scoped dependent naming a namespaced owner is never retried', async () => {
    const s = setup();
    s.api.put(RESOURCES[1]!, { metadata: { name: 'n1', uid: 'n1', ownerReferences: [ref('parent', 'p1')] } });
    s.builder.process({ type: 'add', obj: { metadata: { name: 'n1', uid: 'n1', ownerReferences: [ref('parent', 'p1')] } }, apiVersion: 'v1', kind: 'Node' });
    expect(await s.collector.processAttemptToDelete(s.graph.read('n1')!)).toBe('forget');
    expect(s.api.actions).toEqual([]);
  });

  it('an unknown owner kind is retried (it may be a CRD not discovered yet)', async () => {
    const s = setup();
    s.observe(obj('child', 'c1', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w1' }]));
    expect(await s.collector.processAttemptToDelete(s.graph.read('c1')!)).toBe('requeue');
  });
});

describe('attemptToOrphan', () => {
  it('removes the owner from each dependent, then the orphan finalizer', async () => {
    const s = setup();
    s.observe(obj('parent', 'p1', [], { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] }));
    s.observe(obj('a', 'a1', [ref('parent', 'p1'), ref('keep', 'k1')]));
    s.observe(obj('b', 'b1', [ref('parent', 'p1')]));
    expect(await s.collector.processAttemptToOrphan(s.graph.read('p1')!)).toBe('forget');
    expect(s.api.actions.sort()).toEqual([
      `patch configmaps/a {"ownerReferences":[${JSON.stringify(ref('keep', 'k1'))}]}`,
      'patch configmaps/b {"ownerReferences":null}',
      'patch configmaps/parent {"finalizers":[]}',
    ]);
  });
});
