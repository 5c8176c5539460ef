// MostAllocated: favours nodes with more of their capacity requested (bin packing).
import { MAX_NODE_SCORE } from '../../framework/status.js';
import { mulDiv, type ResourceSpec, type ScorerFn } from './resource_allocation.js';

/** requested * 100 / capacity, requested capped at capacity (defaulted requests can exceed it). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return mulDiv(Math.min(requested, capacity), MAX_NODE_SCORE, capacity);
}

export function mostResourceScorer(resources: readonly ResourceSpec[]): ScorerFn {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const weight = resources[i]!.weight;
      nodeScore += mostRequestedScore(requested[i]!, allocatable[i]!) * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}
