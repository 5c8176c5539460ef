// Pod ranking for eviction (helpers.go): memory pressure ranks pods whose usage exceeds their
// requests first, then lower priority, then usage above requests; disk likewise with the measured
// filesystems; PID pressure by priority then process count.
import type { Pod } from '@kube-ts/client';
import type { FsStats, PodStats } from '../stats/types.js';
import { podPriority, podRequest } from './pods.js';
import { add, cmp, newQuantity, sub, zero, type Quantity } from './quantity.js';
import type { Signal } from './thresholds.js';

export type StatsFunc = (pod: Pod) => PodStats | undefined;
export type CmpFunc = (a: Pod, b: Pod) => number;
export type RankFunc = (pods: Pod[], stats: StatsFunc) => void;
export type FsStatsType = 'root' | 'logs' | 'localVolumeSource' | 'images';

/** Sorts by the comparators in turn; the first that differs decides (a stable sort). */
export function orderedBy(...cmps: CmpFunc[]): (pods: Pod[]) => void {
  return (pods) => {
    pods.sort((a, b) => {
      for (const c of cmps) {
        const r = c(a, b);
        if (r !== 0) return r;
      }
      return 0;
    });
  };
}

/** true before false. */
export const cmpBool = (a: boolean, b: boolean): number => (a === b ? 0 : a ? -1 : 1);

export const priority: CmpFunc = (a, b) => Math.sign(podPriority(a) - podPriority(b));

export function memoryUsage(s: PodStats['memory']): Quantity {
  return newQuantity(s?.workingSetBytes ?? 0, 'BinarySI');
}

function withStats(stats: StatsFunc, f: (a: Pod, sa: PodStats, b: Pod, sb: PodStats) => number): CmpFunc {
  return (a, b) => {
    const sa = stats(a);
    const sb = stats(b);
    // Pods without stats are evicted first.
    if (!sa || !sb) return cmpBool(!sa, !sb);
    return f(a, sa, b, sb);
  };
}

export const exceedMemoryRequests = (stats: StatsFunc): CmpFunc =>
  withStats(stats, (a, sa, b, sb) =>
    cmpBool(cmp(memoryUsage(sa.memory), podRequest(a, 'memory')) > 0, cmp(memoryUsage(sb.memory), podRequest(b, 'memory')) > 0),
  );

/** Larger usage above request first. */
export const memory = (stats: StatsFunc): CmpFunc =>
  withStats(stats, (a, sa, b, sb) => cmp(sub(memoryUsage(sb.memory), podRequest(b, 'memory')), sub(memoryUsage(sa.memory), podRequest(a, 'memory'))));

export const processCount = (stats: StatsFunc): CmpFunc =>
  withStats(stats, (_a, sa, _b, sb) => Math.sign((sb.process_stats?.process_count ?? 0) - (sa.process_stats?.process_count ?? 0)));

/** The local ephemeral volumes a pod's disk usage counts (hostPath, emptyDir on disk, configMap, ...). */
export function localVolumeNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec.volumes ?? []) {
    const name = v['name'];
    if (typeof name !== 'string') continue;
    const emptyDir = v['emptyDir'] as { medium?: string } | undefined;
    const local = v['hostPath'] !== undefined || v['gitRepo'] !== undefined || v['configMap'] !== undefined || v['downwardAPI'] !== undefined || (emptyDir !== undefined && emptyDir.medium !== 'Memory');
    if (local) out.push(name);
  }
  return out;
}

const fsUsed = (f: FsStats | undefined): Quantity => newQuantity(f?.usedBytes ?? 0, 'BinarySI');
const fsInodes = (f: FsStats | undefined): Quantity => newQuantity(f?.inodesUsed ?? 0, 'DecimalSI');

