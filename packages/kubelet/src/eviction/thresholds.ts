// Eviction signals and thresholds (pkg/kubelet/eviction/api and helpers.go ParseThresholdConfig):
// hard thresholds act at once, soft ones after their grace period; minimum reclaim widens the gap
// that must open before a met threshold counts as resolved.
import { formatQuantity, newQuantity, parseQuantity, type Quantity } from './quantity.js';
import { parseDuration } from '@kube-ts/client';
/** Go's time.ParseDuration in ms (kept under its old name for callers). */
export { parseDuration as parseGoDuration } from '@kube-ts/client';

export type Signal =
  | 'memory.available'
  | 'allocatableMemory.available'
  | 'nodefs.available'
  | 'nodefs.inodesFree'
  | 'imagefs.available'
  | 'imagefs.inodesFree'
  | 'containerfs.available'
  | 'containerfs.inodesFree'
  | 'pid.available';

export type ResourceName = 'memory' | 'ephemeral-storage' | 'inodes' | 'pids';
export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

export const SIGNAL_TO_RESOURCE: Record<Signal, ResourceName> = {
  'memory.available': 'memory',
  'allocatableMemory.available': 'memory',
  'nodefs.available': 'ephemeral-storage',
  'nodefs.inodesFree': 'inodes',
  'imagefs.available': 'ephemeral-storage',
  'imagefs.inodesFree': 'inodes',
  'containerfs.available': 'ephemeral-storage',
  'containerfs.inodesFree': 'inodes',
  'pid.available': 'pids',
};

export const SIGNAL_TO_CONDITION: Record<Signal, PressureCondition> = {
  'memory.available': 'MemoryPressure',
  'allocatableMemory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
  'containerfs.available': 'DiskPressure',
  'containerfs.inodesFree': 'DiskPressure',
  'pid.available': 'PIDPressure',
};

/** An absolute quantity, or a fraction of capacity (float32 as upstream). */
export interface ThresholdValue { quantity?: Quantity; percentage: number }

export interface Threshold {
  signal: Signal;
  operator: 'LessThan';
  value: ThresholdValue;
  /** ms; 0 = hard threshold. */
  gracePeriodMs: number;
  minReclaim?: ThresholdValue;
}

export interface EvictionConfig {
  evictionHard: Record<string, string>;
  evictionSoft: Record<string, string>;
  evictionSoftGracePeriod: Record<string, string>;
  evictionPressureTransitionPeriodMs: number;
  evictionMinimumReclaim: Record<string, string>;
  evictionMaxPodGracePeriod: number;
  /** LocalStorageCapacityIsolation (default true): evict pods over their ephemeral-storage / emptyDir limits. */
  localStorageCapacityIsolation?: boolean;
}

/** KubeletConfiguration defaults (Linux). */
export const DEFAULT_EVICTION_HARD: Readonly<Record<string, string>> = {
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
};
export const DEFAULT_PRESSURE_TRANSITION_PERIOD_MS = 5 * 60_000;

export const isSignal = (s: string): s is Signal => Object.prototype.hasOwnProperty.call(SIGNAL_TO_RESOURCE, s);
const unsupported = (s: string): Error => new Error(`unsupported eviction signal ${s}`);

