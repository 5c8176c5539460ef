// Disruption controller end to end: kube-apiserver + FakeKubelet, the controller in-process; a
// PodDisruptionBudget over three ready pods and the eviction subresource consuming its status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { Pod } from '@kube-ts/client/types';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { initDisruption } from '../src/controllers/disruption/index.js';
import type { PodDisruptionBudget } from '../src/controllers/disruption/types.js';
import { startControllerTestCluster, type ControllerTestCluster } from './support/controllercluster.js';
import { eventually, type Harness } from './support/harness.js';

const pod = (name: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: guarded}}
spec:
  nodeName: node-1
  containers: [{name: c, image: nginx}]
`;

describe('disruption controller e2e', () => {
  let t: ControllerTestCluster;
  let c: Cluster;
  let h: Harness;

  beforeAll(async () => {
    t = await startControllerTestCluster([initDisruption], { nodes: ['node-1'] });
    ({ cluster: c, harness: h } = t);
  });

  afterAll(() => t?.teardown());

  const status = async (): Promise<PodDisruptionBudget['status']> => (await h.rest.resource<PodDisruptionBudget>(R.poddisruptionbudgets).get('budget', 'default')).status;
  const evict = (name: string): Promise<unknown> => h.rest.resource<Pod>(R.pods).createSubresource(name, 'default', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
  const waitStatus = (want: Record<string, number>, what: string) => eventually(async () => {
    const s = await status();
    return s && Object.entries(want).every(([k, v]) => (s as unknown as Record<string, number>)[k] === v) ? s : undefined;
  }, 15_000, what);

  it('minAvailable 2 over 3 ready pods allows one eviction at a time', async () => {
    await c.kubectlOk(['apply', '-f', '-'], ['p0', 'p1', 'p2'].map(pod).join('---\n'));
    await c.kubectlOk(['create', 'poddisruptionbudget', 'budget', '--selector=app=guarded', '--min-available=2']);
    const s = await waitStatus({ disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 }, 'budget allows 1');
    expect(s!.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', observedGeneration: 1 })]);
    expect(await c.kubectlOk(['get', 'pdb', 'budget', '--no-headers'])).toMatch(/^budget\s+2\s+N\/A\s+1\s+/);

    await evict('p0');
    // The kubelet finishes the graceful delete; the budget sees one pod fewer.
    const after = await waitStatus({ disruptionsAllowed: 0, currentHealthy: 2, expectedPods: 2 }, 'budget exhausted');
    expect(after!.conditions![0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    const err = await evict('p1').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(429);
    expect((err as ApiError).message).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    const describe = await c.kubectlOk(['describe', 'pdb', 'budget']);
    expect(describe).toMatch(/Allowed disruptions:\s+0/);

    // The replacement becomes ready: one more disruption is allowed again.
    await c.kubectlOk(['apply', '-f', '-'], pod('p3'));
    await waitStatus({ disruptionsAllowed: 1, currentHealthy: 3 }, 'replacement counted');
    await evict('p1');
    await waitStatus({ disruptionsAllowed: 0, currentHealthy: 2 }, 'second eviction counted');
  });

  it('a percentage: unmanaged pods warn, an unknown controller kind fails safe (SyncFailed)', async () => {
    await c.kubectlOk(['create', 'poddisruptionbudget', 'pct', '--selector=app=naked', '--max-unavailable=50%']);
    await c.kubectlOk(['run', 'naked', '--image=nginx', '--labels=app=naked', '--overrides={"spec":{"nodeName":"node-1"}}']);
    const s = await eventually(async () => {
      const st = (await h.rest.resource<PodDisruptionBudget>(R.poddisruptionbudgets).get('pct', 'default')).status;
      return st?.observedGeneration === 1 && st.conditions?.length ? st : undefined;
    }, 15_000, 'pct status');
    // Unmanaged pods are a warning, not an error: nothing is expected, nothing allowed.
    expect(s).toMatchObject({ disruptionsAllowed: 0, expectedPods: 0 });
    await eventually(async () => (await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=pct', '-o', 'jsonpath={.items[*].reason}'])).includes('UnmanagedPods'), 10_000, 'UnmanagedPods event');

    await c.kubectlOk(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: odd
  labels: {app: naked}
  ownerReferences: [{apiVersion: apps.test.io/v1, kind: TestWorkload, name: fake, uid: b7329742-8daa-493a-8881-6ca07139172b, controller: true}]
spec:
  nodeName: node-1
  containers: [{name: c, image: nginx}]
`);
    const failed = await eventually(async () => {
      const st = (await h.rest.resource<PodDisruptionBudget>(R.poddisruptionbudgets).get('pct', 'default')).status;
      return st?.conditions?.[0]?.reason === 'SyncFailed' ? st : undefined;
    }, 15_000, 'SyncFailed');
    expect(failed.disruptionsAllowed).toBe(0);
    expect(failed.conditions![0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', message: 'found no controllers for pod "odd"' });
  });
});
