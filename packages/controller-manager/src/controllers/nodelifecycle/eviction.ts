// When taint eviction deletes a pod (pkg/controller/tainteviction processPodOnNode): a NoExecute
// taint the pod does not tolerate means now; taints tolerated with tolerationSeconds mean that
// long after the taint appeared (the smallest deadline wins); tolerations without
// tolerationSeconds tolerate forever. Upstream counts from the moment the controller notices the
// taint; we count from the taint's timeAdded (the node lifecycle controller stamps it), falling
// back to when we first saw the taint, so a controller restart does not restart the clocks.
import { toleratesTaint } from '@kube-ts/client/labels';
import type { Taint, Toleration } from '@kube-ts/client/types';
import { parseTime } from './health.js';

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/** GetMatchingTolerations: the first toleration of each taint, or undefined if one is not tolerated. */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): Array<{ taint: Taint; toleration: Toleration }> | undefined {
  const out: Array<{ taint: Taint; toleration: Toleration }> = [];
  for (const taint of taints) {
    const toleration = (tolerations ?? []).find((t) => toleratesTaint(t, taint));
    if (!toleration) return undefined;
    out.push({ taint, toleration });
  }
  return out;
}

/** getMinTolerationTime: the smallest tolerationSeconds in ms, 0 for none or <= 0, -1 for forever. */
export function minTolerationMs(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min * 1000;
}

/** `cancel`: no eviction (no taints, or tolerated forever); otherwise delete at `atMs`. */
export type EvictionDecision = { kind: 'cancel' } | { kind: 'delete'; atMs: number };

/**
 * The eviction decision for a pod with `tolerations` on a node with these NoExecute `taints`.
 * `since(taint)` is when the taint appeared (its timeAdded, else when it was first seen).
 */
export function decideEviction(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, nowMs: number, since: (t: Taint) => number): EvictionDecision {
  if (taints.length === 0) return { kind: 'cancel' };
  const used = matchingTolerations(taints, tolerations);
  if (!used) return { kind: 'delete', atMs: nowMs };
  let at = Number.POSITIVE_INFINITY;
  for (const { taint, toleration } of used) {
    const ms = minTolerationMs([toleration]);
    if (ms < 0) continue;
    at = Math.min(at, Math.min(since(taint), nowMs) + ms);
  }
  return at === Number.POSITIVE_INFINITY ? { kind: 'cancel' } : { kind: 'delete', atMs: at };
}

/** The taint's timeAdded in ms, or undefined when it has none (or it does not parse). */
export function taintAddedMs(t: Taint): number | undefined {
  const ms = parseTime(t.timeAdded);
  return Number.isNaN(ms) ? undefined : ms;
}
