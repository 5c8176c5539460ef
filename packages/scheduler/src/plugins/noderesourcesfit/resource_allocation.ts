// resourceAllocationScorer: the part NodeResourcesFit's scoring strategies and
// NodeResourcesBalancedAllocation share. It turns (node, pod request) into per-resource
// [requested, allocatable] vectors in the order of the configured resources, then hands them to a
// strategy's scorer function.
import type { Pod } from '@kube-ts/client/types';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, podRequests, type Resource } from '../../framework/resource.js';
import { isQualifiedName } from './validation.js';

export interface ResourceSpec { name: string; weight: number }

/** Scores one node from requested/allocatable vectors (same order as the configured resources). */
export type ScorerFn = (requested: number[], allocatable: number[]) => number;

/** Weighted average (truncated) of a per-resource score over the resources the node has. */
export function weightedScorer(resources: readonly ResourceSpec[], perResource: (requested: number, capacity: number) => number): ScorerFn {
  return (requested, allocatable) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      const weight = resources[i]!.weight;
      nodeScore += perResource(requested[i]!, allocatable[i]!) * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
}

export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [{ name: CPU, weight: 1 }, { name: MEMORY, weight: 1 }];

/** trunc(a * m / b) exactly, as Go's int64 arithmetic (a*m can pass 2^53 for memory in bytes). */
export function mulDiv(a: number, m: number, b: number): number {
  return Number((BigInt(Math.trunc(a)) * BigInt(Math.trunc(m))) / BigInt(Math.trunc(b)));
}

// v1helper resource-name classification (pkg/apis/core/v1/helper).
const isPrefixedNativeResource = (name: string): boolean => name.includes('kubernetes.io/');
const isNativeResource = (name: string): boolean => !name.includes('/') || isPrefixedNativeResource(name);
export const isHugePageResourceName = (name: string): boolean => name.startsWith('hugepages-');

/** Extended resources (e.g. nvidia.com/gpu): domain-prefixed, outside kubernetes.io. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** Resources the scheduler keeps in Resource.scalar (extended, hugepages, kubernetes.io/*, attachable volumes). */
export function isScalarResourceName(name: string): boolean {
  return isExtendedResourceName(name) || isHugePageResourceName(name) || isPrefixedNativeResource(name) || name.startsWith('attachable-volumes-');
}

export class ResourceAllocationScorer {
  constructor(
    readonly strategy: string,
    readonly resources: readonly ResourceSpec[],
    private readonly scorer: ScorerFn,
    /** BalancedAllocation scores on real requests; the Fit strategies on requests with cpu/memory defaults. */
    private readonly useRequested: boolean,
  ) {}

  /** The pod's request for each configured resource (PreScore state). */
  podRequestList(pod: Pod): number[] {
    const req = podRequests(pod, !this.useRequested);
    return this.resources.map((r) => req.get(r.name));
  }

  score(nodeInfo: NodeInfo, podRequestList: number[]): number {
    const n = this.resources.length;
    const requested = new Array<number>(n).fill(0);
    const allocatable = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const [alloc, req] = this.allocatableRequest(nodeInfo, this.resources[i]!.name, podRequestList[i] ?? 0);
      // A zero allocatable drops the resource from the score (an extended resource the pod does not use).
      if (alloc === 0) continue;
      allocatable[i] = alloc;
      requested[i] = req;
    }
    return this.scorer(requested, allocatable);
  }

  private allocatableRequest(nodeInfo: NodeInfo, name: string, podRequest: number): [number, number] {
    const requested: Resource = this.useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested;
    if (podRequest === 0 && isScalarResourceName(name)) return [0, 0];
    switch (name) {
      case CPU: return [nodeInfo.allocatable.milliCPU, requested.milliCPU + podRequest];
      case MEMORY: return [nodeInfo.allocatable.memory, requested.memory + podRequest];
      case EPHEMERAL_STORAGE: return [nodeInfo.allocatable.ephemeralStorage, nodeInfo.requested.ephemeralStorage + podRequest];
      default: {
        const alloc = nodeInfo.allocatable.scalar.get(name);
        return alloc === undefined ? [0, 0] : [alloc, (nodeInfo.requested.scalar.get(name) ?? 0) + podRequest];
      }
    }
  }
}
