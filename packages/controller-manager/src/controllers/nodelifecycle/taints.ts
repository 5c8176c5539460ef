// Node taints the node lifecycle controller owns (pkg/controller/nodelifecycle and
// pkg/util/taints): the NoExecute not-ready/unreachable pair that drives taint-based eviction,
// and the NoSchedule taints mirroring node conditions (TaintNodesByCondition).
import type { Node, Taint } from '@kube-ts/client/types';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

export const NOT_READY_NOEXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NOEXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

/** nodeConditionToTaintKeyStatusMap: condition type -> status -> taint key. */
const CONDITION_TAINTS: Record<string, Partial<Record<'True' | 'False' | 'Unknown', string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};

/** taintKeyToNodeConditionMap keys: the taints whose NoSchedule form this controller manages. */
const CONDITION_TAINT_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_NETWORK_UNAVAILABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_PID_PRESSURE]);

/** Taint.MatchTaint: same key and effect (value and timeAdded do not matter). */
export function matchTaint(a: Taint, b: Taint): boolean { return a.key === b.key && a.effect === b.effect; }

export function taintExists(taints: readonly Taint[] | undefined, t: Taint): boolean {
  return (taints ?? []).some((x) => matchTaint(x, t));
}

/** The NoSchedule taints a node should carry for its conditions and spec.unschedulable. */
export function desiredNoScheduleTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

/** The node's NoSchedule taints this controller manages (the candidates for removal). */
export function managedNoScheduleTaints(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
}

/** TaintSetDiff: what to add to `current` and remove from it to reach `desired` (by key and effect). */
export function taintSetDiff(desired: readonly Taint[], current: readonly Taint[]): { add: Taint[]; remove: Taint[] } {
  return {
    add: desired.filter((t) => !taintExists(current, t)),
    remove: current.filter((t) => !taintExists(desired, t)),
  };
}

/**
 * The node's taints after adding `add` (replacing a same key+effect taint with another value, as
 * AddOrUpdateTaint) and removing `remove` (by key+effect); undefined when nothing changes. A taint
 * already present with the same value keeps its timeAdded, so a retried swap never restarts the
 * toleration clocks of the pods on the node.
 */
export function applyTaintChanges(taints: readonly Taint[] | undefined, add: readonly Taint[], remove: readonly Taint[]): Taint[] | undefined {
  let list = [...(taints ?? [])];
  let changed = false;
  for (const t of add) {
    const i = list.findIndex((x) => matchTaint(x, t));
    if (i < 0) { list.push({ ...t }); changed = true; continue; }
    const cur = list[i]!;
    if ((cur.value ?? '') === (t.value ?? '')) continue;
    list[i] = { ...t };
    changed = true;
  }
  const before = list.length;
  list = list.filter((x) => !remove.some((r) => matchTaint(x, r)));
  if (list.length !== before) changed = true;
  return changed ? list : undefined;
}
