// DaemonSet controller end to end: kube-apiserver, kube-scheduler (it binds the pinned pods) and
// FakeKubelet nodes, the controller in-process, driven and read with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList, Pod } from '@kube-ts/client/types';
import type { DaemonSet } from '@kube-ts/client/workloads';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { startScheduler, type SchedulerProc } from '../../scheduler/test/support/scheduler.js';
import { initDaemonSet } from '../src/controllers/daemonset/index.js';
import { FakeKubelet } from './support/fakekubelet.js';
import { eventually, restFor, runControllers, type Harness } from './support/harness.js';

const DS = (image: string): string => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: ${image}}]}
`;

describe('daemonset controller e2e', () => {
  let c: Cluster;
  let h: Harness;
  const kubelets: FakeKubelet[] = [];
  let sched: SchedulerProc;

  beforeAll(async () => {
    c = await startCluster('raftkv');
    const k = new FakeKubelet(restFor(c), { nodes: ['node-a', 'node-b', 'node-c'] });
    kubelets.push(k);
    await k.start();
    await c.kubectlOk(['taint', 'nodes', 'node-c', 'dedicated=infra:NoSchedule']);
    sched = await startScheduler(c);
    h = await runControllers(c, [initDaemonSet]);
  });

  afterAll(async () => {
    await h?.stop();
    await sched?.stop();
    for (const k of kubelets) await k.stop();
    await c?.teardown();
  });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectlOk([...args, '-o', 'json'])) as T;
  const livePods = async (): Promise<Pod[]> => (await json<KubeList<Pod>>(['get', 'pods', '-l', 'app=agent'])).items.filter((p) => !p.metadata.deletionTimestamp);
  const podsByNode = async (): Promise<Record<string, string>> => Object.fromEntries((await livePods()).map((p) => [p.spec.nodeName ?? '<unbound>', p.spec.containers[0]!.image!]));

  it('runs one pod per eligible node, none on the tainted node', async () => {
    await c.kubectlOk(['apply', '-f', '-'], DS('busybox:1'));
    const out = await c.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('daemon set "agent" successfully rolled out');
    expect(await podsByNode()).toEqual({ 'node-a': 'busybox:1', 'node-b': 'busybox:1' });
    const ds = await json<DaemonSet>(['get', 'daemonset', 'agent']);
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, numberMisscheduled: 0, observedGeneration: 1 });
    const pod = (await livePods()).find((p) => p.spec.nodeName === 'node-a')!;
    expect(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }] });
    expect(pod.spec.tolerations?.map((t) => t.key)).toContain('node.kubernetes.io/unschedulable');
    expect(pod.metadata.labels?.['controller-revision-hash']).toBeTruthy();
    expect(pod.metadata.labels?.['pod-template-generation']).toBe('1');
    const events = await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=DaemonSet', '-o', 'jsonpath={range .items[*]}{.source.component}:{.reason}:{.message}{"\\n"}{end}']);
    expect(events).toContain(`daemonset-controller:SuccessfulCreate:Created pod: ${pod.metadata.name}`);
  });

  it('adds a pod when a node joins', async () => {
    const k = new FakeKubelet(restFor(c), { nodes: ['node-d'] });
    kubelets.push(k);
    await k.start();
    await eventually(async () => (await podsByNode())['node-d'] === 'busybox:1', 30_000, 'pod on node-d');
    await eventually(async () => (await json<DaemonSet>(['get', 'daemonset', 'agent'])).status?.numberReady === 3, 30_000, 'three ready');
  });

  it('rolls out a new image node by node and kubectl rollout status succeeds', async () => {
    const before = new Set((await livePods()).map((p) => p.metadata.name));
    await c.kubectlOk(['set', 'image', 'daemonset/agent', 'c=busybox:2']);
    const out = await c.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=90s']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('daemon set "agent" successfully rolled out');
    const after = await livePods();
    expect(Object.fromEntries(after.map((p) => [p.spec.nodeName, p.spec.containers[0]!.image]))).toEqual({ 'node-a': 'busybox:2', 'node-b': 'busybox:2', 'node-d': 'busybox:2' });
    expect(after.every((p) => !before.has(p.metadata.name))).toBe(true);
    const ds = await json<DaemonSet>(['get', 'daemonset', 'agent']);
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, observedGeneration: 2 });
    const revs = (await c.kubectlOk(['get', 'controllerrevisions', '--no-headers'])).trim().split('\n');
    expect(revs).toHaveLength(2);
  });
});
