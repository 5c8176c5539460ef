// InterPodAffinity PreScore/Score/NormalizeScore (upstream interpodaffinity/scoring.go): PreScore
// sums, per topology pair, the weights of preferred terms that connect the incoming pod with
// existing pods in both directions (plus existing pods' required affinity at hardPodAffinityWeight);
// a node scores the sum over its topology labels, normalized min-max into [0, 100].
import type { Node, Pod } from '@kube-ts/client/types';
import type { CycleState, StateData } from '../../framework/cyclestate.js';
import type { NodeScore } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { PodInfo, type AffinityTerm, type WeightedAffinityTerm } from '../../framework/podinfo.js';
import { MAX_NODE_SCORE, Status } from '../../framework/status.js';
import { existingTermMatches, incomingTermMatches, nodeLabels, type NsLabels, type NsLabelsFn } from './terms.js';

export const PRE_SCORE_STATE_KEY = 'PreScoreInterPodAffinity';

/** topologyKey -> topology value -> summed weight. */
export type ScoreMap = Map<string, Map<string, number>>;

export class PreScoreState implements StateData {
  constructor(readonly topologyScore: ScoreMap) {}
  // Read-only after PreScore, so sharing is safe.
  clone(): PreScoreState { return this; }
}

export interface ScoringArgs {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
}

function processTerm(m: ScoreMap, term: AffinityTerm, weight: number, matches: boolean, node: Node | undefined, multiplier: number): void {
  if (!matches) return;
  const tv = nodeLabels(node)[term.topologyKey];
  if (tv === undefined) return;
  let byValue = m.get(term.topologyKey);
  if (!byValue) m.set(term.topologyKey, (byValue = new Map()));
  byValue.set(tv, (byValue.get(tv) ?? 0) + weight * multiplier);
}

interface Ctx {
  incoming: PodInfo;
  incomingNsLabels: NsLabels;
  nsLabelsOf: NsLabelsFn;
  args: ScoringArgs;
}

function processExistingPod(c: Ctx, existing: PodInfo, node: Node | undefined, m: ScoreMap): void {
  if (Object.keys(nodeLabels(node)).length === 0) return;
  const inc = c.incoming;
  const incomingSelects = (t: WeightedAffinityTerm): boolean => incomingTermMatches(t, existing.pod, c.nsLabelsOf);
  const existingSelects = (t: AffinityTerm): boolean => existingTermMatches(t, inc.pod, c.incomingNsLabels);
  for (const t of inc.preferredAffinityTerms) processTerm(m, t, t.weight, incomingSelects(t), node, 1);
  for (const t of inc.preferredAntiAffinityTerms) processTerm(m, t, t.weight, incomingSelects(t), node, -1);
  if (c.args.hardPodAffinityWeight > 0) {
    for (const t of existing.requiredAffinityTerms) processTerm(m, t, c.args.hardPodAffinityWeight, existingSelects(t), node, 1);
  }
  for (const t of existing.preferredAffinityTerms) processTerm(m, t, t.weight, existingSelects(t), node, 1);
  for (const t of existing.preferredAntiAffinityTerms) processTerm(m, t, t.weight, existingSelects(t), node, -1);
}

/**
 * Computes the PreScore state; null means Skip (nothing to score: no preferred terms on the pod
 * with ignorePreferredTermsOfExistingPods, or no pod pair contributed anything).
 */
export function computePreScoreState(
  pod: Pod, allNodes: NodeInfo[], nodesWithAffinityPods: NodeInfo[], nsLabelsOf: NsLabelsFn, args: ScoringArgs,
): PreScoreState | null {
  const a = pod.spec.affinity;
  const hasConstraints = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0
    || (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  if (args.ignorePreferredTermsOfExistingPods && !hasConstraints) return null;
  // Without preferred terms on the incoming pod only pods with affinity terms can contribute.
  const nodes = hasConstraints ? allNodes : nodesWithAffinityPods;
  const c: Ctx = { incoming: new PodInfo(pod), incomingNsLabels: nsLabelsOf(pod.metadata.namespace ?? ''), nsLabelsOf, args };
  const m: ScoreMap = new Map();
  for (const ni of nodes) {
    for (const ep of hasConstraints ? ni.pods : ni.podsWithAffinity) processExistingPod(c, ep, ni.node, m);
  }
  return m.size === 0 ? null : new PreScoreState(m);
}

export function getPreScoreState(state: CycleState): PreScoreState | Status {
  const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
  if (!(s instanceof PreScoreState)) return Status.error(`failed to read "${PRE_SCORE_STATE_KEY}" from cycleState: not found`);
  return s;
}

/** The raw score: positive for affinity, negative for anti-affinity. */
export function scoreNode(s: PreScoreState, nodeInfo: NodeInfo): number {
  const labels = nodeLabels(nodeInfo.node);
  let score = 0;
  for (const [key, byValue] of s.topologyScore) {
    const v = labels[key];
    if (v !== undefined) score += byValue.get(v) ?? 0;
  }
  return score;
}

/** Min-max normalization into [0, MAX_NODE_SCORE], truncating as Go's int64(float64). */
export function normalize(s: PreScoreState, scores: NodeScore[]): void {
  if (s.topologyScore.size === 0 || scores.length === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const { score } of scores) {
    if (score > max) max = score;
    if (score < min) min = score;
  }
  const diff = max - min;
  for (const ns of scores) ns.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((ns.score - min) / diff)) : 0;
}
