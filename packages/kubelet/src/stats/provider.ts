// The CRI stats provider (pkg/kubelet/stats/cri_stats_provider.go) on cgroup v1: container cpu,
// memory and writable layer from CRI ListContainerStats; pod cpu/memory/processes from the pod
// cgroup (or the sum of its containers); node figures from the root cgroup, /proc and statfs.
import { join } from 'node:path';
import { metaTime, realClock, type Clock, type Pod } from '@kube-ts/client';
import type { Container, ContainerStats as CriContainerStats, PodSandbox, RuntimeService } from '../cri/types.js';
import { readBootTime, readCgroupCpuUsage, readCgroupMemory, readCgroupPids, readMemTotal, readRlimit, type CgroupMemory } from './cgroupfs.js';
import { diskUsage, fsInfo, type DiskUsage, type FsInfo } from './fsinfo.js';
import type { CPUStats, ContainerStats, FsStats, MemoryStats, NodeStats, PodStats, Summary, VolumeStats } from './types.js';
import { SYSTEM_CONTAINER_PODS } from './types.js';

export interface StatsDeps {
  runtime: RuntimeService;
  nodeName: string;
  /** The kubelet's root directory (--root-dir): its filesystem is nodefs. */
  rootDir: string;
  /** Where the runtime keeps images (imagefs), e.g. containerd's snapshotter directory. */
  imageFsPath: string;
  listPods(): Pod[];
  /** The pod's cgroup relative to the controller mounts (/kubepods/burstable/pod<uid>). */
  podCgroupPath?(pod: Pod): string | undefined;
  clock?: Clock;
  /** cgroup v1 controller mounts (default /sys/fs/cgroup). */
  cgroupMount?: string;
  /** procfs (default /proc). */
  procDir?: string;
  /** Pod log directories <ns>_<name>_<uid>/<container> live here (default /var/log/pods). */
  podLogsDir?: string;
  /** The cgroup holding every pod, reported as system container "pods" (default /kubepods). */
  podsCgroup?: string;
  /** How long a measured imagefs usage (a directory walk) is reused (default 10 s, containerd's period). */
  imageFsUsageTtlMs?: number;
}

const UID_LABEL = 'io.kubernetes.pod.uid';
const CONTAINER_LABEL = 'io.kubernetes.container.name';

const MIN_CPU_WINDOW_NS = 1e9;

const nsToMs = (ns: string | number | undefined): number => (ns === undefined || ns === '' ? 0 : Number(BigInt(ns) / 1_000_000n));
const num = (v: { value: string | number } | undefined): number | undefined => (v === undefined ? undefined : Number(v.value));

/** Upstream removeTerminatedPods: per pod, the ready sandboxes, else the newest one. */
export function removeTerminatedSandboxes(sandboxes: PodSandbox[]): PodSandbox[] {
  const byPod = new Map<string, PodSandbox[]>();
  for (const s of [...sandboxes].sort((a, b) => cmpNs(a.createdAt, b.createdAt))) {
    const key = `${s.metadata.namespace}/${s.metadata.name}/${s.metadata.uid}`;
    byPod.set(key, [...(byPod.get(key) ?? []), s]);
  }
  const out: PodSandbox[] = [];
  for (const refs of byPod.values()) {
    const ready = refs.filter((s) => s.state === 'SANDBOX_READY');
    out.push(...(refs.length === 1 ? refs : ready.length > 0 ? ready : [refs[refs.length - 1]!]));
  }
  return out;
}

