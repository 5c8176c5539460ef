// StatefulSet controller end to end: kube-apiserver, kube-scheduler and FakeKubelet nodes, the
// controller in-process, driven and read with the real kubectl (apply, scale, rollout status).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedIndexInformer, unwrapTombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { KubeList, Pod } from '@kube-ts/client/types';
import type { PersistentVolumeClaim, StatefulSet } from '@kube-ts/client/workloads';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { startScheduler, type SchedulerProc } from '../../scheduler/test/support/scheduler.js';
import { initStatefulSet } from '../src/controllers/statefulset/index.js';
import { isPodReady } from '../src/util/pods.js';
import { FakeKubelet } from './support/fakekubelet.js';
import { eventually, restFor, runControllers, type Harness } from './support/harness.js';

const STS = (image: string): string => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: ${image}}]}
  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;

describe('statefulset controller e2e', () => {
  let c: Cluster;
  let h: Harness;
  let kubelet: FakeKubelet;
  let sched: SchedulerProc;
  const ac = new AbortController();
  const added: string[] = [];
  const deleted: string[] = [];
  const readyPredecessorAtAdd: boolean[] = [];

  beforeAll(async () => {
    c = await startCluster('raftkv');
    const rest = restFor(c);
    kubelet = new FakeKubelet(rest, { nodes: ['node-1', 'node-2'] });
    await kubelet.start();
    sched = await startScheduler(c);
    // Records pod creations and deletions in watch order.
    const pods = new SharedIndexInformer<Pod>(rest.resource<Pod>(R.pods), { namespace: 'default' });
    pods.addEventHandler({
      add: (p) => {
        const name = p.metadata.name!;
        added.push(name);
        const ord = Number(name.split('-')[1]);
        if (ord > 0) { const prev = pods.store.get(`default/web-${ord - 1}`); readyPredecessorAtAdd.push(!!prev && isPodReady(prev)); }
      },
      delete: (p) => { deleted.push(unwrapTombstone(p).metadata.name!); },
    });
    void pods.run(ac.signal);
    await pods.waitForSync();
    h = await runControllers(c, [initStatefulSet]);
  });

  afterAll(async () => {
    ac.abort();
    await h?.stop();
    await sched?.stop();
    await kubelet?.stop();
    await c?.teardown();
  });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectlOk([...args, '-o', 'json'])) as T;
  const sts = (): Promise<StatefulSet> => json<StatefulSet>(['get', 'statefulset', 'web']);
  const podImages = async (): Promise<Record<string, string>> => Object.fromEntries((await json<KubeList<Pod>>(['get', 'pods', '-l', 'app=web'])).items
    .filter((p) => !p.metadata.deletionTimestamp).map((p) => [p.metadata.name!, p.spec.containers[0]!.image!]));

  it('creates web-0, web-1, web-2 in order, each after its predecessor is ready, with their PVCs', async () => {
    await c.kubectlOk(['apply', '-f', '-'], STS('nginx:1'));
    const out = await c.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    expect(out.code, out.stderr).toBe(0);
    // kubectl's viewer reports any RollingUpdate with a partition (defaulted to 0) this way.
    expect(out.stdout).toContain('partitioned roll out complete: 3 new pods have been updated');
    expect(added).toEqual(['web-0', 'web-1', 'web-2']);
    expect(readyPredecessorAtAdd).toEqual([true, true]);

    const pvcs = (await json<KubeList<PersistentVolumeClaim>>(['get', 'pvc'])).items.map((p) => p.metadata.name).sort();
    expect(pvcs).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    const p1 = await json<Pod>(['get', 'pod', 'web-1']);
    expect(p1.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    expect(p1.spec).toMatchObject({ hostname: 'web-1', subdomain: 'nginx' });
    expect(p1.spec.volumes).toContainEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } });
    const s = await sts();
    expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(s.status?.currentRevision).toBe(s.status?.updateRevision);
    expect(p1.metadata.labels?.['controller-revision-hash']).toBe(s.status?.updateRevision);
    const events = await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet', '-o', 'jsonpath={range .items[*]}{.reason}:{.message}{"\\n"}{end}']);
    expect(events).toContain('SuccessfulCreate:create Pod web-0 in StatefulSet web successful');
    expect(events).toContain('SuccessfulCreate:create Claim www-web-0 Pod web-0 in StatefulSet web success');
  });

  it('scales down highest ordinal first and keeps the claims', async () => {
    await c.kubectlOk(['scale', 'statefulset/web', '--replicas=1']);
    await eventually(async () => (await sts()).status?.replicas === 1 && deleted.length >= 2, 30_000, 'scale down to 1');
    expect(deleted.slice(0, 2)).toEqual(['web-2', 'web-1']);
    expect((await json<KubeList<PersistentVolumeClaim>>(['get', 'pvc'])).items).toHaveLength(3);
    await c.kubectlOk(['scale', 'statefulset/web', '--replicas=3']);
    const out = await c.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    expect(out.code, out.stderr).toBe(0);
  });

  it('a partitioned rolling update replaces only ordinals >= partition, highest first', async () => {
    const before = (await sts()).status?.currentRevision;
    await c.kubectlOk(['patch', 'statefulset/web', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}']);
    const out = await c.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('partitioned roll out complete: 1 new pods have been updated');
    await eventually(async () => JSON.stringify(await podImages()) === JSON.stringify({ 'web-0': 'nginx:1', 'web-1': 'nginx:1', 'web-2': 'nginx:2' }), 30_000, 'web-2 updated only');
    const s = await sts();
    expect(s.status).toMatchObject({ updatedReplicas: 1, currentReplicas: 2, currentRevision: before });
    expect(s.status?.updateRevision).not.toBe(before);
    const revs = await c.kubectlOk(['get', 'controllerrevisions', '--no-headers']);
    expect(revs.trim().split('\n')).toHaveLength(2);
  });
});
