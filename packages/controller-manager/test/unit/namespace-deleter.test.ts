// The namespace deleter against a fake API: what it deletes, how it estimates, the conditions it
// writes (upstream namespaced_resources_deleter_test.go / status_condition_utils_test.go cases).
import { describe, expect, it } from 'vitest';
import { ApiError } from '@kube-ts/client/errors';
import type { ResourceType } from '@kube-ts/client/resources';
import type { KubeObject, Namespace, Pod } from '@kube-ts/client/types';
import type { ApiResource } from '../../src/discovery.js';
import { GroupDiscoveryFailedError } from '../../src/discovery.js';
import type { NamespaceDeleterApi } from '../../src/controllers/namespace/api.js';
import { NamespaceConditionUpdater, type NamespaceCondition } from '../../src/controllers/namespace/conditions.js';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from '../../src/controllers/namespace/deleter.js';

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const res = (plural: string, group = '', verbs = ALL): ApiResource => ({ group, version: 'v1', plural, kind: plural, namespaced: true, verbs });
const NOW = Date.UTC(2026, 0, 1, 12);
const ts = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const notFound = (): ApiError => new ApiError({ status: 'Failure', code: 404, reason: 'NotFound', message: 'not found' }, 404);

class FakeApi implements NamespaceDeleterApi {
  ns: Namespace;
  objects = new Map<string, KubeObject[]>();
  actions: string[] = [];
  resources: ApiResource[];
  discoveryError?: Error;
  /** Objects that survive deletion (held by a finalizer or a grace period). */
  sticky = new Set<string>();

  constructor(resources: ApiResource[], deletedAt = NOW) {
    this.resources = resources;
    this.ns = { metadata: { name: 'ns', uid: 'u1', deletionTimestamp: ts(deletedAt) }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } };
  }

  async getNamespace(name: string): Promise<Namespace> { if (name !== 'ns') throw notFound(); return structuredClone(this.ns); }
  async updateNamespaceStatus(ns: Namespace): Promise<Namespace> { this.actions.push('update-status'); this.ns = structuredClone(ns); return ns; }
  async finalizeNamespace(ns: Namespace): Promise<Namespace> {
    // As the apiserver: only spec.finalizers changes.
    this.actions.push(`finalize:${JSON.stringify(ns.spec?.finalizers)}`);
    this.ns = { ...this.ns, spec: { finalizers: [...(ns.spec?.finalizers ?? [])] } };
    return structuredClone(this.ns);
  }
  async discoverNamespacedResources() { return { resources: this.resources, ...(this.discoveryError ? { error: this.discoveryError } : {}) }; }
  private remove(r: ResourceType, keep: (o: KubeObject) => boolean): void {
    this.objects.set(r.plural, (this.objects.get(r.plural) ?? []).filter((o) => keep(o) || this.sticky.has(`${r.plural}/${o.metadata.name}`)));
  }
  async deleteCollection(r: ResourceType): Promise<void> {
    if (!res(r.plural).verbs.includes('deletecollection')) throw notFound();
    this.actions.push(`deletecollection:${r.plural}`);
    this.remove(r, () => false);
  }
  async list(r: ResourceType): Promise<KubeObject[]> { this.actions.push(`list:${r.plural}`); return this.objects.get(r.plural) ?? []; }
  async delete(r: ResourceType, _ns: string, name: string): Promise<void> { this.actions.push(`delete:${r.plural}/${name}`); this.remove(r, (o) => o.metadata.name !== name); }
  async listPods(): Promise<Pod[]> { return (this.objects.get('pods') ?? []) as Pod[]; }
}

const cond = (ns: Namespace, type: string): NamespaceCondition | undefined => (ns.status?.conditions as NamespaceCondition[] | undefined)?.find((c) => c.type === type);
const pod = (name: string, grace?: number, phase = 'Running'): Pod => ({ metadata: { name }, spec: { containers: [], ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) }, status: { phase: phase as 'Running' } });

