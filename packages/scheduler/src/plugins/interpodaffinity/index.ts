// The InterPodAffinity plugin (upstream pkg/scheduler/framework/plugins/interpodaffinity):
// required pod (anti-)affinity in Filter, preferred terms in Score, with the symmetric checks of
// existing pods' terms against the incoming pod.
import type { Node, Pod } from '@kube-ts/client/types';
import type { CycleState } from '../../framework/cyclestate.js';
import { ActionType, type ClusterEventWithHint, type QueueingHint } from '../../framework/events.js';
import type {
  EnqueueExtensions, FilterPlugin, Handle, NodeScore, PluginFactory, PreFilterExtensions, PreFilterPlugin,
  PreFilterResult, PreScorePlugin, ScoreExtensions, ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { PodInfo } from '../../framework/podinfo.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import { PRE_FILTER_STATE_KEY, PreFilterState, computePreFilterState, filterNode, getPreFilterState } from './filtering.js';
import { PRE_SCORE_STATE_KEY, computePreScoreState, getPreScoreState, normalize, scoreNode, type ScoringArgs } from './scoring.js';
import { memoNsLabels, nodeLabels, podMatchesAllAffinityTerms } from './terms.js';

export const Name = 'InterPodAffinity';

export type InterPodAffinityArgs = ScoringArgs;

/** Applies upstream's v1 defaults (hardPodAffinityWeight 1) and validation. */
export function parseInterPodAffinityArgs(raw: Record<string, unknown> | undefined): InterPodAffinityArgs {
  const w = raw?.['hardPodAffinityWeight'] ?? 1;
  const ignore = raw?.['ignorePreferredTermsOfExistingPods'] ?? false;
  if (typeof w !== 'number' || !Number.isInteger(w)) throw new Error(`hardPodAffinityWeight: Invalid value: ${JSON.stringify(w)}: must be an integer`);
  if (typeof ignore !== 'boolean') throw new Error(`ignorePreferredTermsOfExistingPods: Invalid value: ${JSON.stringify(ignore)}: must be a boolean`);
  if (w < 0 || w > 100) throw new Error(`hardPodAffinityWeight: Invalid value: ${w}: not in valid range [0, 100]`);
  return { hardPodAffinityWeight: w, ignorePreferredTermsOfExistingPods: ignore };
}

export class InterPodAffinity implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
  readonly name = Name;

  constructor(readonly args: InterPodAffinityArgs, private readonly handle: Handle) {}

  private nsLabelsOf = (ns: string): Record<string, string> | undefined => this.handle.namespaceLabels(ns);

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: MaybeStatus } {
    const withAnti = this.handle.snapshot().havePodsWithRequiredAntiAffinityList();
    const s = computePreFilterState(pod, nodes, withAnti, memoNsLabels(this.nsLabelsOf));
    if (!s) return { status: Status.skip() };
    state.write(PRE_FILTER_STATE_KEY, s);
    return { status: null };
  }

  preFilterExtensions(): PreFilterExtensions { return this; }

  addPod(state: CycleState, _podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    return this.update(state, podInfoToAdd, nodeInfo.node, 1);
  }

  removePod(state: CycleState, _podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    return this.update(state, podInfoToRemove, nodeInfo.node, -1);
  }

  private update(state: CycleState, pi: PodInfo, node: Node | undefined, multiplier: 1 | -1): MaybeStatus {
    const s = getPreFilterState(state);
    if (s instanceof PreFilterState) {
      s.updateWithPod(pi, node, multiplier);
      return null;
    }
    // Nothing to update when PreFilter skipped this plugin for the cycle.
    return state.skipFilterPlugins.has(Name) ? null : s;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = getPreFilterState(state);
    return s instanceof PreFilterState ? filterNode(s, nodeInfo) : s;
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): MaybeStatus {
    const snap = this.handle.snapshot();
    const s = computePreScoreState(pod, snap.list(), snap.havePodsWithAffinityList(), memoNsLabels(this.nsLabelsOf), this.args);
    if (!s) return Status.skip();
    state.write(PRE_SCORE_STATE_KEY, s);
    return null;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const s = getPreScoreState(state);
    if (s instanceof Status) return { score: 0, status: s };
    return { score: scoreNode(s, nodeInfo), status: null };
  }

  scoreExtensions(): ScoreExtensions { return this; }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    const s = getPreScoreState(state);
    if (s instanceof Status) return s;
    normalize(s, scores);
    return null;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // Add: an assigned pod may satisfy affinity; Delete: removes a blocking anti-affinity match;
      // UpdatePodLabel: a label change can do either.
      { event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete }, hint: (p, o, n) => this.isSchedulableAfterPodChange(p, o, n) },
      // UpdateNodeTaint covers nodes added not-ready whose NodeAdd was filtered (upstream #110175).
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint }, hint: (p, _o, n) => this.isSchedulableAfterNodeChange(p, n) },
    ];
  }

  isSchedulableAfterPodChange(pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
    const oldPod = oldObj as Pod | undefined;
    const newPod = newObj as Pod | undefined;
    if ((newPod && !newPod.spec.nodeName) || (oldPod && !oldPod.spec.nodeName)) return 'QueueSkip';
    const pi = new PodInfo(pod);
    const ns = memoNsLabels(this.nsLabelsOf);
    const matchesAffinity = (p: Pod): boolean => podMatchesAllAffinityTerms(pi.requiredAffinityTerms, p, ns);
    const matchesAnti = (p: Pod): boolean => podMatchesAllAffinityTerms(pi.requiredAntiAffinityTerms, p, ns);
    if (oldPod && newPod) {
      if (!matchesAffinity(oldPod) && matchesAffinity(newPod)) return 'Queue';
      if (matchesAnti(oldPod) && !matchesAnti(newPod)) return 'Queue';
      return 'QueueSkip';
    }
    if (newPod) return matchesAffinity(newPod) ? 'Queue' : 'QueueSkip';
    if (oldPod) return matchesAnti(oldPod) ? 'Queue' : 'QueueSkip';
    return 'Queue';
  }

  isSchedulableAfterNodeChange(pod: Pod, newObj: unknown): QueueingHint {
    const labels = nodeLabels(newObj as Node | undefined);
    const pi = new PodInfo(pod);
    for (const t of [...pi.requiredAffinityTerms, ...pi.requiredAntiAffinityTerms]) if (t.topologyKey in labels) return 'Queue';
    return 'QueueSkip';
  }
}

export const InterPodAffinityFactory: PluginFactory = (args, handle) => new InterPodAffinity(parseInterPodAffinityArgs(args), handle);

export {
  ErrReasonAffinityRulesNotMatch, ErrReasonAntiAffinityRulesNotMatch, ErrReasonExistingAntiAffinityRulesNotMatch,
} from './filtering.js';
