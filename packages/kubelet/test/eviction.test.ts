// Node-pressure eviction in the real kubelet on a real containerd, checked with the real kubectl.
// memory.available is real here, so the test makes the node "short of memory" by configuration:
// the kubelet first runs with the default thresholds (a BestEffort pod starts), then is killed and
// restarted with evictionHard memory.available above what the machine has free. The running pod
// must then be evicted and a new BestEffort pod rejected at admission, as upstream does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { haveContainerd, BUSYBOX_IMAGE, TEST_ROOT } from './support/containerd.js';
import { startNode, waitKubectl, type TestNode } from './support/node.js';

const NODE = 'kl-evict';
// startNode writes the KubeletConfiguration here and passes it with --config on every start.
const CONFIG_FILE = join(TEST_ROOT, `kubelet-${NODE}`, 'config.json');

const bestEffort = (name: string): string => JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName: NODE,
    terminationGracePeriodSeconds: 30,
    containers: [{ name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
  },
});

/** MemAvailable in KiB: the threshold is set 1Gi above it so memory.available (capacity - working set) is below. */
function memAvailableKi(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (!m) throw new Error('no MemAvailable in /proc/meminfo');
  return Number(m[1]);
}

const jp = (c: Cluster, what: string, path: string): Promise<string> => c.kubectlOk(['get', what, '-o', `jsonpath=${path}`]);

describe.skipIf(!haveContainerd())('kubelet eviction under memory pressure (e2e)', () => {
  let c: Cluster;
  let node: TestNode;

  beforeAll(async () => {
    c = await startCluster('raftkv', { extraArgs: ['--kubelet-preferred-address-types=InternalIP,Hostname'] });
    node = await startNode(c, { name: NODE, slot: 24, config: { evictionPressureTransitionPeriod: '5s' } });
    await waitKubectl(c, ['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (o) => o === 'True', 60_000, 'node Ready');
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await c?.teardown();
  }, 60_000);

  it('a running BestEffort pod is evicted once the kubelet restarts with a met memory.available threshold', async () => {
    // Default thresholds: no pressure, the pod runs.
    expect(await jp(c, `node/${NODE}`, '{.status.conditions[?(@.type=="MemoryPressure")].status}')).toBe('False');
    await c.kubectlOk(['apply', '-f', '-'], bestEffort('victim'));
    await waitKubectl(c, ['get', 'pod', 'victim', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 45_000, 'victim Running');
    const uid = await jp(c, 'pod/victim', '{.metadata.uid}');
    expect(await jp(c, 'pod/victim', '{.status.qosClass}')).toBe('BestEffort');

    await node.killKubelet();
    const cfg = JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as Record<string, unknown>;
    const threshold = `${memAvailableKi() + 1024 * 1024}Ki`;
    cfg['evictionHard'] = { 'memory.available': threshold };
    writeFileSync(CONFIG_FILE, JSON.stringify(cfg, null, 2));
    await node.startKubelet();

    await waitKubectl(c, ['get', 'pod', 'victim', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Failed', 40_000, 'victim Failed');
    expect(await jp(c, 'pod/victim', '{.status.reason}')).toBe('Evicted');
    const message = await jp(c, 'pod/victim', '{.status.message}');
    // evictionMessage: threshold and availability as quantities, then each container using more than it requested.
    expect(message).toMatch(/^The node was low on resource: memory\. Threshold quantity: \d+(Ki|Mi|Gi), available: \d+(Ki|Mi|Gi)\. Container c was using \d+(Ki|Mi), request is 0, has larger consumption of memory\. $/);
    expect(message).toContain(`Threshold quantity: ${threshold}, `);
    const t = JSON.parse(await jp(c, 'pod/victim', '{.status.conditions[?(@.type=="DisruptionTarget")]}')) as Record<string, string>;
    expect(t).toMatchObject({ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message });
    // Killed in the grace period (1 s for a hard threshold): the container ends terminated, not running.
    expect(await jp(c, 'pod/victim', '{.status.containerStatuses[0].state.terminated.reason}')).toBe('Error');

    // Containers and sandbox stopped in containerd.
    const running = await node.containerd.cri.listContainers({ state: { state: 'CONTAINER_RUNNING' }, labelSelector: { 'io.kubernetes.pod.uid': uid } });
    expect(running).toEqual([]);
    const ready = await node.containerd.cri.listPodSandbox({ state: { state: 'SANDBOX_READY' }, labelSelector: { 'io.kubernetes.pod.uid': uid } });
    expect(ready).toEqual([]);

    // Node: MemoryPressure True with the upstream reason, and the EvictionThresholdMet event.
    // The node status is posted every nodeStatusUpdateFrequency (2 s here), so it may trail the eviction.
    await waitKubectl(c, ['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")].status}'], (o) => o === 'True', 15_000, 'MemoryPressure True');
    const mp = JSON.parse(await jp(c, `node/${NODE}`, '{.status.conditions[?(@.type=="MemoryPressure")]}')) as Record<string, string>;
    expect(mp).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' });
    const describe = await waitKubectl(c, ['describe', 'node', NODE], (o) => o.includes('EvictionThresholdMet'), 20_000, 'EvictionThresholdMet in describe node');
    expect(describe).toMatch(/MemoryPressure\s+True\s+.*KubeletHasInsufficientMemory\s+kubelet has insufficient memory available/);
    expect(describe).toMatch(/Warning\s+EvictionThresholdMet\s+.*Attempting to reclaim memory/);
    const podEvents = await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=victim,reason=Evicted', '-o', 'jsonpath={.items[*].message}']);
    expect(podEvents).toContain('The node was low on resource: memory.');
  }, 90_000);

  it('a new BestEffort pod is rejected at admission while MemoryPressure holds', async () => {
    await c.kubectlOk(['apply', '-f', '-'], bestEffort('late'));
    await waitKubectl(c, ['get', 'pod', 'late', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Failed', 20_000, 'late Failed');
    expect(await jp(c, 'pod/late', '{.status.reason}')).toBe('Evicted');
    expect(await jp(c, 'pod/late', '{.status.message}')).toBe('Pod was rejected: The node had condition: [MemoryPressure]. ');
    expect(await c.kubectlOk(['get', 'pod', 'late'])).toMatch(/late\s+0\/1\s+Evicted\s+0/);
    const ev = await waitKubectl(c, ['get', 'events', '--field-selector', 'involvedObject.name=late,reason=Evicted', '-o', 'jsonpath={.items[*].message}'], (o) => o !== '', 10_000, 'late Evicted event');
    expect(ev).toBe('The node had condition: [MemoryPressure]. ');
    // Never started: no sandbox was created for it.
    const uid = await jp(c, 'pod/late', '{.metadata.uid}');
    expect(await node.containerd.cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).toEqual([]);
  }, 40_000);
});