/** Upstream removeTerminatedContainers: per pod and container name, the running ones, else the newest. */
export function removeTerminatedContainers(containers: Container[]): Container[] {
  const byName = new Map<string, Container[]>();
  for (const c of [...containers].sort((a, b) => cmpNs(a.createdAt, b.createdAt))) {
    const key = `${c.labels[UID_LABEL] ?? c.podSandboxId}/${c.labels[CONTAINER_LABEL] ?? c.metadata.name}`;
    byName.set(key, [...(byName.get(key) ?? []), c]);
  }
  const out: Container[] = [];
  for (const refs of byName.values()) {
    const running = refs.filter((c) => c.state === 'CONTAINER_RUNNING');
    out.push(...(refs.length === 1 ? refs : running.length > 0 ? running : [refs[refs.length - 1]!]));
  }
  return out;
}

function cmpNs(a: string, b: string): number {
  const x = BigInt(a || '0');
  const y = BigInt(b || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

function withFs(base: FsStats, fs: FsInfo | undefined): FsStats {
  if (fs) {
    base.availableBytes = fs.availableBytes;
    base.capacityBytes = fs.capacityBytes;
    base.inodesFree = fs.inodesFree;
    base.inodes = fs.inodes;
  }
  return base;
}

function cgroupMemoryStats(time: string, m: CgroupMemory, capacity?: number): MemoryStats {
  const out: MemoryStats = { time };
  const limit = capacity ?? m.limitBytes;
  if (limit !== undefined) out.availableBytes = Math.max(0, limit - m.workingSetBytes);
  out.usageBytes = m.usageBytes;
  out.workingSetBytes = m.workingSetBytes;
  out.rssBytes = m.rssBytes;
  out.pageFaults = m.pageFaults;
  out.majorPageFaults = m.majorPageFaults;
  return out;
}

export class StatsProvider {
  private readonly clock: Clock;
  private readonly mount: string;
  private readonly proc: string;
  private readonly logsDir: string;
  private readonly podsCgroup: string;
  /** Last cumulative cpu sample per cgroup/container, for usageNanoCores. */
  private cpuSamples = new Map<string, { atNs: number; usage: number; rate: number | undefined }>();
  private imageFsUsage?: { at: number; usage: DiskUsage | undefined };

  constructor(private readonly deps: StatsDeps) {
    this.clock = deps.clock ?? realClock;
    this.mount = deps.cgroupMount ?? '/sys/fs/cgroup';
    this.proc = deps.procDir ?? '/proc';
    this.logsDir = deps.podLogsDir ?? '/var/log/pods';
    this.podsCgroup = deps.podsCgroup ?? '/kubepods';
  }

  async summary(): Promise<Summary> {
    const nowMs = this.clock.now();
    const [sandboxes, containers, criStats, rootFs, imageFs, imageUsage] = await Promise.all([
      this.deps.runtime.listPodSandbox(),
      this.deps.runtime.listContainers(),
      this.deps.runtime.listContainerStats(),
      fsInfo(this.deps.rootDir),
      fsInfo(this.deps.imageFsPath),
      this.imageFsDiskUsage(nowMs),
    ]);
    const seen = new Set<string>();
    const node = await this.nodeStats(nowMs, rootFs, imageFs, imageUsage, seen);
    const pods = await this.podStats(nowMs, sandboxes, containers, criStats, rootFs, imageFs, seen);
    for (const k of this.cpuSamples.keys()) if (!seen.has(k)) this.cpuSamples.delete(k);
    return { node, pods };
  }

  /**
   * usageNanoCores from the previous cumulative sample of `key` (none on the first sample).
   * Samples closer than a second (the HTTP handler and the eviction manager asking at once)
   * reuse the last rate instead of measuring over a sliver of time.
   */
  private nanoCores(key: string, atNs: number, usage: number, seen: Set<string>): number | undefined {
    seen.add(key);
    const prev = this.cpuSamples.get(key);
    if (prev && atNs - prev.atNs < MIN_CPU_WINDOW_NS && usage >= prev.usage) return prev.rate;
    const rate = prev && atNs > prev.atNs && usage >= prev.usage ? Math.round(((usage - prev.usage) * 1e9) / (atNs - prev.atNs)) : undefined;
    this.cpuSamples.set(key, { atNs, usage, rate });
    return rate;
  }

  private async cgroupCpu(key: string, cgroup: string, nowMs: number, seen: Set<string>): Promise<CPUStats | undefined> {
    const usage = await readCgroupCpuUsage(this.mount, cgroup);
    if (usage === undefined) return undefined;
    const cpu: CPUStats = { time: metaTime(nowMs), usageCoreNanoSeconds: usage };
    const cores = this.nanoCores(key, nowMs * 1e6, usage, seen);
    if (cores !== undefined) cpu.usageNanoCores = cores;
    return cpu;
  }

  private async imageFsDiskUsage(nowMs: number): Promise<DiskUsage | undefined> {
    const ttl = this.deps.imageFsUsageTtlMs ?? 10_000;
    if (!this.imageFsUsage || nowMs - this.imageFsUsage.at >= ttl) {
      this.imageFsUsage = { at: nowMs, usage: await diskUsage(this.deps.imageFsPath) };
    }
    return this.imageFsUsage.usage;
  }

  private async nodeStats(nowMs: number, rootFs: FsInfo | undefined, imageFs: FsInfo | undefined, imageUsage: DiskUsage | undefined, seen: Set<string>): Promise<NodeStats> {
    const time = metaTime(nowMs);
    const [boot, memTotal, rootMem, cpu, rlimit, podsMem, podsCpu] = await Promise.all([
      readBootTime(this.proc),
      readMemTotal(this.proc),
      readCgroupMemory(this.mount, '/'),
      this.cgroupCpu('node', '/', nowMs, seen),
      readRlimit(this.proc),
      readCgroupMemory(this.mount, this.podsCgroup),
      this.cgroupCpu('sys:pods', this.podsCgroup, nowMs, seen),
    ]);
    const node: NodeStats = { nodeName: this.deps.nodeName, startTime: metaTime(boot ?? nowMs) };
    if (podsMem || podsCpu) {
      const pods: ContainerStats = { name: SYSTEM_CONTAINER_PODS, startTime: node.startTime };
      if (podsCpu) pods.cpu = podsCpu;
      if (podsMem) pods.memory = cgroupMemoryStats(time, podsMem);
      node.systemContainers = [pods];
    }
    if (cpu) node.cpu = cpu;
    if (rootMem) node.memory = cgroupMemoryStats(time, rootMem, memTotal);
    if (rootFs) {
      node.fs = withFs({ time, usedBytes: rootFs.usedBytes, inodesUsed: rootFs.inodes - rootFs.inodesFree }, rootFs);
    }
    if (imageFs) {
      const img = (): FsStats => {
        const s = withFs({ time }, imageFs);
        if (imageUsage) {
          s.usedBytes = imageUsage.bytes;
          s.inodesUsed = imageUsage.inodes;
        }
        return s;
      };
      // No split image/container filesystem: containerFs is the image filesystem (upstream 1.32).
      node.runtime = { imageFs: img(), containerFs: img() };
    }
    node.rlimit = { time, ...rlimit };
    return node;
  }

  private async podStats(
    nowMs: number,
    sandboxList: PodSandbox[],
    containerList: Container[],
    criStats: CriContainerStats[],
    rootFs: FsInfo | undefined,
    imageFs: FsInfo | undefined,
    seen: Set<string>,
  ): Promise<PodStats[]> {
    const time = metaTime(nowMs);
    const podsByUid = new Map(this.deps.listPods().map((p) => [p.metadata.uid ?? '', p]));
    const statsById = new Map(criStats.map((s) => [s.attributes.id, s]));
    const bySandbox = new Map<string, Container[]>();
    for (const c of removeTerminatedContainers(containerList)) bySandbox.set(c.podSandboxId, [...(bySandbox.get(c.podSandboxId) ?? []), c]);

    return Promise.all(
      removeTerminatedSandboxes(sandboxList).map(async (sb) => {
        const ref = { name: sb.metadata.name, namespace: sb.metadata.namespace, uid: sb.metadata.uid };
        const logDir = join(this.logsDir, `${ref.namespace}_${ref.name}_${ref.uid}`);
        const containers = await Promise.all(
          (bySandbox.get(sb.id) ?? []).map((c) => this.containerStats(c, statsById.get(c.id), logDir, nowMs, rootFs, imageFs, seen)),
        );
        const ps: PodStats = { podRef: ref, startTime: metaTime(nsToMs(sb.createdAt)), containers };
        const pod = podsByUid.get(ref.uid);
        const cgroup = pod ? this.deps.podCgroupPath?.(pod) : undefined;
        const [mem, cpu, pids] = cgroup
          ? await Promise.all([readCgroupMemory(this.mount, cgroup), this.cgroupCpu(`pod:${ref.uid}`, cgroup, nowMs, seen), readCgroupPids(this.mount, cgroup)])
          : [undefined, undefined, undefined];
        ps.cpu = cpu ?? sumCpu(time, containers);
        ps.memory = mem ? cgroupMemoryStats(time, mem) : sumMemory(time, containers);
        const volumes = pod ? await this.volumeStats(pod, time, rootFs) : [];
        if (volumes.length > 0) ps.volume = volumes;
        ps['ephemeral-storage'] = await this.ephemeralStorage(ref.uid, time, containers, volumes, pod, rootFs);
        if (pids !== undefined) ps.process_stats = { process_count: pids };
        return ps;
      }),
    );
  }

  private async containerStats(
    c: Container,
    s: CriContainerStats | undefined,
    logDir: string,
    nowMs: number,
    rootFs: FsInfo | undefined,
    imageFs: FsInfo | undefined,
    seen: Set<string>,
  ): Promise<ContainerStats> {
    const name = c.labels[CONTAINER_LABEL] ?? c.metadata.name;
    const out: ContainerStats = { name, startTime: metaTime(nsToMs(c.createdAt)) };
    const now = metaTime(nowMs);
    // Upstream reports zeros (not absence) when the runtime has no figures, e.g. an exited container.
    if (s?.cpu) {
      const cpu: CPUStats = { time: metaTime(nsToMs(s.cpu.timestamp)), usageCoreNanoSeconds: num(s.cpu.usageCoreNanoSeconds) ?? 0 };
      const runtimeCores = num(s.cpu.usageNanoCores);
      const cores = this.nanoCores(`ctr:${c.id}`, Number(BigInt(s.cpu.timestamp || '0')), cpu.usageCoreNanoSeconds ?? 0, seen);
      const picked = runtimeCores !== undefined && runtimeCores > 0 ? runtimeCores : cores;
      if (picked !== undefined) cpu.usageNanoCores = picked;
      out.cpu = cpu;
    } else {
      out.cpu = { time: now, usageCoreNanoSeconds: 0, usageNanoCores: 0 };
    }
    if (s?.memory) {
      const m = s.memory;
      const mem: MemoryStats = { time: metaTime(nsToMs(m.timestamp)), workingSetBytes: num(m.workingSetBytes) ?? 0 };
      const fields = [['availableBytes', m.availableBytes], ['usageBytes', m.usageBytes], ['rssBytes', m.rssBytes], ['pageFaults', m.pageFaults], ['majorPageFaults', m.majorPageFaults]] as const;
      for (const [k, v] of fields) if (v !== undefined) mem[k] = Number(v.value);
      // containerd sends 0 for "no limit"; the summary omits availableBytes then (cAdvisor's rule).
      if (mem.availableBytes === 0) delete mem.availableBytes;
      out.memory = mem;
    } else {
      out.memory = { time: now, workingSetBytes: 0 };
    }
    if (s?.writableLayer) {
      const w = s.writableLayer;
      const rootfs = withFs({ time: metaTime(nsToMs(w.timestamp)) }, imageFs);
      rootfs.usedBytes = num(w.usedBytes) ?? 0;
      rootfs.inodesUsed = num(w.inodesUsed) ?? 0;
      out.rootfs = rootfs;
    }
    const logUsage = await diskUsage(join(logDir, name));
    const logs = withFs({ time: now }, rootFs);
    logs.usedBytes = logUsage?.bytes ?? 0;
    logs.inodesUsed = logUsage?.inodes ?? 0;
    out.logs = logs;
    return out;
  }

  /** emptyDir volumes under <rootDir>/pods/<uid>/volumes/kubernetes.io~empty-dir (upstream layout). */
  private async volumeStats(pod: Pod, time: string, rootFs: FsInfo | undefined): Promise<VolumeStats[]> {
    const out: VolumeStats[] = [];
    for (const v of pod.spec.volumes ?? []) {
      const name = typeof v['name'] === 'string' ? v['name'] : undefined;
      if (!name || v['emptyDir'] === undefined) continue;
      const usage = await diskUsage(join(this.deps.rootDir, 'pods', pod.metadata.uid ?? '', 'volumes', 'kubernetes.io~empty-dir', name));
      if (!usage) continue;
      out.push({ ...withFs({ time }, rootFs), usedBytes: usage.bytes, inodesUsed: usage.inodes, name });
    }
    return out;
  }

  /** Upstream calcEphemeralStorage: container rootfs + logs + local ephemeral volumes + etc-hosts. */
  private async ephemeralStorage(uid: string, time: string, containers: ContainerStats[], volumes: VolumeStats[], pod: Pod | undefined, rootFs: FsInfo | undefined): Promise<FsStats> {
    let used = 0;
    let inodes = 0;
    for (const c of containers) {
      used += (c.rootfs?.usedBytes ?? 0) + (c.logs?.usedBytes ?? 0);
      inodes += (c.rootfs?.inodesUsed ?? 0) + (c.logs?.inodesUsed ?? 0);
    }
    const memoryBacked = new Set(
      (pod?.spec.volumes ?? [])
        .filter((v) => (v['emptyDir'] as { medium?: string } | undefined)?.medium === 'Memory')
        .map((v) => v['name']),
    );
    for (const v of volumes) {
      if (memoryBacked.has(v.name)) continue;
      used += v.usedBytes ?? 0;
      inodes += v.inodesUsed ?? 0;
    }
    const hosts = await diskUsage(join(this.deps.rootDir, 'pods', uid, 'etc-hosts'));
    if (hosts) {
      used += hosts.bytes;
      inodes += hosts.inodes;
    }
    return { ...withFs({ time }, rootFs), usedBytes: used, inodesUsed: inodes };
  }
}

/** Pod cpu as the sum of its containers (no pod cgroup readable). */
function sumCpu(time: string, containers: ContainerStats[]): CPUStats {
  const out: CPUStats = { time, usageCoreNanoSeconds: 0, usageNanoCores: 0 };
  for (const c of containers) {
    out.usageCoreNanoSeconds! += c.cpu?.usageCoreNanoSeconds ?? 0;
    out.usageNanoCores! += c.cpu?.usageNanoCores ?? 0;
  }
  return out;
}

function sumMemory(time: string, containers: ContainerStats[]): MemoryStats {
  const out: MemoryStats = { time, workingSetBytes: 0, usageBytes: 0, rssBytes: 0, pageFaults: 0, majorPageFaults: 0 };
  for (const c of containers) {
    out.workingSetBytes! += c.memory?.workingSetBytes ?? 0;
    out.usageBytes! += c.memory?.usageBytes ?? 0;
    out.rssBytes! += c.memory?.rssBytes ?? 0;
    out.pageFaults! += c.memory?.pageFaults ?? 0;
    out.majorPageFaults! += c.memory?.majorPageFaults ?? 0;
  }
  return out;
}
