// Victim selection and candidate ranking for DefaultPreemption (upstream
// defaultpreemption.SelectVictimsOnNode / filterPodsWithPDBViolation and
// framework/preemption.DryRunPreemption / pickOneNodeForPreemption).
import type { Pod, PodDisruptionBudget } from '@kube-ts/client/types';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import type { CycleState } from '../../framework/cyclestate.js';
import type { Handle } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { priorityOf, type PodInfo } from '../../framework/podinfo.js';
import { Code, Status, isSuccess, type MaybeStatus } from '../../framework/status.js';

export interface Candidate {
  name: string;
  /** Ordered by decreasing importance (victims[0] is the highest-priority victim). */
  victims: Pod[];
  numPDBViolations: number;
}

/** util.GetPodStartTime: pods that have not started yet count as starting now. */
export function podStartTime(p: Pod, now: number): number {
  const t = p.status?.startTime ? Date.parse(p.status.startTime) : NaN;
  return Number.isNaN(t) ? now : t;
}

/** util.MoreImportantPod: higher priority first, then the one running longer. */
export function moreImportantPod(a: Pod, b: Pod, now: number): boolean {
  const pa = priorityOf(a);
  const pb = priorityOf(b);
  if (pa !== pb) return pa > pb;
  return podStartTime(a, now) < podStartTime(b, now);
}

function byImportance(now: number): (a: PodInfo, b: PodInfo) => number {
  return (a, b) => (moreImportantPod(a.pod, b.pod, now) ? -1 : moreImportantPod(b.pod, a.pod, now) ? 1 : 0);
}

/**
 * Splits pods (kept in order) into those whose eviction would exceed a matching PDB's
 * disruptionsAllowed and the rest. Pods already listed in status.disruptedPods were counted by the
 * apiserver, so they do not use up the budget again.
 */
export function filterPodsWithPDBViolation(pods: PodInfo[], pdbs: PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of pods) {
    const labels = pi.pod.metadata.labels ?? {};
    let violated = false;
    // A pod without labels matches no PDB.
    if (Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata.namespace ?? '') !== (pi.pod.metadata.namespace ?? '')) return;
        const sel = pdb.spec?.selector;
        // A nil or empty selector matches nothing here (unlike elsewhere).
        if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return;
        if (!labelSelectorMatches(sel, labels)) return;
        if (pdb.status?.disruptedPods && Object.prototype.hasOwnProperty.call(pdb.status.disruptedPods, pi.pod.metadata.name ?? '')) return;
        allowed[i]! -= 1;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pi);
  }
  return { violating, nonViolating };
}

export interface VictimsResult { victims: Pod[]; numPDBViolations: number; status: MaybeStatus }

/**
 * The fewest lower-priority pods to remove from `nodeInfo` (a copy, as is `state`) so `pod` fits:
 * remove them all, check the pod fits, then add back (reprieve) as many as possible, PDB-violating
 * ones first, most important first within each group.
 */
