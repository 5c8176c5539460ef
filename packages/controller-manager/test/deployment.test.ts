// Deployment controller end to end: kube-apiserver, FakeKubelet on three nodes, a round-robin
// binder standing in for the scheduler, the replicaset and deployment controllers in-process, and
// the real kubectl for every user action (create, rollout status/history/undo/pause/resume, scale,
// set image).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedIndexInformer } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';
import type { CoreEvent, Pod } from '@kube-ts/client/types';
import type { Deployment, ReplicaSet } from '@kube-ts/client/workloads';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { initDeployment } from '../src/controllers/deployment/index.js';
import { initReplicaSet } from '../src/controllers/replicaset/index.js';
import { isPodReady } from '../src/util/pods.js';
import { FakeKubelet } from './support/fakekubelet.js';
import { eventually, restFor, runControllers, type Harness } from './support/harness.js';

const NODES = ['node-1', 'node-2', 'node-3'];

/** Binds unbound pods to the nodes in turn (all this test needs of a scheduler). */
function startBinder(rest: RestClient, signal: AbortSignal): SharedIndexInformer<Pod> {
  const pods = rest.resource<Pod>(R.pods);
  const inf = new SharedIndexInformer<Pod>(pods, {});
  let next = 0;
  const bind = (p: Pod): void => {
    if (p.spec.nodeName || p.metadata.deletionTimestamp) return;
    const node = NODES[next++ % NODES.length]!;
    void pods.createSubresource(p.metadata.name!, p.metadata.namespace, 'binding', {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name, namespace: p.metadata.namespace, uid: p.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    }).catch(() => undefined);
  };
  inf.addEventHandler({ add: bind, update: (_o, n) => bind(n) });
  void inf.run(signal);
  return inf;
}

/** Watches one app's pods and ReplicaSets, keeping the extremes a rollout reached. */
class RolloutRecorder {
  maxPods = 0; minReady = Number.POSITIVE_INFINITY; maxSpecSum = 0;
  private readonly ac = new AbortController();
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly rss: SharedIndexInformer<ReplicaSet>;
  constructor(rest: RestClient, app: string) {
    this.pods = new SharedIndexInformer<Pod>(rest.resource<Pod>(R.pods), { labelSelector: `app=${app}` });
    this.rss = new SharedIndexInformer<ReplicaSet>(rest.resource<ReplicaSet>(R.replicasets), { labelSelector: `app=${app}` });
    const look = (): void => {
      if (!this.pods.hasSynced() || !this.rss.hasSynced()) return;
      const live = this.pods.store.list().filter((p) => !p.metadata.deletionTimestamp);
      this.maxPods = Math.max(this.maxPods, live.length);
      this.minReady = Math.min(this.minReady, live.filter(isPodReady).length);
      this.maxSpecSum = Math.max(this.maxSpecSum, this.rss.store.list().reduce((s, r) => s + (r.spec.replicas ?? 0), 0));
    };
    for (const inf of [this.pods, this.rss] as Array<SharedIndexInformer<Pod | ReplicaSet>>) {
      inf.addEventHandler({ add: look, update: look, delete: look });
      void inf.run(this.ac.signal);
    }
  }
  async synced(): Promise<void> { await this.pods.waitForSync(); await this.rss.waitForSync(); }
  stop(): void { this.ac.abort(); }
}