/** strconv.ParseFloat(trimmed, 32) / 100, as a float32. */
function parsePercentage(input: string): number {
  const t = input.replace(/%+$/, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new Error(`strconv.ParseFloat: parsing "${t}": invalid syntax`);
  return Math.fround(Math.fround(Number(t)) / 100);
}


/** Accepts the config-file form ("100Mi") and the flag form ("<100Mi"). */
const stripOperator = (v: string): string => v.trim().replace(/^</, '');

function parseStatement(signal: string, raw: string): Threshold | undefined {
  if (!isSignal(signal)) throw unsupported(signal);
  const val = stripOperator(raw);
  if (val.endsWith('%')) {
    if (val === '0%' || val === '100%') return undefined;
    const percentage = parsePercentage(val);
    if (percentage < 0) throw new Error(`eviction percentage threshold ${signal} must be >= 0%: ${val}`);
    if (percentage > 1) throw new Error(`eviction percentage threshold ${signal} must be <= 100%: ${val}`);
    return { signal, operator: 'LessThan', value: { percentage }, gracePeriodMs: 0 };
  }
  const quantity = parseQuantity(val);
  if (quantity.nanos <= 0n) throw new Error(`eviction threshold ${signal} must be positive: ${formatQuantity(quantity)}`);
  return { signal, operator: 'LessThan', value: { quantity, percentage: 0 }, gracePeriodMs: 0 };
}

function parseMinReclaim(signal: string, raw: string): ThresholdValue {
  if (!isSignal(signal)) throw unsupported(signal);
  const val = raw.trim();
  if (val.endsWith('%')) {
    const percentage = parsePercentage(val);
    if (percentage <= 0) throw new Error(`eviction percentage minimum reclaim ${signal} must be positive: ${val}`);
    return { percentage };
  }
  const quantity = parseQuantity(val);
  if (quantity.nanos < 0n) throw new Error(`negative eviction minimum reclaim specified for ${signal}`);
  return { quantity, percentage: 0 };
}

/** ParseThresholdConfig: hard thresholds, then soft ones (each needs a grace period), min-reclaims attached. */
export function parseThresholds(cfg: EvictionConfig): Threshold[] {
  const results: Threshold[] = [];
  for (const [signal, v] of Object.entries(cfg.evictionHard ?? {})) {
    const t = parseStatement(signal, v);
    if (t) results.push(t);
  }
  const soft: Threshold[] = [];
  for (const [signal, v] of Object.entries(cfg.evictionSoft ?? {})) {
    const t = parseStatement(signal, v);
    if (t) soft.push(t);
  }
  const grace = new Map<string, number>();
  for (const [signal, v] of Object.entries(cfg.evictionSoftGracePeriod ?? {})) {
    if (!isSignal(signal)) throw unsupported(signal);
    const ms = parseDuration(v.trim());
    if (ms < 0) throw new Error(`invalid eviction grace period specified: ${v}, must be a positive value`);
    grace.set(signal, ms);
  }
  const reclaims = new Map<string, ThresholdValue>();
  for (const [signal, v] of Object.entries(cfg.evictionMinimumReclaim ?? {})) reclaims.set(signal, parseMinReclaim(signal, v));
  for (const t of soft) {
    const ms = grace.get(t.signal);
    if (ms === undefined) throw new Error(`grace period must be specified for the soft eviction threshold ${t.signal}`);
    t.gracePeriodMs = ms;
  }
  results.push(...soft);
  for (const t of results) {
    const r = reclaims.get(t.signal);
    if (r) t.minReclaim = r;
  }
  return results;
}

export const isHardThreshold = (t: Threshold): boolean => t.gracePeriodMs === 0;

/** GetThresholdQuantity: the absolute value, or percentage of capacity (BinarySI, truncated). */
export function thresholdQuantity(v: ThresholdValue, capacity: Quantity): Quantity {
  if (v.quantity) return v.quantity;
  const cap = Number(capacity.nanos / 1_000_000_000n);
  return newQuantity(Math.trunc(cap * v.percentage), 'BinarySI');
}

export function sameThresholdValue(a: ThresholdValue, b: ThresholdValue): boolean {
  if (a.quantity || b.quantity) return !!a.quantity && !!b.quantity && a.quantity.nanos === b.quantity.nanos;
  return a.percentage === b.percentage;
}

export function formatThreshold(t: Threshold): string {
  const v = t.value.quantity ? formatQuantity(t.value.quantity) : `${Math.round(t.value.percentage * 10000) / 100}%`;
  return `threshold(signal=${t.signal}, operator=${t.operator}, value=${v}, gracePeriod=${t.gracePeriodMs / 1000}s)`;
}
