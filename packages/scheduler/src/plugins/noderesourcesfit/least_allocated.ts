// LeastAllocated: favours nodes with more unused capacity (spreading).
import { MAX_NODE_SCORE } from '../../framework/status.js';
import { mulDiv, weightedScorer, type ResourceSpec, type ScorerFn } from './resource_allocation.js';

/** (capacity - requested) * 100 / capacity, 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return mulDiv(capacity - requested, MAX_NODE_SCORE, capacity);
}

export function leastResourceScorer(resources: readonly ResourceSpec[]): ScorerFn {
  return weightedScorer(resources, leastRequestedScore);
}
