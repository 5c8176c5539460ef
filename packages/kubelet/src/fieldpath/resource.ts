// Container resource values for env resourceFieldRef and downward API files: upstream's
// resource.ExtractResourceValueByContainerNameAndNodeAllocatable (limits default to the node's
// allocatable when unset; cpu is rounded up to whole divisor units).
import { milliValue, value, type Container, type Pod, type ResourceList } from '@kube-ts/client';

/** Resources whose missing limit is taken from node allocatable (MergeContainerResourceLimits). */
function defaultsFromAllocatable(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
}

function findContainer(pod: Pod, name: string): Container {
  const c = pod.spec.containers.find((x) => x.name === name) ?? pod.spec.initContainers?.find((x) => x.name === name);
  if (!c) throw new Error(`container ${name} not found`);
  return c;
}

function quantityOf(list: ResourceList | undefined, name: string): string | number {
  return list?.[name] ?? '0';
}

function divide(q: number, d: number): string {
  return String(Math.ceil(q / d));
}

/**
 * The value of `ref.resource` (limits.cpu, requests.memory, limits.hugepages-2Mi, ...) for one
 * container of the pod, in `ref.divisor` units (default 1), as a decimal string.
 */
export function containerResourceValue(pod: Pod, containerName: string, ref: { resource: string; divisor?: string },
  nodeAllocatable: Record<string, string>): string {
  const c = findContainer(pod, containerName);
  const divisorText = ref.divisor === undefined || ref.divisor === '' || milliValue(ref.divisor) === 0 ? '1' : ref.divisor;
  const dot = ref.resource.indexOf('.');
  const kind = dot < 0 ? '' : ref.resource.slice(0, dot);
  const name = dot < 0 ? '' : ref.resource.slice(dot + 1);
  const supported = name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
  if ((kind !== 'limits' && kind !== 'requests') || !supported) throw new Error(`unsupported container resource : ${ref.resource}`);
  let q: string | number;
  if (kind === 'limits') {
    const own = c.resources?.limits?.[name];
    q = own ?? (defaultsFromAllocatable(name) ? nodeAllocatable[name] ?? '0' : '0');
  } else {
    q = quantityOf(c.resources?.requests, name);
  }
  if (name === 'cpu') return divide(milliValue(q), milliValue(divisorText));
  return divide(value(q), value(divisorText));
}
