// NodeResourcesFit and the scoring pieces NodeResourcesBalancedAllocation shares with it.
export { NodeResourcesFit, NodeResourcesFitFactory, NAME, fits, fitsRequest, type InsufficientResource } from './fit.js';
export { parseFitArgs, type NodeResourcesFitArgs, type ScoringStrategy, type ScoringStrategyType } from './args.js';
export { ResourceAllocationScorer, DEFAULT_RESOURCES, isExtendedResourceName, isScalarResourceName, type ResourceSpec, type ScorerFn } from './resource_allocation.js';
export { leastResourceScorer, leastRequestedScore } from './least_allocated.js';
export { mostResourceScorer, mostRequestedScore } from './most_allocated.js';
export { requestedToCapacityRatioScorer, brokenLinearFunction, type UtilizationShapePoint } from './requested_to_capacity_ratio.js';
