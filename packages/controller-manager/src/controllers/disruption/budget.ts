// The PodDisruptionBudget arithmetic of pkg/controller/disruption (getExpectedPodCount,
// buildDisruptedPodMap, countHealthyPods, updatePdbStatus) as pure functions over the pods and
// the scales of their controllers.
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { IntOrString } from '@kube-ts/client/workloads';
import { controllerRefOf, isPodReady, metaNow } from '../../util/pods.js';
import { DISRUPTION_ALLOWED, INSUFFICIENT_PODS, SUFFICIENT_PODS, type MetaCondition, type PodDisruptionBudget, type PodDisruptionBudgetStatus } from './types.js';

/** How long a pod the eviction API reported as disrupted is counted as gone before it is deleted. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export interface ControllerAndScale { uid: string; scale: number }

/** A podControllerFinder: the scale of the controller `ref` names, undefined when not its kind. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => ControllerAndScale | undefined;

/** intstr.GetScaledValueFromIntOrPercent (strict: a string must be a percentage). */
export function scaledIntOrPercent(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** verifyGroupKind: does the reference name `kind` in one of `groups`? Throws on a bad apiVersion. */
export function verifyGroupKind(ref: OwnerReference, kind: string, groups: readonly string[]): boolean {
  const parts = ref.apiVersion.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new Error(`unexpected GroupVersion string: ${ref.apiVersion}`);
  const group = parts.length === 2 ? parts[0]! : '';
  return ref.kind === kind && groups.includes(group);
}

/** getExpectedScale: the sum of the scales of the controllers owning `pods`. */
export function expectedScale(pods: readonly Pod[], finders: readonly ScaleFinder[]): { expectedCount: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) { unmanagedPods.push(pod.metadata.name!); continue; }
    if (scales.has(ref.uid)) continue;
    let found: ControllerAndScale | undefined;
    for (const f of finders) {
      found = f(ref, pod.metadata.namespace!);
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name!}"`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const s of scales.values()) expectedCount += s;
  return { expectedCount, unmanagedPods };
}

/** getExpectedPodCount: how many pods there should be and how many must stay healthy. */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], finders: readonly ScaleFinder[]): { expectedCount: number; desiredHealthy: number; unmanagedPods: string[] } {
  const { maxUnavailable, minAvailable } = pdb.spec;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = expectedScale(pods, finders);
    const maxU = scaledIntOrPercent(maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxU), unmanagedPods };
  }
  if (minAvailable !== undefined && minAvailable !== null) {
    if (typeof minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = expectedScale(pods, finders);
    return { expectedCount, desiredHealthy: scaledIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * buildDisruptedPodMap: the disrupted pods still waiting for their deletion (within
 * DELETION_TIMEOUT_MS), when to look again, and the pods that overstayed (NotDeleted events).
 */
export function buildDisruptedPodMap(pods: readonly Pod[], pdb: PodDisruptionBudget, nowMs: number): { disrupted: Record<string, string>; recheckAtMs?: number; notDeleted: Pod[] } {
  const was = pdb.status?.disruptedPods;
  const disrupted: Record<string, string> = {};
  const notDeleted: Pod[] = [];
  let recheckAtMs: number | undefined;
  if (!was) return { disrupted, notDeleted };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const t = was[pod.metadata.name!];
    if (t === undefined) continue;
    const expectedDeletion = Date.parse(t) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < nowMs) {
      notDeleted.push(pod);
    } else {
      if (recheckAtMs === undefined || expectedDeletion < recheckAtMs) recheckAtMs = expectedDeletion;
      disrupted[pod.metadata.name!] = t;
    }
  }
  return { disrupted, recheckAtMs, notDeleted };
}

/** countHealthyPods: Ready pods that are neither being deleted nor recently disrupted. */
export function countHealthyPods(pods: readonly Pod[], disrupted: Record<string, string>, nowMs: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const t = disrupted[pod.metadata.name!];
    if (t !== undefined && Date.parse(t) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/** meta.SetStatusCondition: lastTransitionTime moves only when the status changes. */
export function setMetaCondition(conds: readonly MetaCondition[] | undefined, c: Omit<MetaCondition, 'lastTransitionTime'>, nowMs: number): MetaCondition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) return [...list, { ...c, lastTransitionTime: metaNow(nowMs) }];
  const cur = list[i]!;
  list[i] = { ...cur, ...c, lastTransitionTime: cur.status !== c.status ? metaNow(nowMs) : cur.lastTransitionTime };
  return list;
}

/** pdbhelper.ConditionsAreUpToDate. */
export function conditionsUpToDate(pdb: PodDisruptionBudget): boolean {
  const st = pdb.status;
  const cond = st?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond || (st?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if ((st?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}

function sameDisrupted(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a![k] === b[k]);
}

/**
 * updatePdbStatus: the new status, or undefined when the current one is up to date. Nothing is
 * allowed while no pods are expected, so a PDB whose first pods appear before this controller
 * has looked at them is safe.
 */
export function nextPdbStatus(pdb: PodDisruptionBudget, currentHealthy: number, desiredHealthy: number, expectedCount: number, disrupted: Record<string, string>, nowMs: number): PodDisruptionBudgetStatus | undefined {
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status;
  const generation = pdb.metadata.generation ?? 0;
  if (st && st.currentHealthy === currentHealthy && st.desiredHealthy === desiredHealthy && st.expectedPods === expectedCount
    && st.disruptionsAllowed === disruptionsAllowed && sameDisrupted(st.disruptedPods, disrupted)
    && (st.observedGeneration ?? 0) === generation && conditionsUpToDate(pdb)) return undefined;
  const allowed = disruptionsAllowed > 0;
  return {
    currentHealthy, desiredHealthy, expectedPods: expectedCount, disruptionsAllowed, disruptedPods: disrupted, observedGeneration: generation,
    conditions: setMetaCondition(st?.conditions, {
      type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS, message: '', observedGeneration: generation,
    }, nowMs),
  };
}