describe('NamespacedResourcesDeleter', () => {
  it('deletes every collection, writes the ok conditions and removes only the kubernetes finalizer', async () => {
    const api = new FakeApi([res('configmaps'), res('secrets'), res('deployments', 'apps'), res('bindings', '', ['create'])]);
    api.ns.spec = { finalizers: ['kubernetes', 'example.com/other'] };
    api.objects.set('configmaps', [{ metadata: { name: 'a' } }]);
    api.objects.set('deployments', [{ metadata: { name: 'd' } }]);
    await new NamespacedResourcesDeleter(api, () => NOW).delete('ns');
    expect(api.actions.filter((a) => a.startsWith('deletecollection'))).toEqual(['deletecollection:configmaps', 'deletecollection:secrets', 'deletecollection:deployments']);
    expect(api.actions.at(-1)).toBe('finalize:["example.com/other"]');
    expect(cond(api.ns, 'NamespaceContentRemaining')).toEqual({ type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: ts(NOW), reason: 'ContentRemoved', message: 'All content successfully removed' });
    expect(cond(api.ns, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' });
    expect(cond(api.ns, 'NamespaceDeletionGroupVersionParsingFailure')).toMatchObject({ status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' });
    expect(cond(api.ns, 'NamespaceDeletionContentFailure')).toMatchObject({ status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' });
  });

  it('does nothing for a namespace not being deleted, or already finalized', async () => {
    const api = new FakeApi([res('configmaps')]);
    delete api.ns.metadata.deletionTimestamp;
    await new NamespacedResourcesDeleter(api, () => NOW).delete('ns');
    api.ns.metadata.deletionTimestamp = ts(NOW);
    api.ns.spec = { finalizers: [] };
    await new NamespacedResourcesDeleter(api, () => NOW).delete('ns');
    await new NamespacedResourcesDeleter(api, () => NOW).delete('missing');
    expect(api.actions).toEqual([]);
  });

  it('falls back to list + delete when deletecollection is not served', async () => {
    const api = new FakeApi([res('widgets', 'example.com', ['delete', 'list', 'get'])]);
    api.objects.set('widgets', [{ metadata: { name: 'w1' } }, { metadata: { name: 'w2' } }]);
    await new NamespacedResourcesDeleter(api, () => NOW).delete('ns');
    expect(api.actions.slice(0, 4)).toEqual(['list:widgets', 'delete:widgets/w1', 'delete:widgets/w2', 'list:widgets']);
    expect(api.actions.at(-1)).toBe('finalize:[]');
  });

  it('waits for terminating pods for their grace period, then reports them as unexpected', async () => {
    const api = new FakeApi([res('pods')]);
    api.objects.set('pods', [pod('p1', 30), pod('p2', 10), pod('done', 600, 'Succeeded')]);
    api.sticky = new Set(['pods/p1', 'pods/p2']);
    let now = NOW + 5_000;
    const d = new NamespacedResourcesDeleter(api, () => now);
    const err = await d.delete('ns').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourcesRemainingError);
    expect((err as ResourcesRemainingError).estimate).toBe(30);
    expect(cond(api.ns, 'NamespaceContentRemaining')).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods. has 2 resource instances' });
    expect(api.actions.some((a) => a.startsWith('finalize'))).toBe(false);
    // Past the longest grace period the pods should have gone: a content failure.
    now = NOW + 30_000;
    const err2 = await d.delete('ns').catch((e: unknown) => e);
    expect(err2).not.toBeInstanceOf(ResourcesRemainingError);
    expect((err2 as Error).message).toBe('unexpected items still remain in namespace: ns for gvr: /v1, Resource=pods');
    expect(cond(api.ns, 'NamespaceDeletionContentFailure')).toMatchObject({
      status: 'True', reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: ns for gvr: /v1, Resource=pods',
    });
  });

  it('objects held by finalizers: the 15 s estimate and NamespaceFinalizersRemaining', async () => {
    const api = new FakeApi([res('configmaps'), res('deployments', 'apps')]);
    api.objects.set('configmaps', [{ metadata: { name: 'a', finalizers: ['x'] } }]);
    api.objects.set('deployments', [{ metadata: { name: 'b', finalizers: ['x', 'y'] } }, { metadata: { name: 'c', finalizers: ['x'] } }]);
    api.sticky = new Set(['configmaps/a', 'deployments/b', 'deployments/c']);
    const err = await new NamespacedResourcesDeleter(api, () => NOW).delete('ns').catch((e: unknown) => e);
    expect((err as ResourcesRemainingError).estimate).toBe(15);
    expect(cond(api.ns, 'NamespaceContentRemaining')?.message).toBe('Some resources are remaining: configmaps. has 1 resource instances, deployments.apps has 2 resource instances');
    expect(cond(api.ns, 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: x in 3 resource instances, y in 1 resource instances' });
  });

  it('a discovery failure is reported and retried, but the resources found are still emptied', async () => {
    const api = new FakeApi([res('configmaps')]);
    api.objects.set('configmaps', [{ metadata: { name: 'a' } }]);
    api.discoveryError = new GroupDiscoveryFailedError(new Map([['metrics.k8s.io/v1beta1', 'the server is currently unable to handle the request']]));
    await expect(new NamespacedResourcesDeleter(api, () => NOW).delete('ns')).rejects.toThrow(/unable to retrieve the complete list of server APIs/);
    expect(api.objects.get('configmaps')).toEqual([]);
    expect(cond(api.ns, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({
      status: 'True', reason: 'DiscoveryFailed',
      message: 'Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request',
    });
    expect(api.actions.some((a) => a.startsWith('finalize'))).toBe(false);
  });
});

describe('NamespaceConditionUpdater (upstream TestUpdateConditions cases)', () => {
  it('keeps lastTransitionTime while the status holds and reports no change for identical conditions', () => {
    const u1 = new NamespaceConditionUpdater('2026-01-01T00:00:00Z');
    u1.processContentTotals({ resourceToNumRemaining: new Map([['pods.', 2]]), finalizersToNumRemaining: new Map() });
    const first = u1.update(undefined)!;
    expect(first.map((c) => c.type)).toEqual(['NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure', 'NamespaceContentRemaining', 'NamespaceFinalizersRemaining']);
    const u2 = new NamespaceConditionUpdater('2026-01-01T00:01:00Z');
    u2.processContentTotals({ resourceToNumRemaining: new Map([['pods.', 2]]), finalizersToNumRemaining: new Map() });
    expect(u2.update(first)).toBeUndefined();
    const u3 = new NamespaceConditionUpdater('2026-01-01T00:02:00Z');
    u3.processContentTotals({ resourceToNumRemaining: new Map([['pods.', 1]]), finalizersToNumRemaining: new Map() });
    const third = u3.update(first)!;
    expect(third.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ message: 'Some resources are remaining: pods. has 1 resource instances', lastTransitionTime: '2026-01-01T00:00:00Z' });
    const u4 = new NamespaceConditionUpdater('2026-01-01T00:03:00Z');
    const fourth = u4.update(third)!;
    expect(fourth.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ status: 'False', reason: 'ContentRemoved', lastTransitionTime: '2026-01-01T00:03:00Z' });
  });

  it('both totals (upstream "both" case)', () => {
    const u = new NamespaceConditionUpdater('2026-01-01T00:00:00Z');
    u.processContentTotals({
      resourceToNumRemaining: new Map([['daemonsets.apps.k8s.io', 5], ['deployments.apps.k8s.io', 5]]),
      finalizersToNumRemaining: new Map([['service-catalog', 6], ['kubedb', 5]]),
    });
    const out = u.update([])!;
    expect(out.find((c) => c.type === 'NamespaceContentRemaining')?.message).toBe('Some resources are remaining: daemonsets.apps.k8s.io has 5 resource instances, deployments.apps.k8s.io has 5 resource instances');
    expect(out.find((c) => c.type === 'NamespaceFinalizersRemaining')?.message).toBe('Some content in the namespace has finalizers remaining: kubedb in 5 resource instances, service-catalog in 6 resource instances');
  });
});
