import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, type Pod } from '@kube-ts/client';
import type { Container, ContainerStats, PodSandbox, RuntimeService } from '../../src/cri/types.js';
import { StatsProvider } from '../../src/stats/index.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;
const NS = (ms: number): string => String(BigInt(ms) * 1_000_000n);

let dir: string;
const w = async (path: string, text: string): Promise<void> => {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
};

async function writeCgroup(cg: string, usage: number, inactiveFile: number, limit: string, cpu: number): Promise<void> {
  const mem = join(dir, 'cgroup/memory', cg);
  await w(join(mem, 'memory.usage_in_bytes'), `${usage}\n`);
  await w(join(mem, 'memory.stat'), `rss 1\npgfault 70\npgmajfault 2\ntotal_rss ${usage / 2}\ntotal_inactive_file ${inactiveFile}\n`);
  await w(join(mem, 'memory.limit_in_bytes'), `${limit}\n`);
  await w(join(dir, 'cgroup/cpuacct', cg, 'cpuacct.usage'), `${cpu}\n`);
}

const sandbox = (id: string, name: string, uid: string, state: PodSandbox['state'], createdMs: number): PodSandbox => ({
  id,
  metadata: { name, uid, namespace: 'default', attempt: 0 },
  state,
  createdAt: NS(createdMs),
  labels: {},
  annotations: {},
  runtimeHandler: '',
});
const container = (id: string, sb: string, uid: string, name: string, state: Container['state'], createdMs: number): Container => ({
  id,
  podSandboxId: sb,
  metadata: { name, attempt: 0 },
  image: { image: 'busybox' },
  imageRef: 'sha256:1',
  state,
  createdAt: NS(createdMs),
  labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': name },
  annotations: {},
});
function criStats(id: string, name: string, atMs: number, cpuNs: number, ws: number, layer: number): ContainerStats {
  return {
    attributes: { id, metadata: { name }, labels: {}, annotations: {} },
    cpu: { timestamp: NS(atMs), usageCoreNanoSeconds: { value: String(cpuNs) } },
    memory: { timestamp: NS(atMs), workingSetBytes: { value: String(ws) }, usageBytes: { value: String(ws + Mi) }, rssBytes: { value: String(ws) } },
    writableLayer: { timestamp: NS(atMs), fsId: { mountpoint: '/x' }, usedBytes: { value: String(layer) }, inodesUsed: { value: '7' } },
  };
}