/** podDiskUsage: bytes and inodes over the measured filesystems. */
export function podDiskUsage(s: PodStats, pod: Pod, measure: FsStatsType[]): { 'ephemeral-storage': Quantity; inodes: Quantity } {
  let disk = zero('BinarySI');
  let inodes = zero('DecimalSI');
  for (const c of s.containers) {
    if (measure.includes('root')) {
      disk = add(disk, fsUsed(c.rootfs));
      inodes = add(inodes, fsInodes(c.rootfs));
    }
    if (measure.includes('logs')) {
      disk = add(disk, fsUsed(c.logs));
      inodes = add(inodes, fsInodes(c.logs));
    }
  }
  if (measure.includes('localVolumeSource')) {
    for (const name of localVolumeNames(pod)) {
      const v = s.volume?.find((x) => x.name === name);
      if (!v) continue;
      disk = add(disk, fsUsed(v));
      inodes = add(inodes, fsInodes(v));
    }
  }
  return { 'ephemeral-storage': disk, inodes };
}

type DiskResource = 'ephemeral-storage' | 'inodes';

export const exceedDiskRequests = (stats: StatsFunc, measure: FsStatsType[], resource: DiskResource): CmpFunc =>
  withStats(stats, (a, sa, b, sb) =>
    cmpBool(
      cmp(podDiskUsage(sa, a, measure)[resource], podRequest(a, resource)) > 0,
      cmp(podDiskUsage(sb, b, measure)[resource], podRequest(b, resource)) > 0,
    ),
  );

/** Larger disk use above the ephemeral-storage request first (upstream subtracts that request for inodes too). */
export const disk = (stats: StatsFunc, measure: FsStatsType[], resource: DiskResource): CmpFunc =>
  withStats(stats, (a, sa, b, sb) => {
    const ua = sub(podDiskUsage(sa, a, measure)[resource], podRequest(a, 'ephemeral-storage'));
    const ub = sub(podDiskUsage(sb, b, measure)[resource], podRequest(b, 'ephemeral-storage'));
    return cmp(ub, ua);
  });

export const rankMemoryPressure: RankFunc = (pods, stats) => orderedBy(exceedMemoryRequests(stats), priority, memory(stats))(pods);
export const rankPIDPressure: RankFunc = (pods, stats) => orderedBy(priority, processCount(stats))(pods);
export const rankDiskPressureFunc =
  (measure: FsStatsType[], resource: DiskResource): RankFunc =>
  (pods, stats) =>
    orderedBy(exceedDiskRequests(stats, measure, resource), priority, disk(stats, measure, resource))(pods);

/** buildSignalToRankFunc: which filesystems count depends on whether images have their own filesystem. */
export function buildSignalToRankFunc(withImageFs: boolean): Partial<Record<Signal, RankFunc>> {
  const out: Partial<Record<Signal, RankFunc>> = {
    'memory.available': rankMemoryPressure,
    'allocatableMemory.available': rankMemoryPressure,
    'pid.available': rankPIDPressure,
  };
  if (withImageFs) {
    out['nodefs.available'] = rankDiskPressureFunc(['logs', 'localVolumeSource'], 'ephemeral-storage');
    out['nodefs.inodesFree'] = rankDiskPressureFunc(['logs', 'localVolumeSource'], 'inodes');
    out['imagefs.available'] = rankDiskPressureFunc(['root', 'images'], 'ephemeral-storage');
    out['imagefs.inodesFree'] = rankDiskPressureFunc(['root', 'images'], 'inodes');
    out['containerfs.available'] = out['imagefs.available'];
    out['containerfs.inodesFree'] = out['imagefs.inodesFree'];
  } else {
    const all: FsStatsType[] = ['images', 'root', 'logs', 'localVolumeSource'];
    out['nodefs.available'] = rankDiskPressureFunc(all, 'ephemeral-storage');
    out['nodefs.inodesFree'] = rankDiskPressureFunc(all, 'inodes');
    out['imagefs.available'] = rankDiskPressureFunc(all, 'ephemeral-storage');
    out['imagefs.inodesFree'] = rankDiskPressureFunc(all, 'inodes');
    out['containerfs.available'] = out['nodefs.available'];
    out['containerfs.inodesFree'] = out['nodefs.inodesFree'];
  }
  return out;
}