export function selectVictimsOnNode(handle: Handle, state: CycleState, pod: Pod, nodeInfo: NodeInfo, pdbs: PodDisruptionBudget[], now: number): VictimsResult {
  const fail = (status: Status): VictimsResult => ({ victims: [], numPDBViolations: 0, status });
  const removePod = (pi: PodInfo): MaybeStatus => {
    nodeInfo.removePod(pi);
    const s = handle.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
    return isSuccess(s) ? null : Status.error(s!.message());
  };
  const addPod = (pi: PodInfo): MaybeStatus => {
    nodeInfo.addPod(pi);
    const s = handle.runPreFilterExtensionAddPod(state, pod, pi, nodeInfo);
    return isSuccess(s) ? null : Status.error(s!.message());
  };

  const prio = priorityOf(pod);
  const potential: PodInfo[] = [];
  for (const pi of [...nodeInfo.pods]) {
    if (priorityOf(pi.pod) >= prio) continue;
    potential.push(pi);
    const err = removePod(pi);
    if (err) return fail(err);
  }
  // Nothing to remove: the node is as it was when Filter rejected the pod.
  if (potential.length === 0) return fail(Status.unresolvable('No preemption victims found for incoming pod'));

  // Affinity of the pod to the victims themselves is deliberately not considered (as upstream).
  const fits = handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
  if (!isSuccess(fits)) return fail(fits!);

  potential.sort(byImportance(now));
  const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  const reprieve = (pi: PodInfo): { fits: boolean; err: MaybeStatus } => {
    const err = addPod(pi);
    if (err) return { fits: false, err };
    const ok = isSuccess(handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo));
    if (!ok) {
      const rmErr = removePod(pi);
      if (rmErr) return { fits: false, err: rmErr };
      victims.push(pi);
    }
    return { fits: ok, err: null };
  };
  let numPDBViolations = 0;
  for (const pi of violating) {
    const r = reprieve(pi);
    if (r.err) return fail(r.err);
    if (!r.fits) numPDBViolations++;
  }
  for (const pi of nonViolating) {
    const r = reprieve(pi);
    if (r.err) return fail(r.err);
  }
  if (violating.length > 0 && nonViolating.length > 0) victims.sort(byImportance(now));
  return { victims: victims.map((v) => v.pod), numPDBViolations, status: null };
}

export interface DryRunResult {
  candidates: Candidate[];
  /** Why each examined node is not a candidate. */
  nodeStatuses: Map<string, Status>;
  errors: string[];
}

/**
 * Simulates preemption on potentialNodes starting at `offset` (wrapping), stopping once it has
 * numCandidates candidates including at least one that violates no PDB. Non-violating candidates
 * come first in the result.
 */
export function dryRunPreemption(
  handle: Handle, state: CycleState, pod: Pod, potentialNodes: NodeInfo[], pdbs: PodDisruptionBudget[],
  offset: number, numCandidates: number, now: number,
): DryRunResult {
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const nodeStatuses = new Map<string, Status>();
  const errors: string[] = [];
  for (let i = 0; i < potentialNodes.length; i++) {
    const ni = potentialNodes[(offset + i) % potentialNodes.length]!.clone();
    const r = selectVictimsOnNode(handle, state.clone(), pod, ni, pdbs, now);
    let status = r.status;
    if (isSuccess(status) && r.victims.length > 0) {
      const list = r.numPDBViolations === 0 ? nonViolating : violating;
      if (list.length < numCandidates) list.push({ name: ni.name, victims: r.victims, numPDBViolations: r.numPDBViolations });
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
      continue;
    }
    if (isSuccess(status)) status = Status.error(`expected at least one victim pod on node "${ni.name}"`);
    if (status!.code === Code.Error) errors.push(status!.message());
    nodeStatuses.set(ni.name, status!);
  }
  return { candidates: [...nonViolating, ...violating], nodeStatuses, errors };
}

/** util.GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
function earliestStartOfTopVictims(victims: Pod[], now: number): number {
  let maxPrio = priorityOf(victims[0]!);
  let earliest = podStartTime(victims[0]!, now);
  for (const v of victims) {
    const p = priorityOf(v);
    if (p === maxPrio) earliest = Math.min(earliest, podStartTime(v, now));
    else if (p > maxPrio) {
      maxPrio = p;
      earliest = podStartTime(v, now);
    }
  }
  return earliest;
}

/**
 * pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-priority victim, then
 * the smallest sum of priorities, then the fewest victims, then the latest start of the
 * highest-priority victims; remaining ties go to the first candidate.
 */
export function pickOneNodeForPreemption(candidates: Candidate[], now: number): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const scoreFuncs: Array<(c: Candidate) => number> = [
    (c) => -c.numPDBViolations,
    (c) => -priorityOf(c.victims[0]!),
    // Shifting by 2^31 keeps every term positive, so more negative-priority victims never look cheaper.
    (c) => -c.victims.reduce((sum, v) => sum + priorityOf(v) + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => earliestStartOfTopVictims(c.victims, now),
  ];
  let remaining = candidates;
  for (const f of scoreFuncs) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of remaining) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [];
      }
      if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    remaining = selected;
  }
  return remaining[0];
}