describe('StatsProvider (fake cgroupfs, /proc and runtime)', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const pod1: Pod = { metadata: { name: 'p1', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'app' }], volumes: [{ name: 'scratch', emptyDir: {} }] } };
  const pod2: Pod = { metadata: { name: 'p2', namespace: 'default', uid: 'u2' }, spec: { containers: [{ name: 'web' }] } };
  let cpuNode = 10e9;
  let cpuApp = 1e9;
  let provider: StatsProvider;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubelet-stats-'));
    await w(join(dir, 'proc/meminfo'), 'MemTotal:        8000000 kB\nMemFree:         100 kB\n');
    await w(join(dir, 'proc/stat'), 'cpu  1 2 3\nbtime 1767225600\n');
    await w(join(dir, 'proc/loadavg'), '0.10 0.20 0.30 2/345 9999\n');
    await w(join(dir, 'proc/sys/kernel/pid_max'), '4194304\n');
    await w(join(dir, 'proc/sys/kernel/threads-max'), '100000\n');
    await writeCgroup('/', 3 * Gi, 1 * Gi, '9223372036854771712', cpuNode);
    await writeCgroup('/kubepods', 1 * Gi, 100 * Mi, String(6 * Gi), 5e9);
    await writeCgroup('/kubepods/burstable/podu1', 300 * Mi, 44 * Mi, String(512 * Mi), 2e9);
    await w(join(dir, 'cgroup/pids/kubepods/burstable/podu1/pids.current'), '4\n');
    await w(join(dir, 'logs/default_p1_u1/app/0.log'), 'x'.repeat(10000));
    await w(join(dir, 'root/pods/u1/volumes/kubernetes.io~empty-dir/scratch/data'), 'y'.repeat(20000));
    await w(join(dir, 'images/layer'), 'z'.repeat(5000));
    const runtime = {
      listPodSandbox: async (): Promise<PodSandbox[]> => [
        sandbox('sb-old', 'p1', 'u1', 'SANDBOX_NOTREADY', 1000),
        sandbox('sb1', 'p1', 'u1', 'SANDBOX_READY', 2000),
        sandbox('sb2', 'p2', 'u2', 'SANDBOX_READY', 3000),
      ],
      listContainers: async (): Promise<Container[]> => [
        container('c-old', 'sb1', 'u1', 'app', 'CONTAINER_EXITED', 2100),
        container('c1', 'sb1', 'u1', 'app', 'CONTAINER_RUNNING', 2200),
        container('c2', 'sb2', 'u2', 'web', 'CONTAINER_RUNNING', 3100),
      ],
      listContainerStats: async (): Promise<ContainerStats[]> => [
        criStats('c-old', 'app', clock.now(), 5, 1, 1),
        criStats('c1', 'app', clock.now(), cpuApp, 200 * Mi, 4096),
        criStats('c2', 'web', clock.now(), 3e9, 50 * Mi, 8192),
      ],
    } satisfies Partial<RuntimeService>;
    provider = new StatsProvider({
      runtime: runtime as RuntimeService,
      nodeName: 'node-a',
      rootDir: join(dir, 'root'),
      imageFsPath: join(dir, 'images'),
      listPods: () => [pod1, pod2],
      podCgroupPath: (p) => (p.metadata.uid === 'u1' ? '/kubepods/burstable/podu1' : undefined),
      clock,
      cgroupMount: join(dir, 'cgroup'),
      procDir: join(dir, 'proc'),
      podLogsDir: join(dir, 'logs'),
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports node memory as capacity - (usage - inactive_file), rlimit and filesystems', async () => {
    const s = await provider.summary();
    const n = s.node;
    expect(n.nodeName).toBe('node-a');
    expect(n.startTime).toBe('2026-01-01T00:00:00Z');
    expect(n.memory).toMatchObject({ time: '2026-01-01T12:00:00Z', usageBytes: 3 * Gi, workingSetBytes: 2 * Gi, availableBytes: 8000000 * 1024 - 2 * Gi, rssBytes: 1.5 * Gi, pageFaults: 70, majorPageFaults: 2 });
    expect(n.cpu).toEqual({ time: '2026-01-01T12:00:00Z', usageCoreNanoSeconds: 10e9 });
    expect(n.rlimit).toEqual({ time: '2026-01-01T12:00:00Z', maxpid: 100000, curproc: 345 });
    expect(n.fs!.capacityBytes).toBeGreaterThan(0);
    expect(n.fs!.inodes! - n.fs!.inodesFree!).toBe(n.fs!.inodesUsed);
    expect(n.runtime!.imageFs!.usedBytes).toBeGreaterThanOrEqual(5000);
    expect(n.runtime!.containerFs).toEqual(n.runtime!.imageFs);
    expect(n.systemContainers).toEqual([
      expect.objectContaining({ name: 'pods', memory: expect.objectContaining({ workingSetBytes: 1 * Gi - 100 * Mi, availableBytes: 5 * Gi + 100 * Mi }) }),
    ]);
  });

  it('reports pods from their cgroup or the sum of their containers, newest sandbox and running containers only', async () => {
    const s = await provider.summary();
    expect(s.pods.map((p) => p.podRef)).toEqual([
      { name: 'p1', namespace: 'default', uid: 'u1' },
      { name: 'p2', namespace: 'default', uid: 'u2' },
    ]);
    const [p1, p2] = s.pods as [NonNullable<(typeof s.pods)[0]>, NonNullable<(typeof s.pods)[0]>];
    expect(p1.startTime).toBe('1970-01-01T00:00:02Z');
    expect(p1.containers.map((c) => c.name)).toEqual(['app']);
    const app = p1.containers[0]!;
    expect(app.memory).toMatchObject({ workingSetBytes: 200 * Mi, usageBytes: 201 * Mi, rssBytes: 200 * Mi });
    expect(app.rootfs).toMatchObject({ usedBytes: 4096, inodesUsed: 7 });
    expect(app.rootfs!.capacityBytes).toBeGreaterThan(0);
    expect(app.logs!.usedBytes).toBeGreaterThanOrEqual(10000);
    expect(p1.memory).toMatchObject({ workingSetBytes: 256 * Mi, usageBytes: 300 * Mi, availableBytes: 256 * Mi });
    expect(p1.cpu!.usageCoreNanoSeconds).toBe(2e9);
    expect(p1.process_stats).toEqual({ process_count: 4 });
    expect(p1.volume).toEqual([expect.objectContaining({ name: 'scratch' })]);
    expect(p1.volume![0]!.usedBytes).toBeGreaterThanOrEqual(20000);
    expect(p1['ephemeral-storage']!.usedBytes).toBe(4096 + app.logs!.usedBytes! + p1.volume![0]!.usedBytes!);
    expect(p2.memory).toMatchObject({ workingSetBytes: 50 * Mi, usageBytes: 51 * Mi });
    expect(p2.cpu!.usageCoreNanoSeconds).toBe(3e9);
    expect(p2.process_stats).toBeUndefined();
  });

  it('derives usageNanoCores from consecutive samples', async () => {
    await clock.step(2000);
    cpuNode += 1e9;
    cpuApp += 0.5e9;
    await writeCgroup('/', 3 * Gi, 1 * Gi, '9223372036854771712', cpuNode);
    await writeCgroup('/kubepods/burstable/podu1', 300 * Mi, 44 * Mi, String(512 * Mi), 3e9);
    const s = await provider.summary();
    expect(s.node.cpu!.usageNanoCores).toBe(0.5e9);
    expect(s.pods[0]!.cpu!.usageNanoCores).toBe(0.5e9);
    expect(s.pods[0]!.containers[0]!.cpu!.usageNanoCores).toBe(0.25e9);
  });
});
