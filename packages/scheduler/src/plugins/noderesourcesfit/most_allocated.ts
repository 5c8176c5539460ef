// MostAllocated: favours nodes with more of their capacity requested (bin packing).
import { MAX_NODE_SCORE } from '../../framework/status.js';
import { mulDiv, weightedScorer, type ResourceSpec, type ScorerFn } from './resource_allocation.js';

/** requested * 100 / capacity, requested capped at capacity (defaulted requests can exceed it). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return mulDiv(Math.min(requested, capacity), MAX_NODE_SCORE, capacity);
}

export function mostResourceScorer(resources: readonly ResourceSpec[]): ScorerFn {
  return weightedScorer(resources, mostRequestedScore);
}
