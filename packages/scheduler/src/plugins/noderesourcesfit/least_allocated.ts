// LeastAllocated: favours nodes with more unused capacity (spreading).
import { MAX_NODE_SCORE } from '../../framework/status.js';
import { mulDiv, type ResourceSpec, type ScorerFn } from './resource_allocation.js';

/** (capacity - requested) * 100 / capacity, 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return mulDiv(capacity - requested, MAX_NODE_SCORE, capacity);
}

export function leastResourceScorer(resources: readonly ResourceSpec[]): ScorerFn {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const weight = resources[i]!.weight;
      nodeScore += leastRequestedScore(requested[i]!, allocatable[i]!) * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}
