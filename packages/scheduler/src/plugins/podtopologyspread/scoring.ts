// PodTopologySpread PreScore/Score/NormalizeScore (upstream podtopologyspread/scoring.go): for
// ScheduleAnyway constraints, nodes in domains with fewer matching pods score higher.
import type { Pod } from '@kube-ts/client/types';
import type { StateData } from '../../framework/cyclestate.js';
import type { NodeScore } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { MAX_NODE_SCORE } from '../../framework/status.js';
import { RequiredNodeAffinity } from '../nodeaffinity.js';
import { countPodsMatchSelector, LABEL_HOSTNAME, matchNodeInclusionPolicies, nodeLabelsMatchSpreadConstraints, type SpreadConstraint } from './common.js';

const INVALID_SCORE = -1;

export class PreScoreState implements StateData {
  /** Nodes missing some constraint's topology key: scored 0. */
  readonly ignoredNodes = new Set<string>();
  /** Per constraint: topology value -> matching pods (hostname constraints are counted in Score). */
  topologyValueToPodCounts: Array<Map<string, number>> = [];
  /** Per constraint: log(domains + 2), so that counts in many small domains are not watered down. */
  topologyNormalizingWeight: number[] = [];

  constructor(readonly constraints: SpreadConstraint[]) {}

  /** Read-only after PreScore, so clones share it. */
  clone(): StateData { return this; }
}

export function topologyNormalizingWeight(size: number): number { return Math.log(size + 2); }

/** maxSkew-1 is added so that differences between domains are tolerated as maxSkew grows. */
function scoreForCount(cnt: number, maxSkew: number, weight: number): number { return cnt * weight + (maxSkew - 1); }

/**
 * Builds the state for `filteredNodes`, counting matching pods over `allNodes`.
 * requireAllTopologies is false only for system-default constraints, so nodes without a zone
 * label still get hostname spreading.
 */
export function calPreScoreState(pod: Pod, constraints: SpreadConstraint[], filteredNodes: NodeInfo[], allNodes: NodeInfo[], requireAllTopologies: boolean): PreScoreState {
  const s = new PreScoreState(constraints);
  s.topologyValueToPodCounts = constraints.map(() => new Map<string, number>());
  for (const ni of filteredNodes) {
    const labels = ni.node?.metadata.labels;
    if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
      s.ignoredNodes.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const m = s.topologyValueToPodCounts[i]!;
      const v = labels?.[c.topologyKey] ?? '';
      if (!m.has(v)) m.set(v, 0);
    });
  }
  s.topologyNormalizingWeight = constraints.map((c, i) => {
    const size = c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - s.ignoredNodes.size : s.topologyValueToPodCounts[i]!.size;
    return topologyNormalizingWeight(size);
  });

  const required = new RequiredNodeAffinity(pod);
  const ns = pod.metadata.namespace ?? '';
  for (const ni of allNodes) {
    const node = ni.node;
    if (!node) continue;
    if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(node.metadata.labels, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
      const v = node.metadata.labels?.[c.topologyKey] ?? '';
      const m = s.topologyValueToPodCounts[i]!;
      // Only domains of candidate nodes are counted (never hostname: see Score).
      if (!m.has(v)) return;
      m.set(v, m.get(v)! + countPodsMatchSelector(ni.pods, c, ns));
    });
  }
  return s;
}

/** The raw score: matching pods in the node's domains, weighted; lower is better. */
export function scoreNode(s: PreScoreState, pod: Pod, nodeInfo: NodeInfo): number {
  if (s.ignoredNodes.has(nodeInfo.name)) return 0;
  const labels = nodeInfo.node?.metadata.labels ?? {};
  let score = 0;
  s.constraints.forEach((c, i) => {
    if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return;
    const cnt = c.topologyKey === LABEL_HOSTNAME
      ? countPodsMatchSelector(nodeInfo.pods, c, pod.metadata.namespace ?? '')
      : s.topologyValueToPodCounts[i]!.get(labels[c.topologyKey]!) ?? 0;
    score += scoreForCount(cnt, c.maxSkew, s.topologyNormalizingWeight[i]!);
  });
  return Math.round(score);
}

/** Reverses and scales: the fewest matching pods get 100; ignored nodes get 0. */
export function normalizeScores(s: PreScoreState, scores: NodeScore[]): void {
  let minScore = Number.MAX_SAFE_INTEGER;
  let maxScore = 0;
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) {
      sc.score = INVALID_SCORE;
      continue;
    }
    minScore = Math.min(minScore, sc.score);
    maxScore = Math.max(maxScore, sc.score);
  }
  for (const sc of scores) {
    if (sc.score === INVALID_SCORE) sc.score = 0;
    else if (maxScore === 0) sc.score = MAX_NODE_SCORE;
    else sc.score = Math.trunc((MAX_NODE_SCORE * (maxScore + minScore - sc.score)) / maxScore);
  }
}
