// Garbage collector end to end: kube-apiserver + the collector in-process; owners and dependents
// made with ownerReferences by hand, cascading deletes driven with the real kubectl. The pod
// garbage collector (podgc) runs alongside, with a short period and node quarantine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { CoreEvent, KubeObject, OwnerReference, Pod } from '@kube-ts/client/types';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { initGarbageCollector } from '../src/controllers/garbagecollector/index.js';
import { PodGCController } from '../src/controllers/podgc/index.js';
import { eventually, runControllers, type Harness } from './support/harness.js';

describe('garbage collector e2e', () => {
  let c: Cluster;
  let h: Harness;

  beforeAll(async () => {
    c = await startCluster('raftkv');
    h = await runControllers(c, [initGarbageCollector, (ctx) => new PodGCController(ctx, { periodMs: 300, quarantineMs: 1_000 })], { workers: 4 });
  });

  afterAll(async () => {
    await h?.stop();
    await c?.teardown();
  });

  const cms = () => h.rest.resource<KubeObject>(R.configmaps);
  const secrets = () => h.rest.resource<KubeObject>(R.secrets);
  const pods = () => h.rest.resource<Pod>(R.pods);
  const gone = async (get: () => Promise<unknown>): Promise<boolean> => {
    try { await get(); return false; } catch (e) { if (isNotFound(e)) return true; throw e; }
  };
  const ownerRef = (o: KubeObject, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid!, ...(block ? { blockOwnerDeletion: true } : {}) });

  /** An owner ConfigMap with a ConfigMap, a Secret and an (unbound) Pod depending on it. */
  async function family(name: string, block = false, ns = 'default'): Promise<KubeObject> {
    const owner = await cms().create({ metadata: { name, namespace: ns }, data: { a: '1' } });
    const ref = [ownerRef(owner, block)];
    await cms().create({ metadata: { name: `${name}-cm`, namespace: ns, ownerReferences: ref } });
    await secrets().create({ metadata: { name: `${name}-secret`, namespace: ns, ownerReferences: ref } });
    await pods().create({ metadata: { name: `${name}-pod`, namespace: ns, ownerReferences: ref }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    return owner;
  }

  it('background: kubectl delete --cascade=background removes the dependents', async () => {
    await family('bg');
    await c.kubectlOk(['delete', 'configmap', 'bg', '--cascade=background']);
    await eventually(async () => (await gone(() => cms().get('bg-cm', 'default'))) && (await gone(() => secrets().get('bg-secret', 'default'))) && (await gone(() => pods().get('bg-pod', 'default'))), 20_000, 'dependents deleted');
  });

  it('foreground: the owner waits (foregroundDeletion) until blocking dependents are gone', async () => {
    await family('fg', true);
    // A dependent held by a finalizer keeps the owner in foreground deletion.
    await secrets().patch('fg-secret', 'default', { metadata: { finalizers: ['example.com/hold'] } }, 'merge');
    await c.kubectlOk(['delete', 'configmap', 'fg', '--cascade=foreground', '--wait=false']);
    await eventually(async () => (await gone(() => cms().get('fg-cm', 'default'))) && (await gone(() => pods().get('fg-pod', 'default'))), 20_000, 'unheld dependents deleted');
    const held = await secrets().get('fg-secret', 'default');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    const owner = await cms().get('fg', 'default');
    expect(owner.metadata.deletionTimestamp).toBeDefined();
    expect(owner.metadata.finalizers).toContain('foregroundDeletion');
    const out = await c.kubectlOk(['get', 'configmap', 'fg', '-o', 'jsonpath={.metadata.finalizers}']);
    expect(out).toContain('foregroundDeletion');
    await secrets().patch('fg-secret', 'default', { metadata: { finalizers: null } }, 'merge');
    await eventually(async () => gone(() => cms().get('fg', 'default')), 20_000, 'owner deleted after its dependents');
  });

  it('orphan: kubectl delete --cascade=orphan leaves dependents without the ownerReference', async () => {
    const owner = await family('or');
    await c.kubectlOk(['delete', 'configmap', 'or', '--cascade=orphan']);
    await eventually(async () => gone(() => cms().get('or', 'default')), 20_000, 'owner deleted');
    for (const get of [() => cms().get('or-cm', 'default'), () => secrets().get('or-secret', 'default'), () => pods().get('or-pod', 'default')]) {
      const d = await get();
      expect(d.metadata.deletionTimestamp).toBeUndefined();
      expect((d.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid)).toBe(false);
    }
  });

  it('deletes dependents of an owner that never existed, keeps those with a live owner', async () => {
    const live = await cms().create({ metadata: { name: 'live-owner', namespace: 'default' } });
    await cms().create({ metadata: { name: 'two-owners', namespace: 'default', ownerReferences: [ownerRef(live), { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost2', uid: '00000000-0000-0000-0000-000000000002' }] } });
    await cms().create({ metadata: { name: 'dangling', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000001' }] } });
    await eventually(async () => gone(() => cms().get('dangling', 'default')), 20_000, 'dangling dependent deleted');
    // The dangling reference is dropped, the live one kept.
    const kept = await eventually(async () => {
      const o = await cms().get('two-owners', 'default');
      return o.metadata.ownerReferences?.length === 1 ? o : undefined;
    }, 20_000, 'dangling reference removed');
    expect(kept.metadata.ownerReferences?.[0]?.uid).toBe(live.metadata.uid);
  });

  it('a dependent naming an owner in another namespace is deleted with OwnerRefInvalidNamespace', async () => {
    await c.kubectlOk(['create', 'namespace', 'elsewhere']);
    const owner = await cms().create({ metadata: { name: 'ns-owner', namespace: 'default' } });
    await new Promise((r) => setTimeout(r, 500)); // let the collector observe the owner first
    await cms().create({ metadata: { name: 'cross', namespace: 'elsewhere', ownerReferences: [ownerRef(owner)] } });
    await eventually(async () => gone(() => cms().get('cross', 'elsewhere')), 20_000, 'cross-namespace dependent deleted');
    const ev = await eventually(async () => (await h.rest.resource<CoreEvent>(R.events).list('elsewhere')).items.find((e) => e.reason === 'OwnerRefInvalidNamespace'), 20_000, 'event');
    expect(ev.type).toBe('Warning');
    expect(ev.message).toBe(`ownerRef [v1/ConfigMap, namespace: elsewhere, name: ns-owner, uid: ${owner.metadata.uid}] does not resolve to an item in namespace elsewhere`);
    expect(ev.source?.component).toBe('garbage-collector-controller');
    expect(await cms().get('ns-owner', 'default')).toBeDefined();
  });

  it('podgc: a pod bound to a node that does not exist is marked Failed (DeletionByPodGC) and force-deleted', async () => {
    const w = await pods().watch('default', { fieldSelector: 'metadata.name=lost' });
    const seen: Pod[] = [];
    const done = (async () => { for await (const e of w) { seen.push(e.object); if (e.type === 'DELETED') break; } })();
    await pods().create({ metadata: { name: 'lost', namespace: 'default' }, spec: { nodeName: 'no-such-node', containers: [{ name: 'c', image: 'nginx' }] } });
    await eventually(async () => gone(() => pods().get('lost', 'default')), 20_000, 'orphaned pod deleted');
    await done;
    w.stop();
    const last = seen.at(-1)!;
    expect(last.status?.phase).toBe('Failed');
    expect(last.status?.conditions?.find((x) => x.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  });
});
