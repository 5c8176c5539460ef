// Signal observations from a stats Summary and the threshold bookkeeping of helpers.go:
// which thresholds are met, since when, which node conditions they raise and for how long.
import type { Pod } from '@kube-ts/client';
import type { FsStats, PodStats, Summary } from '../stats/types.js';
import { SYSTEM_CONTAINER_PODS } from '../stats/types.js';
import { add, cmp, newQuantity, type Quantity } from './quantity.js';
import type { StatsFunc } from './rank.js';
import { SIGNAL_TO_CONDITION, sameThresholdValue, thresholdQuantity, type PressureCondition, type Signal, type Threshold } from './thresholds.js';

export interface Observation {
  available: Quantity;
  capacity: Quantity;
  /** The stats' sample time (ms), when known. */
  time?: number;
}
export type Observations = Map<Signal, Observation>;

const parseTime = (t: string | undefined): number | undefined => {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

function fsObservations(out: Observations, fs: FsStats | undefined, bytes: Signal, inodes: Signal): void {
  if (!fs) return;
  const time = parseTime(fs.time);
  if (fs.availableBytes !== undefined && fs.capacityBytes !== undefined) {
    out.set(bytes, { available: newQuantity(fs.availableBytes, 'BinarySI'), capacity: newQuantity(fs.capacityBytes, 'BinarySI'), time });
  }
  if (fs.inodesFree !== undefined && fs.inodes !== undefined) {
    out.set(inodes, { available: newQuantity(fs.inodesFree, 'DecimalSI'), capacity: newQuantity(fs.inodes, 'DecimalSI'), time });
  }
}

/** makeSignalObservations: one observation per signal the summary can answer, and a pod stats lookup. */
export function makeSignalObservations(summary: Summary): { observations: Observations; statsFunc: StatsFunc } {
  const byUid = new Map<string, PodStats>(summary.pods.map((p) => [p.podRef.uid, p]));
  const statsFunc: StatsFunc = (pod: Pod) => byUid.get(pod.metadata.uid ?? '');
  const out: Observations = new Map();
  const mem = summary.node.memory;
  if (mem?.availableBytes !== undefined && mem.workingSetBytes !== undefined) {
    out.set('memory.available', {
      available: newQuantity(mem.availableBytes, 'BinarySI'),
      capacity: newQuantity(mem.availableBytes + mem.workingSetBytes, 'BinarySI'),
      time: parseTime(mem.time),
    });
  }
  const pods = summary.node.systemContainers?.find((c) => c.name === SYSTEM_CONTAINER_PODS)?.memory;
  if (pods?.availableBytes !== undefined && pods.workingSetBytes !== undefined) {
    out.set('allocatableMemory.available', {
      available: newQuantity(pods.availableBytes, 'BinarySI'),
      capacity: newQuantity(pods.availableBytes + pods.workingSetBytes, 'BinarySI'),
      time: parseTime(pods.time),
    });
  }
  fsObservations(out, summary.node.fs, 'nodefs.available', 'nodefs.inodesFree');
  fsObservations(out, summary.node.runtime?.imageFs, 'imagefs.available', 'imagefs.inodesFree');
  fsObservations(out, summary.node.runtime?.containerFs, 'containerfs.available', 'containerfs.inodesFree');
  const rl = summary.node.rlimit;
  if (rl?.maxpid !== undefined && rl.curproc !== undefined) {
    out.set('pid.available', {
      available: newQuantity(rl.maxpid - rl.curproc, 'DecimalSI'),
      capacity: newQuantity(rl.maxpid, 'DecimalSI'),
      time: parseTime(rl.time),
    });
  }
  return { observations: out, statsFunc };
}

/** thresholdsMet; with enforceMinReclaim the bar is threshold + minimum reclaim. */
export function thresholdsMet(thresholds: Threshold[], observations: Observations, enforceMinReclaim: boolean): Threshold[] {
  return thresholds.filter((t) => {
    const o = observations.get(t.signal);
    if (!o) return false;
    let q = thresholdQuantity(t.value, o.capacity);
    if (enforceMinReclaim && t.minReclaim) q = add(q, thresholdQuantity(t.minReclaim, o.capacity));
    return cmp(q, o.available) > 0;
  });
}

/** The thresholds whose observation is newer than the previous pass's (or has no time). */
export function thresholdsUpdatedStats(thresholds: Threshold[], observations: Observations, last: Observations): Threshold[] {
  return thresholds.filter((t) => {
    const o = observations.get(t.signal);
    if (!o) return false;
    const prev = last.get(t.signal);
    return !prev || o.time === undefined || prev.time === undefined || o.time > prev.time;
  });
}

export function thresholdsFirstObservedAt(thresholds: Threshold[], last: Map<Threshold, number>, now: number): Map<Threshold, number> {
  return new Map(thresholds.map((t) => [t, last.get(t) ?? now]));
}

export function thresholdsMetGracePeriod(observedAt: Map<Threshold, number>, now: number): Threshold[] {
  return [...observedAt].filter(([t, at]) => now - at >= t.gracePeriodMs).map(([t]) => t);
}

export function nodeConditions(thresholds: Threshold[]): PressureCondition[] {
  const out: PressureCondition[] = [];
  for (const t of thresholds) {
    const c = SIGNAL_TO_CONDITION[t.signal];
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

export function nodeConditionsLastObservedAt(conditions: PressureCondition[], last: Map<PressureCondition, number>, now: number): Map<PressureCondition, number> {
  const out = new Map<PressureCondition, number>(conditions.map((c) => [c, now]));
  for (const [c, at] of last) if (!out.has(c)) out.set(c, at);
  return out;
}

export function nodeConditionsObservedSince(observedAt: Map<PressureCondition, number>, periodMs: number, now: number): PressureCondition[] {
  return [...observedAt].filter(([, at]) => now - at < periodMs).map(([c]) => c);
}

/** mergeThresholds without duplicates (same signal, operator, value and grace period). */
export function mergeThresholds(a: Threshold[], b: Threshold[]): Threshold[] {
  const out = [...a];
  for (const t of b) {
    const dup = out.some((x) => x.signal === t.signal && x.operator === t.operator && x.gracePeriodMs === t.gracePeriodMs && sameThresholdValue(x.value, t.value));
    if (!dup) out.push(t);
  }
  return out;
}

/** byEvictionPriority: memory signals first, thresholds with no reclaimable resource last. */
export function sortByEvictionPriority(thresholds: Threshold[]): Threshold[] {
  const rank = (t: Threshold): number => (t.signal === 'memory.available' || t.signal === 'allocatableMemory.available' ? 0 : 1);
  return [...thresholds].sort((a, b) => rank(a) - rank(b));
}
