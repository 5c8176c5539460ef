// calculateEmptyDirMemorySize: a memory-backed volume's tmpfs size is the node's allocatable
// memory, lowered to the pod's memory limit and then to the volume's sizeLimit when those are
// positive and smaller.
import { value, type Container, type Pod } from '@kube-ts/client';

function memLimit(c: Container): number | undefined {
  const q = c.resources?.limits?.memory;
  return q === undefined ? undefined : value(q);
}

/** The pod's memory limit as its cgroup gets it (every container limited; init containers' max; overhead). */
export function podMemoryLimit(pod: Pod): number | undefined {
  let sum = 0;
  for (const c of pod.spec.containers) {
    const l = memLimit(c);
    if (l === undefined) return undefined;
    sum += l;
  }
  let initMax = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const l = memLimit(c);
    if (l === undefined) return undefined;
    // Sidecars (restartPolicy Always) run alongside the app containers.
    if (c.restartPolicy === 'Always') sum += l; else initMax = Math.max(initMax, l);
  }
  const overhead = pod.spec.overhead?.memory;
  return Math.max(sum, initMax) + (overhead === undefined ? 0 : value(overhead));
}

export function emptyDirMemorySize(pod: Pod, sizeLimit: string | number | undefined, nodeAllocatableMemory: string | undefined): number | undefined {
  let size = nodeAllocatableMemory === undefined ? undefined : value(nodeAllocatableMemory);
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0 && (size === undefined || podLimit <= size)) size = podLimit;
  if (sizeLimit !== undefined) {
    const v = value(sizeLimit);
    if (v > 0 && (size === undefined || v <= size)) size = v;
  }
  return size;
}
