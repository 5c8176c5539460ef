// PodTopologySpread PreFilter/Filter (upstream podtopologyspread/filtering.go): count the pods
// matching each DoNotSchedule constraint per topology domain, then reject nodes whose domain
// would exceed maxSkew over the global minimum.
import type { Node, Pod } from '@kube-ts/client/types';
import type { StateData } from '../../framework/cyclestate.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import { RequiredNodeAffinity } from '../nodeaffinity.js';
import { countPodsMatchSelector, matchNodeInclusionPolicies, nodeLabelsMatchSpreadConstraints, selectorMatches, type SpreadConstraint } from './common.js';

export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = `${ErrReasonConstraintsNotMatch} (missing required label)`;

const MAX_INT32 = 2147483647;

interface CriticalPath { topologyValue: string; matchNum: number }

/**
 * The two domains with the fewest matching pods: [0] always holds the minimum, [1] is >= [0]
 * (not necessarily the second minimum). Two suffice because preemption removes pods on one
 * node at a time, from a fresh clone per node.
 */
export class CriticalPaths {
  paths: [CriticalPath, CriticalPath] = [{ topologyValue: '', matchNum: MAX_INT32 }, { topologyValue: '', matchNum: MAX_INT32 }];

  update(tpVal: string, num: number): void {
    const p = this.paths;
    const existing = tpVal === p[0].topologyValue ? p[0] : tpVal === p[1].topologyValue ? p[1] : undefined;
    if (existing) {
      existing.matchNum = num;
      if (p[0].matchNum > p[1].matchNum) this.paths = [p[1], p[0]];
    } else if (num < p[0].matchNum) {
      this.paths = [{ topologyValue: tpVal, matchNum: num }, p[0]];
    } else if (num < p[1].matchNum) {
      this.paths = [p[0], { topologyValue: tpVal, matchNum: num }];
    }
  }

  clone(): CriticalPaths {
    const c = new CriticalPaths();
    c.paths = [{ ...this.paths[0] }, { ...this.paths[1] }];
    return c;
  }
}

export class PreFilterState implements StateData {
  constructor(
    readonly constraints: SpreadConstraint[],
    readonly criticalPaths: CriticalPaths[],
    /** Per constraint: topology value -> matching pods. */
    readonly tpValueToMatchNum: Array<Map<string, number>>,
  ) {}

  /** The global minimum for the skew; 0 while fewer than minDomains domains are eligible. */
  minMatchNum(i: number, minDomains: number): number {
    return this.tpValueToMatchNum[i]!.size < minDomains ? 0 : this.criticalPaths[i]!.paths[0].matchNum;
  }

  clone(): StateData {
    // Constraints never change, so they are shared.
    return new PreFilterState(this.constraints, this.criticalPaths.map((p) => p.clone()), this.tpValueToMatchNum.map((m) => new Map(m)));
  }
}

export function calPreFilterState(pod: Pod, constraints: SpreadConstraint[], allNodes: NodeInfo[]): PreFilterState {
  const counts = constraints.map(() => new Map<string, number>());
  const required = new RequiredNodeAffinity(pod);
  const ns = pod.metadata.namespace ?? '';
  for (const ni of allNodes) {
    const node = ni.node;
    if (!node || !nodeLabelsMatchSpreadConstraints(node.metadata.labels, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!matchNodeInclusionPolicies(c, pod, node, required)) return;
      const value = node.metadata.labels![c.topologyKey]!;
      counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + countPodsMatchSelector(ni.pods, c, ns));
    });
  }
  const paths = counts.map((m) => {
    const p = new CriticalPaths();
    for (const [v, n] of m) p.update(v, n);
    return p;
  });
  return new PreFilterState(constraints, paths, counts);
}

/** Adjusts the counts for a pod added to / removed from `node` (preemption's what-if). */
export function updateWithPod(s: PreFilterState, updatedPod: Pod, preemptor: Pod, node: Node | undefined, delta: number): void {
  if (!node || (updatedPod.metadata.namespace ?? '') !== (preemptor.metadata.namespace ?? '')) return;
  const labels = node.metadata.labels;
  if (!nodeLabelsMatchSpreadConstraints(labels, s.constraints)) return;
  const required = new RequiredNodeAffinity(preemptor);
  s.constraints.forEach((c, i) => {
    if (!selectorMatches(c, updatedPod.metadata.labels)) return;
    if (!matchNodeInclusionPolicies(c, preemptor, node, required)) return;
    const v = labels![c.topologyKey]!;
    const m = s.tpValueToMatchNum[i]!;
    const n = (m.get(v) ?? 0) + delta;
    m.set(v, n);
    s.criticalPaths[i]!.update(v, n);
  });
}

export function filterNode(s: PreFilterState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
  const node = nodeInfo.node;
  if (!node) return Status.error('node not found');
  if (s.constraints.length === 0) return null;
  const labels = node.metadata.labels ?? {};
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return Status.unresolvable(ErrReasonNodeLabelNotMatch);
    // existing matching num + self match (1 or 0) - global minimum <= maxSkew
    const selfMatch = selectorMatches(c, pod.metadata.labels) ? 1 : 0;
    const matchNum = s.tpValueToMatchNum[i]!.get(labels[c.topologyKey]!) ?? 0;
    if (matchNum + selfMatch - s.minMatchNum(i, c.minDomains) > c.maxSkew) return Status.unschedulable(ErrReasonConstraintsNotMatch);
  }
  return null;
}
