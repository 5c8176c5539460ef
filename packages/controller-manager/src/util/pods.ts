// Pod state as controllers judge it (pkg/api/v1/pod and controller_utils.go).
import { metaTime } from '@kube-ts/client/events';
import type { OwnerReference, Pod, PodCondition, KubeObject } from '@kube-ts/client/types';

export function podCondition(p: Pod, type: string): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(p: Pod): boolean { return podCondition(p, 'Ready')?.status === 'True'; }

/** Ready for at least minReadySeconds by `nowMs` (podutil.IsPodAvailable). */
export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = podCondition(p, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(t) && t + minReadySeconds * 1000 <= nowMs;
}

export function isPodTerminal(p: Pod): boolean { return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'; }

/** Not terminal and not being deleted (controller.IsPodActive). */
export function isPodActive(p: Pod): boolean { return !isPodTerminal(p) && !p.metadata.deletionTimestamp; }

export function isPodTerminating(p: Pod): boolean { return !isPodTerminal(p) && !!p.metadata.deletionTimestamp; }

export function controllerRefOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readySince(p: Pod): number {
  const c = podCondition(p, 'Ready');
  return c?.status === 'True' && c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : Number.POSITIVE_INFINITY;
}

function restarts(p: Pod): number {
  const cs = (p.status?.containerStatuses ?? []) as Array<{ restartCount?: number }>;
  return cs.reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0);
}

/**
 * Orders pods so the ones to delete first come first (controller.ActivePods.Less, what the Job
 * controller sorts by): unassigned before assigned, Pending < Unknown < Running, not ready before
 * ready, ready for a shorter time first, more restarts first, newer first. ReplicaSets use the
 * ranked, deletion-cost-aware order in controllers/replicaset/deletion.ts instead.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const an = a.spec.nodeName ? 1 : 0; const bn = b.spec.nodeName ? 1 : 0;
  if (an !== bn) return an - bn;
  const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0; const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = isPodReady(a) ? 1 : 0; const br = isPodReady(b) ? 1 : 0;
  if (ar !== br) return ar - br;
  if (ar === 1) {
    const ta = readySince(a); const tb = readySince(b);
    if (ta !== tb) return tb - ta;
  }
  const ra = restarts(a); const rb = restarts(b);
  if (ra !== rb) return rb - ra;
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || 0; const cb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  return cb - ca;
}

/** metav1.Time in whole seconds (the client's formatter, under the name controllers use). */
export const metaNow = metaTime;