describe('deployment controller e2e', () => {
  let c: Cluster;
  let h: Harness;
  let kubelet: FakeKubelet;
  const ac = new AbortController();

  beforeAll(async () => {
    c = await startCluster('raftkv');
    const rest = restFor(c);
    kubelet = new FakeKubelet(rest, { nodes: NODES });
    await kubelet.start();
    startBinder(rest, ac.signal);
    h = await runControllers(c, [initReplicaSet, initDeployment]);
  });

  afterAll(async () => {
    ac.abort();
    await h?.stop();
    await kubelet?.stop();
    await c?.teardown();
  });

  const deployment = (name: string): Promise<Deployment> => h.rest.resource<Deployment>(R.deployments).get(name, 'default');
  const replicaSets = async (app: string): Promise<ReplicaSet[]> =>
    (await h.rest.resource<ReplicaSet>(R.replicasets).list('default', { labelSelector: `app=${app}` })).items;
  const rolloutStatus = async (name: string): Promise<void> => {
    const out = await c.kubectlOk(['rollout', 'status', `deployment/${name}`, '--timeout=60s']);
    expect(out).toContain(`deployment "${name}" successfully rolled out`);
  };
  const imageOf = (o: { spec: { template?: { spec: { containers: Array<{ image?: string }> } } } }): string | undefined => o.spec.template?.spec.containers[0]?.image;

  it('kubectl create deployment rolls out; status, conditions, revision and events as upstream', async () => {
    await c.kubectlOk(['create', 'deployment', 'web', '--image=nginx:1.0', '--replicas=3']);
    await rolloutStatus('web');
    const d = await deployment('web');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: d.metadata.generation });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const [rs] = await replicaSets('web');
    const hash = rs!.metadata.labels?.['pod-template-hash'];
    expect(rs!.metadata.name).toBe(`web-${hash}`);
    expect(rs!.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    const cond = Object.fromEntries((d.status?.conditions ?? []).map((x) => [x.type, x]));
    expect(cond.Available).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(cond.Progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "web-${hash}" has successfully progressed.` });
    const ev = await eventually(async () => (await h.rest.resource<CoreEvent>(R.events).list('default')).items.find((e) => e.involvedObject.kind === 'Deployment' && e.reason === 'ScalingReplicaSet'), 10_000, 'event');
    expect(ev.message).toBe(`Scaled up replica set web-${hash} from 0 to 3`);
    expect(ev.source?.component).toBe('deployment-controller');
  });

  it('kubectl scale to 5, then a rolling update stays within maxSurge 1 / maxUnavailable 0', async () => {
    await c.kubectlOk(['scale', 'deployment/web', '--replicas=5']);
    await rolloutStatus('web');
    expect((await deployment('web')).status?.availableReplicas).toBe(5);
    await c.kubectlOk(['patch', 'deployment/web', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}']);
    const rec = new RolloutRecorder(h.rest, 'web');
    await rec.synced();
    try {
      await c.kubectlOk(['set', 'image', 'deployment/web', 'nginx=nginx:2.0']);
      await rolloutStatus('web');
      await eventually(async () => (await replicaSets('web')).every((r) => (r.status?.replicas ?? 0) === (r.spec.replicas ?? 0)), 10_000, 'old pods gone');
    } finally { rec.stop(); }
    expect(rec.maxSpecSum).toBe(6);
    expect(rec.maxPods).toBeLessThanOrEqual(6);
    expect(rec.minReady).toBeGreaterThanOrEqual(5);
    const rss = await replicaSets('web');
    const byImage = Object.fromEntries(rss.map((r) => [imageOf(r), r]));
    expect(byImage['nginx:2.0']?.spec.replicas).toBe(5);
    expect(byImage['nginx:1.0']?.spec.replicas).toBe(0);
    expect(byImage['nginx:2.0']?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect((await deployment('web')).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('kubectl rollout history and undo restore the previous template as a new revision', async () => {
    const history = await c.kubectlOk(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    await c.kubectlOk(['rollout', 'undo', 'deployment/web']);
    await rolloutStatus('web');
    const d = await deployment('web');
    expect(imageOf(d)).toBe('nginx:1.0');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const back = (await replicaSets('web')).find((r) => imageOf(r) === 'nginx:1.0')!;
    expect(back.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(back.spec.replicas).toBe(5);
    expect(await c.kubectlOk(['rollout', 'history', 'deployment/web'])).toMatch(/\n2\s+<none>\n3\s+<none>/);
  });

  it('paused: no rollout but scaling works; resume rolls out', async () => {
    await c.kubectlOk(['rollout', 'pause', 'deployment/web']);
    await eventually(async () => (await deployment('web')).status?.conditions?.find((x) => x.type === 'Progressing')?.reason === 'DeploymentPaused', 10_000, 'paused condition');
    const paused = (await deployment('web')).status!.conditions!.find((x) => x.type === 'Progressing')!;
    expect(paused).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    await c.kubectlOk(['set', 'image', 'deployment/web', 'nginx=nginx:3.0']);
    await c.kubectlOk(['scale', 'deployment/web', '--replicas=4']);
    await eventually(async () => {
      const d = await deployment('web');
      return d.status?.observedGeneration === d.metadata.generation && d.status?.replicas === 4;
    }, 15_000, 'scaled while paused');
    expect((await replicaSets('web')).map(imageOf).sort()).toEqual(['nginx:1.0', 'nginx:2.0']);
    await c.kubectlOk(['rollout', 'resume', 'deployment/web']);
    await rolloutStatus('web');
    const rss = await replicaSets('web');
    expect(rss.find((r) => imageOf(r) === 'nginx:3.0')?.spec.replicas).toBe(4);
    expect((await deployment('web')).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('4');
  });

  it('a rollout that never becomes ready exceeds its progress deadline', async () => {
    await c.kubectlOk(['apply', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  progressDeadlineSeconds: 5
  selector: {matchLabels: {app: stuck}}
  template:
    metadata:
      labels: {app: stuck}
      annotations: {kube-ts.test/ready: "false"}
    spec:
      containers: [{name: c, image: nginx}]
`);
    const r = await c.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=40s']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    const d = await deployment('stuck');
    const [rs] = await replicaSets('stuck');
    expect(d.status?.conditions?.find((x) => x.type === 'Progressing')).toMatchObject({
      status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs!.metadata.name}" has timed out progressing.`,
    });
    expect(d.status?.conditions?.find((x) => x.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(d.status?.unavailableReplicas).toBe(1);
  }, 60_000);

  it('Recreate: old pods are gone before new ones start', async () => {
    await c.kubectlOk(['create', 'deployment', 'rec', '--image=nginx:1.0', '--replicas=2']);
    await c.kubectlOk(['patch', 'deployment/rec', '-p', '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}']);
    await rolloutStatus('rec');
    const pods = new SharedIndexInformer<Pod>(h.rest.resource<Pod>(R.pods), { labelSelector: 'app=rec' });
    let overlap = false;
    const look = (): void => {
      const images = new Set(pods.store.list().filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0]?.image));
      if (images.size > 1) overlap = true;
    };
    pods.addEventHandler({ add: look, update: look, delete: look });
    const stop = new AbortController();
    void pods.run(stop.signal);
    await pods.waitForSync();
    try {
      await c.kubectlOk(['set', 'image', 'deployment/rec', 'nginx=nginx:2.0']);
      await rolloutStatus('rec');
    } finally { stop.abort(); }
    expect(overlap).toBe(false);
    expect((await replicaSets('rec')).find((r) => imageOf(r) === 'nginx:2.0')?.spec.replicas).toBe(2);
  });
});
