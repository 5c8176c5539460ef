// kube-controller-manager as a process, with raftkv, kube-apiserver, kube-scheduler and a fake
// kubelet: flag errors, leader election between two replicas (only the leader acts), a rollout
// that survives a kill -9 of the controller manager, and the metrics endpoint.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { startScheduler, type SchedulerProc } from '../../scheduler/test/support/scheduler.js';
import { R } from '@kube-ts/client/resources';
import type { Pod } from '@kube-ts/client/types';
import type { Lease } from '@kube-ts/client/types';
import type { RestClient } from '@kube-ts/client/rest';
import { FakeKubelet } from './support/fakekubelet.js';
import { eventually, restFor } from './support/harness.js';
import { KCM_CLI, startControllerManager, type KcmProc } from './support/kcm.js';

let c: Cluster;
let sched: SchedulerProc;
let kubelet: FakeKubelet;
let rest: RestClient;
const procs: KcmProc[] = [];

const LE = ['--leader-elect=true', '--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'];

function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}, image = 'busybox:1'): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } }, ...extra,
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image }] } },
    },
  });
}

async function pods(label: string): Promise<Pod[]> {
  return (await rest.resource<Pod>(R.pods).list('default', { labelSelector: label })).items;
}

beforeAll(async () => {
  c = await startCluster('raftkv');
  rest = restFor(c);
  sched = await startScheduler(c);
  kubelet = new FakeKubelet(rest, { nodes: ['node-a', 'node-b', 'node-c'] });
  await kubelet.start();
});

afterAll(async () => {
  for (const p of procs) await p.kill();
  await kubelet?.stop();
  await sched?.kill();
  await c?.teardown();
});

describe('kube-controller-manager', () => {
  it('rejects an unknown --controllers name with upstream message', async () => {
    const child = spawn(process.execPath, [KCM_CLI, '--kubeconfig', c.kubeconfig, '--controllers=*,nope', '--secure-port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((r) => child.once('exit', (cde) => r(cde)));
    expect(code).toBe(1);
    expect(err).toContain('"nope" is not in the list of known controllers');
  });

  it('with two replicas only the leader acts; the other takes over after a kill -9', async () => {
    const a = await startControllerManager(c, LE); procs.push(a);
    const b = await startControllerManager(c, LE); procs.push(b);
    const leases = rest.resource<Lease>(R.leases);
    await eventually(async () => (await leases.get('kube-controller-manager', 'kube-system')).spec?.holderIdentity, 15_000, 'a leader');
    const leader = await eventually(() => [a, b].find((p) => p.log().includes('became leader')), 15_000, 'leader log');
    const follower = leader === a ? b : a;

    await c.kubectlOk(['apply', '-f', '-'], deployment('le-web', 2));
    await c.kubectlOk(['rollout', 'status', 'deployment/le-web', '--timeout=60s']);
    const lm = (await leader.get('/metrics')).text;
    const fm = (await follower.get('/metrics')).text;
    expect(lm).toMatch(/controller_reconcile_total\{controller="deployment[^"]*",result="success"\} [1-9]/);
    expect(fm).not.toMatch(/controller_reconcile_total\{/);
    expect(follower.log()).not.toContain('became leader');
    const before = (await leases.get('kube-controller-manager', 'kube-system')).spec?.leaseTransitions ?? 0;

    await leader.kill();
    await eventually(() => follower.log().includes('became leader'), 20_000, 'takeover');
    await c.kubectlOk(['scale', 'deployment/le-web', '--replicas=3']);
    await c.kubectlOk(['rollout', 'status', 'deployment/le-web', '--timeout=60s']);
    expect((await pods('app=le-web')).filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(3);
    const after = (await leases.get('kube-controller-manager', 'kube-system')).spec?.leaseTransitions ?? 0;
    expect(after).toBe(before + 1);
    await follower.stop();
  }, 120_000);

  it('finishes a rolling update after being killed mid-rollout, within maxSurge/maxUnavailable', async () => {
    let kcm = await startControllerManager(c); procs.push(kcm);
    const strategy = { minReadySeconds: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } };
    await c.kubectlOk(['apply', '-f', '-'], deployment('roll', 6, strategy, 'busybox:1'));
    await c.kubectlOk(['rollout', 'status', 'deployment/roll', '--timeout=60s']);

    // Watch every pod change and check the bounds on each observed state.
    const seen = new Map<string, Pod>();
    let maxPods = 0; let minReady = Number.POSITIVE_INFINITY;
    const ac = new AbortController();
    const list = await rest.resource<Pod>(R.pods).list('default', { labelSelector: 'app=roll' });
    for (const p of list.items) seen.set(p.metadata.name!, p);
    const stream = await rest.resource<Pod>(R.pods).watch('default', { labelSelector: 'app=roll', resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true }, ac.signal);
    const watching = (async () => {
      for await (const ev of stream) {
        if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
        if (ev.type === 'DELETED') seen.delete(ev.object.metadata.name!); else seen.set(ev.object.metadata.name!, ev.object);
        const live = [...seen.values()].filter((p) => !p.metadata.deletionTimestamp);
        maxPods = Math.max(maxPods, live.length);
        minReady = Math.min(minReady, live.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length);
      }
    })().catch(() => {});

    await c.kubectlOk(['set', 'image', 'deployment/roll', 'c=busybox:2']);
    // Kill -9 once the new ReplicaSet has some pods but the rollout is not done.
    await eventually(async () => (await pods('app=roll')).filter((p) => p.spec.containers[0]!.image === 'busybox:2' && !p.metadata.deletionTimestamp).length >= 2, 30_000, 'rollout under way');
    await kcm.kill();
    const mid = (await pods('app=roll')).filter((p) => p.spec.containers[0]!.image === 'busybox:2').length;
    expect(mid).toBeLessThan(6);
    kcm = await startControllerManager(c); procs.push(kcm);
    await c.kubectlOk(['rollout', 'status', 'deployment/roll', '--timeout=90s']);
    const final = (await pods('app=roll')).filter((p) => !p.metadata.deletionTimestamp);
    expect(final).toHaveLength(6);
    expect(final.every((p) => p.spec.containers[0]!.image === 'busybox:2')).toBe(true);
    ac.abort();
    await watching;
    expect(maxPods).toBeLessThanOrEqual(7);
    expect(minReady).toBeGreaterThanOrEqual(6);

    const metrics = (await kcm.get('/metrics')).text;
    expect(metrics).toMatch(/workqueue_adds_total\{name="deployment[^"]*"\} [1-9]/);
    expect(metrics).toMatch(/workqueue_depth\{name="replicaset[^"]*"\}/);
    expect(metrics).toMatch(/controller_reconcile_duration_seconds_count\{controller="replicaset[^"]*"\} [1-9]/);
    await kcm.stop();
  }, 150_000);
});
