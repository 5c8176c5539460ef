// NodeResourcesBalancedAllocation (upstream plugins/noderesources/balanced_allocation.go, 1.32):
// favours nodes whose utilization fractions of the configured resources are close to each other,
// score = (1 - std(fractions)) * 100, on real requests (no cpu/memory defaults).
import type { Pod } from '@kube-ts/client/types';
import type { CycleState, StateData } from '../framework/cyclestate.js';
import type { Handle, PluginFactory, PreScorePlugin, ScoreExtensions, ScorePlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/nodeinfo.js';
import { MAX_NODE_SCORE, type MaybeStatus } from '../framework/status.js';
import { resourceSpecs } from './noderesourcesfit/args.js';
import { DEFAULT_RESOURCES, ResourceAllocationScorer, type ResourceSpec } from './noderesourcesfit/resource_allocation.js';
import { field, throwAggregate } from './noderesourcesfit/validation.js';

export const NAME = 'NodeResourcesBalancedAllocation';
const PRE_SCORE_KEY = `PreScore${NAME}`;

class PreScoreState implements StateData {
  constructor(readonly podRequests: number[]) {}
  clone(): StateData { return this; }
}

/** 1 - std of the per-resource fractions (each capped at 1); resources with no allocatable are left out. */
export function balancedResourceScorer(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i]! / allocatable[i]!, 1);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  // Two resources (the common case) reduce to half the difference.
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly scorer: ResourceAllocationScorer;

  constructor(readonly resources: ResourceSpec[]) {
    this.scorer = new ResourceAllocationScorer(NAME, resources, balancedResourceScorer, true);
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    state.write(PRE_SCORE_KEY, new PreScoreState(this.scorer.podRequestList(pod)));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const reqs = state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.scorer.podRequestList(pod);
    return { score: this.scorer.score(nodeInfo, reqs), status: null };
  }

  scoreExtensions(): ScoreExtensions | null { return null; }
}

/** v1 defaults (cpu and memory, weight 1) and ValidateNodeResourcesBalancedAllocationArgs. */
export function parseBalancedAllocationArgs(raw: Record<string, unknown> | undefined): ResourceSpec[] {
  let resources = resourceSpecs(raw?.['resources'], 'resources', 'NodeResourcesBalancedAllocationArgs');
  if (resources.length === 0) resources = DEFAULT_RESOURCES.map((r) => ({ ...r }));
  for (const r of resources) if (r.weight === 0) r.weight = 1;
  const errs: string[] = [];
  const seen = new Set<string>();
  resources.forEach((r, i) => {
    if (seen.has(r.name)) errs.push(field.duplicate(`resources[${i}].name`, r.name));
    else seen.add(r.name);
    if (r.weight !== 1) errs.push(field.invalid(`resources[${i}].weight`, r.weight, 'must be 1'));
  });
  throwAggregate(errs);
  return resources;
}

export const NodeResourcesBalancedAllocationFactory: PluginFactory = (args: Record<string, unknown> | undefined, _handle: Handle) =>
  new NodeResourcesBalancedAllocation(parseBalancedAllocationArgs(args));
