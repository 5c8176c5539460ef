// The DefaultPreemption PostFilter plugin (upstream plugins/defaultpreemption and
// framework/preemption.Evaluator.Preempt, synchronous as in 1.32 with SchedulerAsyncPreemption off):
// when no node fits, find nodes where evicting lower-priority pods would make room, pick the
// cheapest, evict its victims and nominate the pod to it.
import type { Pod } from '@kube-ts/client/types';
import type { CycleState } from '../../framework/cyclestate.js';
import type { ClusterEventWithHint } from '../../framework/events.js';
import type { EnqueueExtensions, Handle, NodeToStatusMap, PluginFactory, PostFilterPlugin, PostFilterResult } from '../../framework/interface.js';
import { priorityOf } from '../../framework/podinfo.js';
import { Code, Status, type MaybeStatus } from '../../framework/status.js';
import { dryRunPreemption, pickOneNodeForPreemption, type Candidate } from './candidates.js';

export const Name = 'DefaultPreemption';

export interface DefaultPreemptionArgs {
  /** Candidates to find as a percentage of the nodes where preemption may help (0-100). */
  minCandidateNodesPercentage: number;
  /** ... and at least this many (both are capped by the number of such nodes). */
  minCandidateNodesAbsolute: number;
}

/** Applies upstream's v1 defaults (10%, 100) and ValidateDefaultPreemptionArgs. */
export function parseDefaultPreemptionArgs(raw: Record<string, unknown> | undefined): DefaultPreemptionArgs {
  const pct = raw?.['minCandidateNodesPercentage'] ?? 10;
  const abs = raw?.['minCandidateNodesAbsolute'] ?? 100;
  for (const [k, v] of [['minCandidateNodesPercentage', pct], ['minCandidateNodesAbsolute', abs]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${k}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
  }
  const p = pct as number;
  const a = abs as number;
  const errs: string[] = [];
  if (p < 0 || p > 100) errs.push(`minCandidateNodesPercentage: Invalid value: ${p}: not in valid range [0, 100]`);
  if (a < 0) errs.push(`minCandidateNodesAbsolute: Invalid value: ${a}: not in valid range [0, inf)`);
  if (p === 0 && a === 0) {
    errs.push('minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute',
      'minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage');
  }
  // utilerrors.Aggregate formatting.
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(', ')}]`);
  return { minCandidateNodesPercentage: p, minCandidateNodesAbsolute: a };
}

export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/**
 * FitError.Error() over the dry run's statuses: nodes without one (preemption was never tried
 * there) count under `absentReason`.
 */
export function preemptionFitMessage(numAllNodes: number, statuses: Map<string, Status>, absentReason: string): string {
  const counts = new Map<string, number>();
  for (const s of statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (statuses.size < numAllNodes) counts.set(absentReason, (counts.get(absentReason) ?? 0) + numAllNodes - statuses.size);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${numAllNodes} nodes are available:${parts.length ? ` ${parts.join(', ')}.` : ''}`;
}

/** A pod being deleted because the scheduler preempted it (DisruptionTarget/PreemptionByScheduler). */
export function podTerminatingByPreemption(p: Pod): boolean {
  if (!p.metadata.deletionTimestamp) return false;
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'DisruptionTarget');
  return c !== undefined && c.status === 'True' && c.reason === 'PreemptionByScheduler';
}

type PostFilterReturn = { result: PostFilterResult | null; status: MaybeStatus };

export class DefaultPreemption implements PostFilterPlugin, EnqueueExtensions {
  readonly name = Name;
  /** Random start offset into the potential nodes (replaceable so tests are deterministic). */
  offsetRand: (n: number) => number = (n) => Math.floor(Math.random() * n);
  /** "Now" for victims without a startTime. */
  now: () => number = Date.now;

  constructor(readonly args: DefaultPreemptionArgs, private readonly handle: Handle) {}

  async postFilter(state: CycleState, pod: Pod, m: NodeToStatusMap): Promise<PostFilterReturn> {
    const r = await this.preempt(state, pod, m);
    const msg = r.status?.message() ?? '';
    if (r.status && msg) return { result: r.result, status: new Status(r.status.code, [`preemption: ${msg}`]) };
    return r;
  }

