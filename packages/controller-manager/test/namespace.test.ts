// Namespace controller end to end: kube-apiserver + the namespace controller and garbage collector
// in-process; a namespace full of content deleted with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { KubeObject, Namespace } from '@kube-ts/client/types';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import type { ControllerInit } from '../src/context.js';
import { NamespaceController } from '../src/controllers/namespace/index.js';
import type { NamespaceCondition } from '../src/controllers/namespace/conditions.js';
import { initGarbageCollector } from '../src/controllers/garbagecollector/index.js';
import { eventually, runControllers, type Harness } from './support/harness.js';

const content = (ns: string): string => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, namespace: ${ns}}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: s1, namespace: ${ns}}
stringData: {k: v}
---
apiVersion: v1
kind: Service
metadata: {name: svc1, namespace: ${ns}}
spec:
  ports: [{port: 80}]
  selector: {app: x}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: ${ns}}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: ${ns}}
spec:
  containers: [{name: c, image: nginx}]
`;

// A shorter first delay than upstream's 5 s keeps the test quick; everything else is as shipped.
const initNs: ControllerInit = (ctx) => new NamespaceController(ctx, { deletionGracePeriodMs: 500 });

describe('namespace controller e2e', () => {
  let c: Cluster;
  let h: Harness;

  beforeAll(async () => {
    c = await startCluster('raftkv');
    h = await runControllers(c, [initNs, initGarbageCollector]);
  });

  afterAll(async () => {
    await h?.stop();
    await c?.teardown();
  });

  const nsGone = async (name: string): Promise<boolean> => {
    try { await h.rest.resource<Namespace>(R.namespaces).get(name); return false; } catch (e) { if (isNotFound(e)) return true; throw e; }
  };
  const condition = (ns: Namespace, type: string): NamespaceCondition | undefined => (ns.status?.conditions as NamespaceCondition[] | undefined)?.find((x) => x.type === type);

  it('kubectl delete namespace removes all content, then the namespace', async () => {
    await c.kubectlOk(['apply', '-f', '-'], content('doomed'));
    expect((await h.rest.resource<KubeObject>(R.pods).list('doomed')).items).toHaveLength(2);
    await c.kubectlOk(['delete', 'namespace', 'doomed', '--wait=false']);
    await eventually(() => nsGone('doomed'), 30_000, 'namespace deleted');
    for (const r of [R.configmaps, R.secrets, R.services, R.pods, R.serviceaccounts, R.events]) {
      expect((await h.rest.resource<KubeObject>(r).list('doomed')).items, r.plural).toHaveLength(0);
    }
  });

  it('a custom finalizer holds the namespace with NamespaceFinalizersRemaining until removed', async () => {
    await c.kubectlOk(['apply', '-f', '-'], `${content('held')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: hold, namespace: held, finalizers: [example.com/hold]}
`);
    await c.kubectlOk(['delete', 'namespace', 'held', '--wait=false']);
    const ns = await eventually(async () => {
      const n = await h.rest.resource<Namespace>(R.namespaces).get('held');
      return condition(n, 'NamespaceFinalizersRemaining')?.status === 'True' ? n : undefined;
    }, 30_000, 'NamespaceFinalizersRemaining');
    expect(ns.status?.phase).toBe('Terminating');
    expect(condition(ns, 'NamespaceFinalizersRemaining')).toMatchObject({ reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(condition(ns, 'NamespaceContentRemaining')).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    expect(condition(ns, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered' });
    expect(condition(ns, 'NamespaceDeletionContentFailure')).toMatchObject({ status: 'False', reason: 'ContentDeleted' });
    // Everything else is gone already; the namespace waits.
    expect((await h.rest.resource<KubeObject>(R.pods).list('held')).items).toHaveLength(0);
    const described = await c.kubectlOk(['describe', 'namespace', 'held']);
    expect(described).toContain('NamespaceFinalizersRemaining');
    expect(await nsGone('held')).toBe(false);
    await c.kubectlOk(['patch', 'configmap', 'hold', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    // Rechecked after half the 15 s finalizer estimate, plus one.
    await eventually(() => nsGone('held'), 30_000, 'namespace deleted after the finalizer went');
  });
});
