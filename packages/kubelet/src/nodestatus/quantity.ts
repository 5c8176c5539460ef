// resource.Quantity formatting for the node's capacity/allocatable as upstream prints them
// (BinarySI for memory/storage/hugepages: "8148216Ki"; DecimalSI for cpu/pods: "2", "1900m"),
// and the allocatable arithmetic: capacity - (systemReserved + kubeReserved + hard eviction).
import { milliValue, value as quantityValue, type ResourceList } from '@kube-ts/client';

const BIN_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DEC_SUFFIX = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Canonical BinarySI of a whole number of bytes: the largest power of 1024 that divides it. */
export function formatBinarySI(bytes: number): string {
  let v = Math.trunc(bytes);
  if (v === 0) return '0';
  let i = 0;
  while (i < BIN_SUFFIX.length - 1 && v % 1024 === 0) { v /= 1024; i++; }
  return `${v}${BIN_SUFFIX[i]}`;
}

/** Canonical DecimalSI of a milli-value: "1900m", "2", "110", "1k". */
export function formatDecimalSIMilli(milli: number): string {
  const m = Math.trunc(milli);
  if (m === 0) return '0';
  if (m % 1000 !== 0) return `${m}m`;
  let v = m / 1000;
  let i = 0;
  while (i < DEC_SUFFIX.length - 1 && v % 1000 === 0) { v /= 1000; i++; }
  return `${v}${DEC_SUFFIX[i]}`;
}

/** cpu counts in millicores; everything else in whole units. */
const isMilliResource = (name: string): boolean => name === 'cpu';
/** Decimal-formatted resources (the rest are bytes, BinarySI). */
const isDecimalResource = (name: string): boolean => name === 'cpu' || name === 'pods' || !(name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-'));

/** A quantity string in this resource's unit (millicores for cpu). */
export function toUnits(name: string, q: string | number): number {
  return isMilliResource(name) ? milliValue(q) : quantityValue(q);
}

/** Formats a value in this resource's unit as upstream's quantity for that resource. */
export function fromUnits(name: string, v: number): string {
  if (isMilliResource(name)) return formatDecimalSIMilli(v);
  return isDecimalResource(name) ? formatDecimalSIMilli(v * 1000) : formatBinarySI(v);
}

/** evictionapi percentage: float32(value)/100 as float32, widened to float64 (10% -> 0.10000000149011612). */
function percentage(s: string): number {
  return Math.fround(Math.fround(Number(s.slice(0, -1))) / 100);
}

/**
 * hardEvictionReservation: memory.available and nodefs.available thresholds ("<" only, as the
 * config maps hold them) reserve memory and ephemeral-storage; a percentage is of capacity.
 */
export function hardEvictionReservation(evictionHard: Record<string, string>, capacity: ResourceList): Record<string, number> {
  const out: Record<string, number> = {};
  const pairs: Array<[string, string]> = [['memory.available', 'memory'], ['nodefs.available', 'ephemeral-storage']];
  for (const [signal, resource] of pairs) {
    const v = evictionHard[signal];
    if (v === undefined || v === '') continue;
    try {
      if (v.endsWith('%')) {
        const cap = capacity[resource];
        out[resource] = cap === undefined ? 0 : Math.trunc(quantityValue(cap) * percentage(v));
      } else {
        out[resource] = quantityValue(v);
      }
    } catch { /* malformed thresholds are the eviction manager's to reject */ }
  }
  return out;
}

export interface ReservationInput {
  systemReserved: Record<string, string>;
  kubeReserved: Record<string, string>;
  evictionHard: Record<string, string>;
}

/** GetNodeAllocatableReservation: per capacity resource, the sum of what is held back (units). */
export function allocatableReservation(capacity: ResourceList, r: ReservationInput): Record<string, number> {
  const eviction = hardEvictionReservation(r.evictionHard, capacity);
  const out: Record<string, number> = {};
  for (const k of Object.keys(capacity)) {
    let v = 0;
    for (const src of [r.systemReserved, r.kubeReserved]) {
      const q = src[k];
      if (q !== undefined) v += toUnits(k, q);
    }
    v += eviction[k] ?? 0;
    if (v !== 0) out[k] = v;
  }
  return out;
}

/** MachineInfo's allocatable: capacity - reservation (never negative), hugepages taken from memory. */
export function computeAllocatable(capacity: ResourceList, reservation: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, q] of Object.entries(capacity)) {
    out[k] = fromUnits(k, Math.max(0, toUnits(k, q) - (reservation[k] ?? 0)));
  }
  if (out.memory !== undefined) {
    let mem = toUnits('memory', out.memory);
    for (const [k, q] of Object.entries(capacity)) if (k.startsWith('hugepages-')) mem -= toUnits(k, q);
    out.memory = fromUnits('memory', Math.max(0, mem));
  }
  return out;
}

/** Quantity maps equal by value (Semantic.DeepEqual on ResourceList). */
export function resourceListsEqual(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const x = a![k];
    const y = b?.[k];
    if (y === undefined) return false;
    try { if (milliValue(String(x)) !== milliValue(String(y))) return false; } catch { if (String(x) !== String(y)) return false; }
  }
  return true;
}
