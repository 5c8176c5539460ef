// kube-scheduler end to end: raftkv + kube-apiserver + kube-scheduler as real processes, Node
// objects and pods created with the real kubectl, placement read back with kubectl.
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, waitUntil, type Cluster } from '../../apiserver/test/support/cluster.js';
import { kubectlCreate, nodeManifest, podCondition, podManifest, startScheduler, waitScheduled, type SchedulerProc } from './support/scheduler.js';

const CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packing-scheduler
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources:
        - {name: cpu, weight: 1}
        - {name: memory, weight: 1}
  plugins:
    score:
      disabled:
      - name: NodeResourcesBalancedAllocation
      - name: PodTopologySpread
- schedulerName: spread-only-scheduler
  plugins:
    score:
      disabled:
      - name: '*'
      enabled:
      - name: PodTopologySpread
`;

describe('kube-scheduler e2e (raftkv)', () => {
  let c: Cluster;
  let s: SchedulerProc;

  beforeAll(async () => {
    c = await startCluster('raftkv');
    s = await startScheduler(c, { config: CONFIG });
    // Three zones, one node each; node-c is tainted for GPU work and has the GPUs.
    await kubectlCreate(c, [
      nodeManifest('node-a', { cpu: '2', labels: { 'topology.kubernetes.io/zone': 'zone-a', disk: 'ssd' } }),
      nodeManifest('node-b', { cpu: '2', labels: { 'topology.kubernetes.io/zone': 'zone-b' } }),
      nodeManifest('node-c', { cpu: '4', labels: { 'topology.kubernetes.io/zone': 'zone-c' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], extended: { 'nvidia.com/gpu': '2' } }),
    ]);
  });

  afterAll(async () => {
    await s?.stop();
    await c?.teardown();
  });

  async function cleanup(): Promise<void> {
    await c.kubectlOk(['delete', 'pods', '--all', '--force', '--grace-period=0', '--wait=false']);
    await waitUntil(async () => (await c.kubectlOk(['get', 'pods', '-o', 'name'])).trim() === '', 20_000, 'pods deleted');
  }

  it('keeps pods off tainted nodes unless they tolerate the taint', async () => {
    await kubectlCreate(c, [
      podManifest('plain-1', { cpu: '100m' }), podManifest('plain-2', { cpu: '100m' }), podManifest('plain-3', { cpu: '100m' }),
      podManifest('gpu-job', { spec: {
        containers: [{ name: 'c', image: 'busybox', resources: { limits: { 'nvidia.com/gpu': '1' } } }],
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      } }),
    ]);
    const placed = await waitScheduled(c, ['plain-1', 'plain-2', 'plain-3', 'gpu-job']);
    for (const p of ['plain-1', 'plain-2', 'plain-3']) expect(placed[p]).not.toBe('node-c');
    expect(placed['gpu-job']).toBe('node-c');
    const events = await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=gpu-job,reason=Scheduled', '-o', 'jsonpath={.items[*].message}']);
    expect(events).toBe('Successfully assigned default/gpu-job to node-c');
    await cleanup();
  });

  it('honours required node affinity and nodeSelector', async () => {
    await kubectlCreate(c, [
      podManifest('zone-b-only', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-b'] }] }] } } } } }),
      podManifest('ssd-only', { spec: { nodeSelector: { disk: 'ssd' } } }),
      podManifest('prefers-b', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-b'] }] } }] } } } }),
    ]);
    const placed = await waitScheduled(c, ['zone-b-only', 'ssd-only', 'prefers-b']);
    expect(placed['zone-b-only']).toBe('node-b');
    expect(placed['ssd-only']).toBe('node-a');
    expect(placed['prefers-b']).toBe('node-b');
    await cleanup();
  });

  it('spreads pods across zones with topologySpreadConstraints', async () => {
    const tolerateAll = [{ key: 'dedicated', operator: 'Exists' }];
    const pods = Array.from({ length: 6 }, (_, i) => podManifest(`spread-${i}`, { labels: { app: 'spread' }, cpu: '100m', spec: {
      tolerations: tolerateAll,
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }],
    } }));
    await kubectlCreate(c, pods);
    const placed = await waitScheduled(c, pods.map((_, i) => `spread-${i}`));
    const perNode: Record<string, number> = {};
    for (const n of Object.values(placed)) perNode[n] = (perNode[n] ?? 0) + 1;
    expect(perNode).toEqual({ 'node-a': 2, 'node-b': 2, 'node-c': 2 });
    await cleanup();
  });

  it('spreads pods of one Service by default (system default constraints)', async () => {
    await c.kubectlOk(['create', 'service', 'clusterip', 'web', '--tcp=80:80']);
    // Only PodTopologySpread scores in this profile: without the Service-derived default
    // constraints every node would tie and placement would be random.
    const pods = Array.from({ length: 6 }, (_, i) => podManifest(`web-${i}`, { labels: { app: 'web' }, spec: {
      schedulerName: 'spread-only-scheduler', tolerations: [{ key: 'dedicated', operator: 'Exists' }],
    } }));
    for (const p of pods) {
      await kubectlCreate(c, [p]);
      await waitScheduled(c, [String((p.metadata as { name: string }).name)]);
    }
    const placed = await waitScheduled(c, pods.map((_, i) => `web-${i}`));
    const perNode: Record<string, number> = {};
    for (const n of Object.values(placed)) perNode[n] = (perNode[n] ?? 0) + 1;
    expect(perNode).toEqual({ 'node-a': 2, 'node-b': 2, 'node-c': 2 });
    await c.kubectlOk(['delete', 'service', 'web']);
    await cleanup();
  });

  it('keeps anti-affine pods on different nodes and explains the one that fits nowhere', async () => {
    const anti = (i: number): Record<string, unknown> => podManifest(`anti-${i}`, { labels: { app: 'db' }, spec: {
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    } });
    await kubectlCreate(c, [anti(0), anti(1), anti(2)]);
    const placed = await waitScheduled(c, ['anti-0', 'anti-1', 'anti-2']);
    expect(new Set(Object.values(placed)).size).toBe(3);
    await kubectlCreate(c, [anti(3)]);
    await waitUntil(async () => (await podCondition(c, 'anti-3')).reason === 'Unschedulable', 20_000, 'anti-3 unschedulable');
    const cond = await podCondition(c, 'anti-3');
    expect(cond.message).toBe('0/3 nodes are available: 3 node(s) didn\'t match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
    await cleanup();
  });

  it('shows the upstream-style reason in kubectl describe for a pod that fits nowhere', async () => {
    await kubectlCreate(c, [podManifest('too-big', { cpu: '3' })]);
    await waitUntil(async () => (await podCondition(c, 'too-big')).reason === 'Unschedulable', 20_000, 'too-big unschedulable');
    const want = '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    expect((await podCondition(c, 'too-big')).message).toBe(want);
    const describe = await c.kubectlOk(['describe', 'pod', 'too-big']);
    expect(describe).toMatch(/PodScheduled\s+False/);
    expect(describe).toContain('FailedScheduling');
    expect(describe).toContain(want);
    // A new node that fits moves the pod out of the unschedulable pool at once.
    await kubectlCreate(c, [nodeManifest('node-d', { cpu: '8', labels: { 'topology.kubernetes.io/zone': 'zone-d' } })]);
    const placed = await waitScheduled(c, ['too-big'], 20_000);
    expect(placed['too-big']).toBe('node-d');
    await c.kubectlOk(['delete', 'node', 'node-d']);
    await cleanup();
  });

  it('preempts lower-priority pods for a higher-priority one', async () => {
    await c.kubectlOk(['create', 'priorityclass', 'low', '--value=10']);
    await c.kubectlOk(['create', 'priorityclass', 'high', '--value=1000']);
    // Fill node-a and node-b (2 cpu each) with low-priority pods. No kubelet runs here, so the
    // victims have no grace period: the apiserver deletes them at once.
    const lows = Array.from({ length: 4 }, (_, i) => podManifest(`low-${i}`, { cpu: '900m', spec: { priorityClassName: 'low', terminationGracePeriodSeconds: 0, nodeSelector: { 'topology.kubernetes.io/zone': i < 2 ? 'zone-a' : 'zone-b' } } }));
    await kubectlCreate(c, lows);
    await waitScheduled(c, lows.map((_, i) => `low-${i}`));
    await kubectlCreate(c, [podManifest('urgent', { cpu: '1500m', spec: { priorityClassName: 'high', nodeSelector: { 'topology.kubernetes.io/zone': 'zone-a' } } })]);
    const placed = await waitScheduled(c, ['urgent'], 30_000);
    expect(placed.urgent).toBe('node-a');
    const remaining = (await c.kubectlOk(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
    // Both low pods on node-a had to go; node-b's stayed.
    expect(remaining).toEqual(['low-2', 'low-3', 'urgent']);
    const preempted = await c.kubectlOk(['get', 'events', '--field-selector', 'reason=Preempted', '-o', 'jsonpath={.items[*].involvedObject.name}']);
    expect(preempted.split(' ').sort()).toEqual(['low-0', 'low-1']);
    await cleanup();
  });

  it('serves /healthz and Prometheus metrics on the secure port', async () => {
    const get = (path: string): Promise<{ status: number; body: string }> => new Promise((res, rej) => {
      const req = httpsRequest({ host: '127.0.0.1', port: s.port, path, rejectUnauthorized: false }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => { body += d.toString(); });
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', rej);
      req.end();
    });
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok' });
    const m = (await get('/metrics')).body;
    expect(m).toMatch(/scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]/);
    expect(m).toMatch(/scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]/);
    expect(m).toMatch(/scheduler_pending_pods\{queue="active"\} 0/);
    expect(m).toContain('scheduler_scheduling_attempt_duration_seconds_bucket');
    expect(m).toContain('scheduler_pod_scheduling_sli_duration_seconds_bucket');
    expect(m).toMatch(/scheduler_preemption_attempts_total [1-9]/);
    expect(m).toMatch(/rest_client_requests_total\{code="201",method="POST"/);
  });

  it('schedules with the profile the pod names and ignores unknown schedulers', async () => {
    // MostAllocated packs: both pods land on the node that is already fullest.
    await kubectlCreate(c, [podManifest('filler', { cpu: '1', spec: { nodeSelector: { 'topology.kubernetes.io/zone': 'zone-b' } } })]);
    await waitScheduled(c, ['filler']);
    await kubectlCreate(c, [
      podManifest('packed-1', { cpu: '200m', memory: '100Mi', spec: { schedulerName: 'bin-packing-scheduler' } }),
      podManifest('nobody', { spec: { schedulerName: 'no-such-scheduler' } }),
    ]);
    const placed = await waitScheduled(c, ['packed-1']);
    expect(placed['packed-1']).toBe('node-b');
    const ev = await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=packed-1,reason=Scheduled', '-o', 'jsonpath={.items[*].source.component}']);
    expect(ev).toBe('bin-packing-scheduler');
    expect(await podCondition(c, 'nobody')).toEqual({});
    expect((await c.kubectlOk(['get', 'pod', 'nobody', '-o', 'jsonpath={.spec.nodeName}'])).trim()).toBe('');
    await cleanup();
  });
});
