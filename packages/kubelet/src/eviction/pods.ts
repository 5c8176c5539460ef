// The pod facts eviction decisions read: QoS class, priority, criticality, summed requests and
// the memory-pressure toleration (pkg/apis/core/v1/helper/qos, pkg/kubelet/types, v1/resource).
import type { Container, Pod, Toleration } from '@kube-ts/client';
import { add, cmp, parseQuantity, zero, type Quantity, type QuantityFormat } from './quantity.js';
import { computePodQOS, type QOSClass } from '../cm/qos.js';

export { computePodQOS, type QOSClass };

/** scheduling.SystemCriticalPriority: pods at or above it are critical. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';

function tryParse(v: string | number | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

/** GetPodQOS: status.qosClass when the apiserver set it, else computed. */
export function getPodQOS(pod: Pod): QOSClass {
  const s = pod.status?.['qosClass'];
  return s === 'Guaranteed' || s === 'Burstable' || s === 'BestEffort' ? s : computePodQOS(pod);
}

export const podPriority = (pod: Pod): number => pod.spec.priority ?? 0;

/** kubelettypes.IsCriticalPod: static, mirror, or system-critical priority. */
export function isCriticalPod(pod: Pod): boolean {
  const ann = pod.metadata.annotations ?? {};
  const source = ann['kubernetes.io/config.source'];
  if (source !== undefined && source !== 'api') return true;
  if (ann['kubernetes.io/config.mirror'] !== undefined) return true;
  return pod.spec.priority !== undefined && pod.spec.priority >= SYSTEM_CRITICAL_PRIORITY;
}

/**
 * GetResourceRequestQuantity: the sum over containers, at least the largest init container
 * request, plus pod overhead when there is any request.
 */
export function podRequest(pod: Pod, resource: string): Quantity {
  const format: QuantityFormat = resource === 'cpu' ? 'DecimalSI' : resource === 'memory' || resource.includes('storage') ? 'BinarySI' : 'DecimalSI';
  let total = zero(format);
  for (const c of pod.spec.containers) {
    const q = tryParse(c.resources?.requests?.[resource]);
    if (q) total = add(total, q);
  }
  for (const c of pod.spec.initContainers ?? []) {
    const q = tryParse(c.resources?.requests?.[resource]);
    if (q && cmp(total, q) < 0) total = q;
  }
  const overhead = tryParse(pod.spec.overhead?.[resource]);
  if (overhead && total.nanos !== 0n) total = add(total, overhead);
  return total;
}

/** The container's request as a Quantity (zero when unset), keeping the spec's format. */
export function containerRequest(c: Container, resource: string): Quantity {
  return tryParse(c.resources?.requests?.[resource]) ?? zero('DecimalSI');
}

/** v1helper TolerationsTolerateTaint for a key/effect taint with no value. */
export function toleratesTaint(tolerations: Toleration[] | undefined, key: string, effect: string): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== effect) return false;
    if (t.key && t.key !== key) return false;
    if (t.operator === 'Exists') return true;
    return (t.operator === undefined || t.operator === 'Equal') && (t.value ?? '') === '';
  });
}
