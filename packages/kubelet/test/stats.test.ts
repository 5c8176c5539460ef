// e2e: /stats/summary figures from a real containerd pod on cgroup v1. A busybox container fills
// /dev/shm (tmpfs, charged to its memory cgroup); the pod's and the container's working set must
// grow by about that much, its writable layer and logs must show up, and the node's memory must
// agree with /proc/meminfo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Pod } from '@kube-ts/client';
import { EvictionManager } from '../src/eviction/index.js';
import type { PodSandboxConfig } from '../src/cri/types.js';
import { StatsProvider } from '../src/stats/index.js';
import type { PodStats, Summary } from '../src/stats/types.js';
import { BUSYBOX_IMAGE, haveContainerd, startContainerd, type TestContainerd } from './support/containerd.js';

const Mi = 2 ** 20;
const CGROUP_PARENT = '/ktsk-stats';

/** Removes the pod cgroups runc created below CGROUP_PARENT (containerd never removes the parents). */
async function removeCgroups(): Promise<void> {
  const rmTree = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) await rmTree(join(dir, e.name));
    await rmdir(dir).catch(() => undefined);
  };
  for (const ctrl of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) await rmTree(join('/sys/fs/cgroup', ctrl, CGROUP_PARENT));
}

async function meminfo(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await readFile('/proc/meminfo', 'utf8')).matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]) * 1024;
  return out;
}

