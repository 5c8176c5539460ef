// RequestedToCapacityRatio: a user-given piecewise-linear function of utilization per resource,
// weighted; resources whose function value is 0 do not count towards the weight sum (as upstream).
import { MAX_NODE_SCORE } from '../../framework/status.js';
import { mulDiv, type ResourceSpec, type ScorerFn } from './resource_allocation.js';

/** Shape point as configured: utilization and score both in [0, 100] / [0, 10]. */
export interface UtilizationShapePoint { utilization: number; score: number }

/** Upstream config.MaxCustomPriorityScore: shape scores are 0..10 and scaled to MaxNodeScore. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

/** helper.BuildBrokenLinearFunction: linear interpolation between points, flat outside them (Go integer division). */
export function brokenLinearFunction(shape: readonly UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i]!.utilization) {
        if (i === 0) return shape[0]!.score;
        const a = shape[i - 1]!;
        const b = shape[i]!;
        return a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization));
      }
    }
    return shape[shape.length - 1]!.score;
  };
}

export function requestedToCapacityRatioScorer(resources: readonly ResourceSpec[], shape: readonly UtilizationShapePoint[]): ScorerFn {
  const raw = brokenLinearFunction(shape.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE) })));
  const resourceScore = (requested: number, capacity: number): number =>
    capacity === 0 || requested > capacity ? raw(MAX_UTILIZATION) : raw(mulDiv(requested, MAX_UTILIZATION, capacity));
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const weight = resources[i]!.weight;
      const s = resourceScore(requested[i]!, allocatable[i]!);
      if (s > 0) {
        nodeScore += s * weight;
        weightSum += weight;
      }
    }
    return weightSum === 0 ? 0 : Math.round(nodeScore / weightSum);
  };
}
