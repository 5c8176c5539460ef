// ReplicaSet and ReplicationController controllers end to end: kube-apiserver + FakeKubelet, the
// controllers in-process, objects driven with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R } from '@kube-ts/client/resources';
import type { CoreEvent, Pod } from '@kube-ts/client/types';
import type { ReplicaSet } from '@kube-ts/client/workloads';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { initReplicaSet, initReplicationController } from '../src/controllers/replicaset/index.js';
import { startControllerTestCluster, type ControllerTestCluster } from './support/controllercluster.js';
import { eventually, type Harness } from './support/harness.js';

const rsManifest = (name: string, replicas: number, extra = ''): string => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}}
spec:
  replicas: ${replicas}${extra}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      nodeName: node-1
      containers: [{name: c, image: nginx}]
`;

describe('replicaset controller e2e', () => {
  let t: ControllerTestCluster;
  let c: Cluster;
  let h: Harness;

  beforeAll(async () => {
    t = await startControllerTestCluster([initReplicaSet, initReplicationController], { nodes: ['node-1'] });
    ({ cluster: c, harness: h } = t);
  });

  afterAll(() => t?.teardown());

  const podsOf = async (app: string): Promise<Pod[]> =>
    (await h.rest.resource<Pod>(R.pods).list('default', { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);

  it('creates, reports status, scales down and records events', async () => {
    await c.kubectlOk(['apply', '-f', '-'], rsManifest('web', 3));
    const rs = await eventually(async () => {
      const r = await h.rest.resource<ReplicaSet>(R.replicasets).get('web', 'default');
      return r.status?.readyReplicas === 3 && r.status.availableReplicas === 3 && r.status.fullyLabeledReplicas === 3 && r.status.observedGeneration === r.metadata.generation ? r : undefined;
    }, 20_000, 'rs ready');
    const owned = await podsOf('web');
    expect(owned).toHaveLength(3);
    for (const p of owned) expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true });

    await c.kubectlOk(['scale', 'rs/web', '--replicas=1']);
    await eventually(async () => (await podsOf('web')).length === 1 && (await h.rest.resource<ReplicaSet>(R.replicasets).get('web', 'default')).status?.replicas === 1, 20_000, 'scaled to 1');
    const events = await eventually(async () => {
      const ev = (await h.rest.resource<CoreEvent>(R.events).list('default')).items.filter((e) => e.involvedObject.name === 'web');
      return ev.some((e) => e.reason === 'SuccessfulDelete') ? ev : undefined;
    }, 10_000, 'events');
    const create = events.find((e) => e.reason === 'SuccessfulCreate')!;
    expect(create.source?.component).toBe('replicaset-controller');
    expect(create.message).toMatch(/^Created pod: web-[a-z0-9]{5}$/);
    expect(events.find((e) => e.reason === 'SuccessfulDelete')!.message).toMatch(/^Deleted pod: web-/);
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    await c.kubectlOk(['run', 'orphan', '--image=nginx', '--labels=app=adopt', '--overrides={"spec":{"nodeName":"node-1"}}']);
    await c.kubectlOk(['apply', '-f', '-'], rsManifest('adopt', 2));
    await eventually(async () => {
      const ps = await podsOf('adopt');
      return ps.length === 2 && ps.every((p) => p.metadata.ownerReferences?.[0]?.name === 'adopt');
    }, 20_000, 'orphan adopted and one more created');
    const orphan = await h.rest.resource<Pod>(R.pods).get('orphan', 'default');
    expect(orphan.metadata.ownerReferences?.[0]?.kind).toBe('ReplicaSet');

    await c.kubectlOk(['label', 'pod/orphan', 'app=gone', '--overwrite']);
    await eventually(async () => {
      const p = await h.rest.resource<Pod>(R.pods).get('orphan', 'default');
      return (p.metadata.ownerReferences ?? []).length === 0 && (await podsOf('adopt')).length === 2;
    }, 20_000, 'released and replaced');
  });

  it('runs ReplicationControllers with the replication-controller event source', async () => {
    await c.kubectlOk(['apply', '-f', '-'], `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      nodeName: node-1
      containers: [{name: c, image: nginx}]
`);
    await eventually(async () => (await c.kubectlOk(['get', 'rc/legacy', '-o', 'jsonpath={.status.readyReplicas}'])).trim() === '2', 20_000, 'rc ready');
    const ps = await podsOf('legacy');
    expect(ps.map((p) => p.metadata.ownerReferences?.[0]?.kind)).toEqual(['ReplicationController', 'ReplicationController']);
    const ev = (await h.rest.resource<CoreEvent>(R.events).list('default')).items.find((e) => e.involvedObject.name === 'legacy' && e.reason === 'SuccessfulCreate');
    expect(ev?.source?.component).toBe('replication-controller');
    expect(ev?.involvedObject.kind).toBe('ReplicationController');
  });
});
