// Which pods a ReplicaSet deletes first when scaling down (ActivePodsWithRanks.Less with the
// PodDeletionCost and LogarithmicScaleDown features on, as in 1.32). Not util's
// compareForDeletion: that is upstream's unranked ActivePods order (the Job controller's), without
// the deletion-cost annotation and the log-scale timestamp buckets.
import type { Pod } from '@kube-ts/client/types';
import { isPodActive, isPodReady, podCondition } from '../../util/pods.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** The pod-deletion-cost annotation; an absent or malformed value counts as 0 (as upstream ignores the error). */
export function deletionCost(p: Pod): number {
  const v = p.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function readyTime(p: Pod): number {
  const c = podCondition(p, 'Ready');
  return c?.status === 'True' && c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
}

function maxRestarts(p: Pod): { regular: number; sidecar: number } {
  type CS = { name?: string; restartCount?: number };
  let regular = 0;
  for (const c of (p.status?.containerStatuses ?? []) as CS[]) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set(((p.spec.initContainers ?? []) as Array<{ name: string; restartPolicy?: string }>)
    .filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecar = 0;
  for (const c of (p.status?.initContainerStatuses ?? []) as CS[]) if (sidecars.has(c.name ?? '')) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return { regular, sidecar };
}

/** floor(log2(age in ns)), -1 for a non-positive age: pods in one bucket are "the same age". */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** afterOrZero: a zero time sorts first, otherwise the later time. */
function afterOrZero(a: number, b: number): boolean {
  if (!a || !b) return !a;
  return a > b;
}

function timeLess(a: number, b: number, now: number, ua: string, ub: string): boolean {
  if (!now || !a || !b) return afterOrZero(a, b);
  const diff = logRank(a, now) - logRank(b, now);
  if (diff === 0) return ua < ub;
  return diff < 0;
}

/** True when `a` should be deleted before `b`; rank = active related pods on the pod's node. */
export function deleteBefore(a: Pod, b: Pod, rankA: number, rankB: number, now: number): boolean {
  const na = a.spec.nodeName ?? ''; const nb = b.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const pa = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0; const pb = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  const ra = isPodReady(a); const rb = isPodReady(b);
  if (ra !== rb) return !ra;
  const ca = deletionCost(a); const cb = deletionCost(b);
  if (ca !== cb) return ca < cb;
  if (rankA !== rankB) return rankA > rankB;
  const ua = a.metadata.uid ?? ''; const ub = b.metadata.uid ?? '';
  if (ra && rb) {
    const ta = readyTime(a); const tb = readyTime(b);
    if (ta !== tb) return timeLess(ta, tb, now, ua, ub);
  }
  const xa = maxRestarts(a); const xb = maxRestarts(b);
  if (xa.regular !== xb.regular) return xa.regular > xb.regular;
  if (xa.sidecar !== xb.sidecar) return xa.sidecar > xb.sidecar;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0; const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return timeLess(ta, tb, now, ua, ub);
  return false;
}

/**
 * getPodsToDelete: the first `diff` of `pods` in deletion order, ranking each by how many active
 * pods related to the owner (all ReplicaSets of the same Deployment) share its node.
 */
export function podsToDelete(pods: Pod[], related: Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec.nodeName ?? '', (onNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((p) => ({ p, r: onNode.get(p.spec.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => (deleteBefore(x.p, y.p, x.r, y.r, now) ? -1 : deleteBefore(y.p, x.p, y.r, x.r, now) ? 1 : 0));
  return ranked.slice(0, diff).map((x) => x.p);
}