describe.skipIf(!haveContainerd())('stats summary on containerd (e2e)', () => {
  let ctd: TestContainerd;
  let logs: string;
  let provider: StatsProvider;
  let containerId = '';
  const uid = randomUUID();
  const pod: Pod = { metadata: { name: 'mem', namespace: 'default', uid }, spec: { containers: [{ name: 'fill', image: BUSYBOX_IMAGE }] } };
  const podCgroup = `${CGROUP_PARENT}/pod${uid}`;

  const podStats = (s: Summary): PodStats => {
    const p = s.pods.find((x) => x.podRef.uid === uid);
    if (!p) throw new Error(`pod ${uid} missing from summary`);
    return p;
  };

  beforeAll(async () => {
    await removeCgroups();
    ctd = await startContainerd('stats', '10.201.15.0/24', 'ktsk-stats');
    logs = await mkdtemp(join(tmpdir(), 'kubelet-stats-logs-'));
    const labels = { 'io.kubernetes.pod.name': 'mem', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid };
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'mem', namespace: 'default', uid, attempt: 0 },
      hostname: 'mem',
      logDirectory: join(logs, `default_mem_${uid}`),
      labels,
      linux: { cgroupParent: podCgroup },
    };
    const sb = await ctd.cri.runPodSandbox(sandboxConfig);
    containerId = await ctd.cri.createContainer(
      sb,
      {
        metadata: { name: 'fill', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: ['sh', '-c', 'echo started; head -c 2097152 /dev/zero > /layer.bin; exec sleep 3600'],
        labels: { ...labels, 'io.kubernetes.container.name': 'fill' },
        logPath: 'fill/0.log',
      },
      sandboxConfig,
    );
    await ctd.cri.startContainer(containerId);
    provider = new StatsProvider({
      runtime: ctd.cri,
      nodeName: 'node-stats',
      rootDir: ctd.dir,
      imageFsPath: join(ctd.dir, 'root'),
      listPods: () => [pod],
      podCgroupPath: (p) => (p.metadata.uid === uid ? podCgroup : undefined),
      podLogsDir: logs,
    });
  });

  afterAll(async () => {
    await ctd?.stop();
    await removeCgroups();
    if (logs) await rm(logs, { recursive: true, force: true });
  });

  it('reports the pod and container working set growing with memory the container fills', async () => {
    // Wait for the startup writes to show: containerd refreshes writable-layer usage every 10 s.
    const deadline = Date.now() + 20_000;
    let before = await provider.summary();
    while (Date.now() < deadline && ((podStats(before).containers[0]?.rootfs?.usedBytes ?? 0) < 2 * Mi || (podStats(before).containers[0]?.logs?.usedBytes ?? 0) === 0)) {
      await new Promise((r) => setTimeout(r, 200));
      before = await provider.summary();
    }
    const p0 = podStats(before);
    expect(p0.podRef).toEqual({ name: 'mem', namespace: 'default', uid });
    expect(p0.containers.map((c) => c.name)).toEqual(['fill']);
    const c0 = p0.containers[0]!;
    expect(c0.rootfs!.usedBytes).toBeGreaterThanOrEqual(2 * Mi);
    expect(c0.logs!.usedBytes).toBeGreaterThan(0);
    expect(c0.cpu!.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(p0.process_stats?.process_count).toBeGreaterThanOrEqual(2); // pause + sleep

    const res = await ctd.cri.execSync(containerId, ['sh', '-c', 'head -c 41943040 /dev/zero > /dev/shm/fill && echo ok'], 30);
    expect(res.stdout.toString().trim()).toBe('ok');

    const after = await provider.summary();
    const p1 = podStats(after);
    const c1 = p1.containers[0]!;
    const podGrowth = p1.memory!.workingSetBytes! - p0.memory!.workingSetBytes!;
    const ctrGrowth = c1.memory!.workingSetBytes! - c0.memory!.workingSetBytes!;
    expect(podGrowth).toBeGreaterThanOrEqual(36 * Mi);
    expect(podGrowth).toBeLessThan(80 * Mi);
    expect(ctrGrowth).toBeGreaterThanOrEqual(36 * Mi);
    // The pod cgroup holds the container plus pause: never less than the container.
    expect(p1.memory!.workingSetBytes!).toBeGreaterThanOrEqual(c1.memory!.workingSetBytes!);
    // A second sample yields a cpu rate for the pod cgroup.
    expect(p1.cpu!.usageNanoCores).toBeGreaterThanOrEqual(0);
    expect(p1['ephemeral-storage']!.usedBytes).toBeGreaterThanOrEqual(c1.rootfs!.usedBytes! + c1.logs!.usedBytes!);
  });

  it('reports node memory consistent with /proc/meminfo, and node filesystems', async () => {
    const s = await provider.summary();
    const mi = await meminfo();
    const mem = s.node.memory!;
    expect(mem.availableBytes! + mem.workingSetBytes!).toBe(mi['MemTotal']);
    // The working set is memory in use that is not easily reclaimable: bounded by what is not free.
    expect(mem.workingSetBytes!).toBeLessThanOrEqual(mi['MemTotal']! - mi['MemFree']! + 64 * Mi);
    expect(Math.abs(mem.availableBytes! - mi['MemAvailable']!)).toBeLessThan(0.25 * mi['MemTotal']!);
    expect(s.node.cpu!.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(s.node.fs!.capacityBytes).toBeGreaterThan(s.node.fs!.availableBytes!);
    expect(s.node.runtime!.imageFs!.usedBytes).toBeGreaterThan(0);
    expect(s.node.rlimit!.curproc).toBeGreaterThan(0);
    expect(s.node.rlimit!.maxpid).toBeGreaterThan(s.node.rlimit!.curproc!);
  });

  it('drives the eviction manager: a memory threshold above what is available evicts the pod', async () => {
    const avail = (await provider.summary()).node.memory!.availableBytes!;
    const killed: Array<{ grace: number; message: string }> = [];
    const mgr = new EvictionManager(
      {
        evictionHard: { 'memory.available': String(avail + 1024 * Mi) },
        evictionSoft: {},
        evictionSoftGracePeriod: {},
        evictionPressureTransitionPeriodMs: 300_000,
        evictionMinimumReclaim: {},
        evictionMaxPodGracePeriod: 0,
      },
      {
        stats: provider,
        activePods: () => [pod],
        logger: pino({ level: 'silent' }),
        nodeRef: { name: 'node-stats' },
        async evictPod(_p, grace, _reason, message) {
          killed.push({ grace, message });
          await ctd.cri.stopContainer(containerId, grace);
          return true;
        },
      },
    );
    const evicted = await mgr.synchronize();
    expect(evicted).toEqual([pod]);
    expect(mgr.isUnderMemoryPressure()).toBe(true);
    expect(killed).toHaveLength(1);
    expect(killed[0]!.grace).toBe(1);
    expect(killed[0]!.message).toMatch(/^The node was low on resource: memory\. Threshold quantity: \d+[kMG]?, available: \d+(Ki|Mi|Gi)?\. Container fill was using \d+(Ki|Mi)?, request is 0, has larger consumption of memory\. $/);
    expect((await ctd.cri.containerStatus(containerId)).state).toBe('CONTAINER_EXITED');
  });
});
