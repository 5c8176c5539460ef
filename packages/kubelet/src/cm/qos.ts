// QoS class (pkg/apis/core/v1/helper/qos) and the cgroupfs layout the kubelet uses for pods:
// /kubepods/pod<uid> (Guaranteed), /kubepods/burstable/pod<uid>, /kubepods/besteffort/pod<uid>.
import { milliValue, type Pod, type Container } from '@kube-ts/client';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';
const SUPPORTED = ['cpu', 'memory'];

function allContainers(p: Pod): Container[] {
  return [...(p.spec.initContainers ?? []), ...p.spec.containers];
}

/** Upstream ComputePodQOS on the pod as written (positive cpu/memory requests and limits only). */
export function computePodQOS(p: Pod): QOSClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const sum = (m: Map<string, number>, k: string, v: unknown): boolean => {
    if (!SUPPORTED.includes(k)) return false;
    const q = tryMilli(v);
    if (q === undefined || q <= 0) return false;
    m.set(k, (m.get(k) ?? 0) + q);
    return true;
  };
  for (const c of allContainers(p)) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) sum(requests, k, v);
    const found = new Set<string>();
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) if (sum(limits, k, v)) found.add(k);
    if (!SUPPORTED.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function tryMilli(v: unknown): number | undefined {
  try {
    return milliValue(String(v));
  } catch {
    return undefined;
  }
}

/** The QoS class of a pod the kubelet runs: requests default to limits first, as the apiserver's
 *  defaulting does for API pods and the kubelet's for static pods. */
export function qosClass(p: Pod): QOSClass {
  const defaulted = (cs: Container[] | undefined): Container[] | undefined =>
    cs?.map((c) => (c.resources?.limits ? { ...c, resources: { ...c.resources, requests: { ...c.resources.limits, ...(c.resources.requests ?? {}) } } } : c));
  return computePodQOS({ ...p, spec: { ...p.spec, containers: defaulted(p.spec.containers)!, initContainers: defaulted(p.spec.initContainers) } });
}

/** The pod's cgroup parent under cgroupRoot (cgroupfs names). */
export function podCgroupName(p: Pod, cgroupRoot = '/'): string {
  const base = `${cgroupRoot.replace(/\/$/, '')}/kubepods`;
  const uid = p.metadata.uid ?? '';
  switch (qosClass(p)) {
    case 'Guaranteed':
      return `${base}/pod${uid}`;
    case 'Burstable':
      return `${base}/burstable/pod${uid}`;
    default:
      return `${base}/besteffort/pod${uid}`;
  }
}
