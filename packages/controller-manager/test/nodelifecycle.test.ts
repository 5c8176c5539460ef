// Node lifecycle, taint eviction and node IPAM end to end: kube-apiserver + FakeKubelet (two
// nodes), the controllers in-process with short timings; node-b's kubelet dies and its pods are
// evicted as their tolerations say. Read back with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R } from '@kube-ts/client/resources';
import type { CoreEvent, Node, Pod } from '@kube-ts/client/types';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { initNodeLifecycle, initTaintEviction } from '../src/controllers/nodelifecycle/index.js';
import { initNodeIpam } from '../src/controllers/nodeipam/index.js';
import type { FakeKubelet } from './support/fakekubelet.js';
import { startControllerTestCluster, type ControllerTestCluster } from './support/controllercluster.js';
import { eventually, type Harness } from './support/harness.js';

const podManifest = (name: string, tolerations: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: nl}}
spec:
  nodeName: node-b
  terminationGracePeriodSeconds: 30
  containers: [{name: c, image: nginx}]
  tolerations: ${tolerations}
`;
const UNREACHABLE = '{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute';

describe('node lifecycle e2e', () => {
  let t: ControllerTestCluster;
  let c: Cluster;
  let h: Harness;
  let kubelet: FakeKubelet;

  beforeAll(async () => {
    t = await startControllerTestCluster([initNodeLifecycle, initTaintEviction, initNodeIpam], {
      nodes: ['node-a', 'node-b'], kubelet: { leaseRenewMs: 500 },
      options: { nodeMonitorGracePeriodMs: 4000, nodeMonitorPeriodMs: 500, allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 },
    });
    ({ cluster: c, harness: h, kubelet } = t);
  });

  afterAll(() => t?.teardown());

  const pods = { get: (name: string): Promise<Pod | undefined> => h.rest.resource<Pod>(R.pods).get(name, 'default').catch(() => undefined) };

  it('gives each node its own podCIDR', async () => {
    const out = await eventually(async () => {
      const s = await c.kubectlOk(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR},{.spec.podCIDRs[0]}{"\\n"}{end}']);
      const lines = s.trim().split('\n').filter((l) => /=10\.244\.\d+\.0\/24,10\.244\.\d+\.0\/24$/.test(l));
      return lines.length === 2 ? lines : undefined;
    }, 15_000, 'podCIDRs');
    const cidrs = out.map((l) => l.split('=')[1]!.split(',')[0]);
    expect(new Set(cidrs).size).toBe(2);
    // The beta OS label is reconciled from the GA one.
    const node = await h.rest.resource<Node>(R.nodes).get('node-a');
    await eventually(async () => (await h.rest.resource<Node>(R.nodes).get('node-a')).metadata.labels?.['beta.kubernetes.io/os'] === 'linux', 10_000, 'beta os label');
    expect(node.spec?.taints ?? []).toEqual([]);
  });

  it('removing a NoExecute taint cancels the pending eviction', async () => {
    await c.kubectlOk(['apply', '-f', '-'], podManifest('c60', '[{key: maint, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]').replace('node-b', 'node-a'));
    await eventually(async () => (await pods.get('c60'))?.status?.phase === 'Running', 10_000, 'c60 running');
    await c.kubectlOk(['taint', 'nodes', 'node-a', 'maint=x:NoExecute']);
    const tc = h.controllers[1] as unknown as { pending(): Array<{ pod: string; fireAt: number }> };
    const p = await eventually(() => tc.pending().find((x) => x.pod === 'default/c60'), 10_000, 'eviction scheduled');
    expect(p.fireAt - Date.now()).toBeGreaterThan(50_000);
    await c.kubectlOk(['taint', 'nodes', 'node-a', 'maint-']);
    await eventually(() => tc.pending().length === 0, 10_000, 'eviction cancelled');
    await eventually(async () => (await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=c60', '-o', 'jsonpath={.items[*].message}'])).includes('Cancelling deletion of Pod default/c60'), 10_000, 'cancel event');
    expect((await pods.get('c60'))?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('a dead kubelet: Unknown conditions, unreachable taints, NotReady pods, evictions as tolerated', async () => {
    await c.kubectlOk(['apply', '-f', '-'], [
      podManifest('tol3', `[${UNREACHABLE}, tolerationSeconds: 3}]`),
      podManifest('forever', `[${UNREACHABLE}}]`),
      // No tolerations: DefaultTolerationSeconds admission adds not-ready and unreachable for 300 s.
      podManifest('plain', '[]'),
      // Tolerates unreachable for 0 s (admission leaves it alone): evicted at once.
      podManifest('bare', `[${UNREACHABLE}, tolerationSeconds: 0}]`),
    ].join('---\n'));
    await eventually(async () => {
      const ps = await Promise.all(['tol3', 'forever', 'plain', 'bare'].map((n) => pods.get(n)));
      return ps.every((p) => p?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    }, 15_000, 'pods running');
    expect((await pods.get('plain'))?.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);

    const killedAt = Date.now();
    kubelet.killNode('node-b');
    const node = await eventually(async () => {
      const n = await h.rest.resource<Node>(R.nodes).get('node-b');
      return n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? n : undefined;
    }, 15_000, 'unreachable NoExecute taint');
    expect(Date.now() - killedAt).toBeGreaterThan(3500);
    const ready = node.status!.conditions!.find((x) => x.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(node.status!.conditions!.filter((x) => x.status === 'Unknown').map((x) => x.type).sort()).toEqual(['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    const taintAdded = Date.parse(node.spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded!);

    const describe = await eventually(async () => {
      const d = await c.kubectlOk(['describe', 'node', 'node-b']);
      return d.includes('node.kubernetes.io/unreachable:NoSchedule') ? d : undefined;
    }, 10_000, 'NoSchedule taint');
    expect(describe).toMatch(/Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute/);
    expect(describe).toMatch(/Ready\s+Unknown .*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
    const nodeA = await h.rest.resource<Node>(R.nodes).get('node-a');
    expect(nodeA.spec?.taints ?? []).toEqual([]);

    // The untolerated pod goes at once, the 3 s one about 3 s after the taint, with DisruptionTarget.
    const bare = await eventually(async () => { const p = await pods.get('bare'); return p?.metadata.deletionTimestamp ? p : undefined; }, 5_000, 'bare evicted');
    expect(Date.parse(bare.metadata.deletionTimestamp!) - 30_000).toBeLessThan(taintAdded + 2500);
    const tol3 = await eventually(async () => { const p = await pods.get('tol3'); return p?.metadata.deletionTimestamp ? p : undefined; }, 10_000, 'tol3 evicted');
    const deletedAt = Date.parse(tol3.metadata.deletionTimestamp!) - 30_000;
    expect(deletedAt - taintAdded).toBeGreaterThanOrEqual(2000);
    expect(deletedAt - taintAdded).toBeLessThanOrEqual(5000);
    expect(tol3.status?.conditions?.find((x) => x.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
    // MarkPodsNotReady ran on the node's pods.
    expect(tol3.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('False');

    const events = await eventually(async () => {
      const ev = (await h.rest.resource<CoreEvent>(R.events).list('default')).items;
      return ev.some((e) => e.reason === 'TaintManagerEviction' && e.involvedObject.name === 'tol3') && ev.some((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node') ? ev : undefined;
    }, 10_000, 'events');
    const evict = events.find((e) => e.reason === 'TaintManagerEviction' && e.involvedObject.name === 'tol3')!;
    expect(evict).toMatchObject({ message: 'Marking for deletion Pod default/tol3', source: { component: 'taint-eviction-controller' } });
    const nn = events.find((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node')!;
    expect(nn).toMatchObject({ message: 'Node node-b status is now: NodeNotReady', source: { component: 'node-controller' } });
    expect(events.some((e) => e.reason === 'NodeNotReady' && e.involvedObject.name === 'forever' && e.message === 'Node is not ready')).toBe(true);

    // The forever-tolerating pod and the 300 s one stay.
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of ['forever', 'plain']) {
      const p = await pods.get(n);
      expect(p?.metadata.deletionTimestamp, n).toBeUndefined();
      expect(p?.status?.conditions?.find((x) => x.type === 'Ready')?.status, n).toBe('False');
    }
    expect((h.controllers[1] as unknown as { pending(): Array<{ pod: string }> }).pending().map((x) => x.pod)).toEqual(['default/plain']);
  });
});