  /** PodEligibleToPreemptOthers: the reason is '' when eligible. */
  podEligibleToPreemptOthers(pod: Pod, nominatedNodeStatus: Status | undefined): string {
    if (pod.spec.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nom = pod.status?.nominatedNodeName;
    if (!nom) return '';
    // Nodes absent from the map count as UnschedulableAndUnresolvable; then try preempting again.
    if (!nominatedNodeStatus || nominatedNodeStatus.code === Code.UnschedulableAndUnresolvable) return '';
    const ni = this.handle.snapshot().get(nom);
    const prio = priorityOf(pod);
    // Victims of an earlier preemption are still terminating: wait for them instead of evicting more.
    if (ni?.pods.some((p) => priorityOf(p.pod) < prio && podTerminatingByPreemption(p.pod))) {
      return 'not eligible due to a terminating pod on the nominated node.';
    }
    return '';
  }

  /** calculateNumCandidates. */
  numCandidates(numNodes: number): number {
    let n = Math.trunc((numNodes * this.args.minCandidateNodesPercentage) / 100);
    if (n < this.args.minCandidateNodesAbsolute) n = this.args.minCandidateNodesAbsolute;
    return Math.min(n, numNodes);
  }

  private async preempt(state: CycleState, pod: Pod, m: NodeToStatusMap): Promise<PostFilterReturn> {
    const notEligible = this.podEligibleToPreemptOthers(pod, m.get(pod.status?.nominatedNodeName ?? ''));
    if (notEligible) return { result: null, status: Status.unschedulable(notEligible) };

    const allNodes = this.handle.snapshot().list();
    if (allNodes.length === 0) return { result: null, status: Status.error('no nodes available') };
    const potential = allNodes.filter((n) => m.get(n.name)?.code === Code.Unschedulable);
    let candidates: Candidate[] = [];
    let statuses = new Map<string, Status>();
    if (potential.length === 0) {
      // Preemption cannot help anywhere: drop a stale nomination (best effort).
      if (pod.status?.nominatedNodeName) await this.handle.api.clearNominatedNodeName(pod).catch(() => undefined);
    } else {
      const now = this.now();
      const r = dryRunPreemption(this.handle, state, pod, potential, this.handle.pdbs(), this.offsetRand(potential.length), this.numCandidates(potential.length), now);
      if (r.errors.length > 0 && r.candidates.length === 0) {
        return { result: null, status: Status.error(r.errors.length === 1 ? r.errors[0]! : `[${r.errors.join(', ')}]`) };
      }
      candidates = r.candidates;
      statuses = r.nodeStatuses;
    }
    if (candidates.length === 0) {
      return { result: null, status: Status.unschedulable(preemptionFitMessage(allNodes.length, statuses, NOT_HELPFUL)) };
    }
    const best = candidates.length === 1 ? candidates[0] : pickOneNodeForPreemption(candidates, this.now());
    if (!best?.name) return { result: null, status: Status.unschedulable('no candidate node for preemption') };
    const err = await this.prepareCandidate(best, pod);
    if (err) return { result: null, status: err };
    return { result: { nominatedNodeName: best.name }, status: null };
  }

  /** Evicts the victims, then drops nominations of lower-priority pods to the node (they may no longer fit). */
  private async prepareCandidate(c: Candidate, pod: Pod): Promise<MaybeStatus> {
    const { api, recorder } = this.handle;
    try {
      await Promise.all(c.victims.map(async (v) => {
        await api.preemptPod(v, pod, c.name);
        recorder.event(v, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata.uid ?? ''} on node ${c.name}`);
      }));
    } catch (e) {
      return Status.error(e instanceof Error ? e : String(e));
    }
    const prio = priorityOf(pod);
    for (const pi of this.handle.nominatedPodsForNode(c.name)) {
      if (priorityOf(pi.pod) >= prio) continue;
      // Not critical: the pod gets re-evaluated either way.
      await api.clearNominatedNodeName(pi.pod).catch(() => undefined);
    }
    return null;
  }

  /** Synchronous preemption never rejects pods in PreEnqueue, so no events matter to it. */
  eventsToRegister(): ClusterEventWithHint[] { return []; }
}

export const DefaultPreemptionFactory: PluginFactory = (args, handle) => new DefaultPreemption(parseDefaultPreemptionArgs(args), handle);

export { filterPodsWithPDBViolation, moreImportantPod, pickOneNodeForPreemption, selectVictimsOnNode, type Candidate } from './candidates.js';
