// Which pods PodGC removes (upstream podgc/gc_controller.go), as pure functions over the caches.
import type { Node, Pod } from '@kube-ts/client/types';

export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/** Not Pending, Running or Unknown (upstream isPodTerminated: an empty phase counts as terminated). */
export function isPodTerminated(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

export function isPodEvicted(p: Pod): boolean {
  return p.status?.phase === 'Failed' && p.status.reason === 'Evicted';
}

/** Evicted pods first, then oldest creationTimestamp, then name. */
export function byEvictionAndCreationTimestamp(a: Pod, b: Pod): number {
  const ea = isPodEvicted(a); const eb = isPodEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? ''; const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Terminated pods beyond `threshold`, the ones to delete first first; none when threshold <= 0. */
export function terminatedPodsToDelete(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const n = terminated.length - threshold;
  if (n <= 0) return [];
  return terminated.sort(byEvictionAndCreationTimestamp).slice(0, n);
}

function isNodeReady(n: Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Terminating pods on NotReady nodes tainted node.kubernetes.io/out-of-service. */
export function terminatingPodsOnOutOfServiceNodes(pods: Pod[], nodeByName: (name: string) => Node | undefined): Pod[] {
  const out: Pod[] = [];
  for (const p of pods) {
    if (!p.metadata.deletionTimestamp) continue;
    const node = nodeByName(p.spec.nodeName ?? '');
    if (!node) continue;
    if (!isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE)) out.push(p);
  }
  return out.sort(byEvictionAndCreationTimestamp);
}

/** Terminating pods never bound to a node (no kubelet will ever finish them). */
export function unscheduledTerminatingPods(pods: Pod[]): Pod[] {
  return pods.filter((p) => !!p.metadata.deletionTimestamp && !p.spec.nodeName);
}

/** Node names pods are bound to that the node cache does not have. */
export function missingNodeNames(pods: Pod[], existing: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const p of pods) if (p.spec.nodeName && !existing.has(p.spec.nodeName)) out.add(p.spec.nodeName);
  return out;
}
