// QoS class (pkg/apis/core/v1/helper/qos) and the cgroupfs layout the kubelet uses for pods:
// /kubepods/pod<uid> (Guaranteed), /kubepods/burstable/pod<uid>, /kubepods/besteffort/pod<uid>.
import { milliValue, type Pod, type Container } from '@kube-ts/client';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';
const SUPPORTED = ['cpu', 'memory'];

function allContainers(p: Pod): Container[] {
  return [...(p.spec.initContainers ?? []), ...p.spec.containers];
}

export function qosClass(p: Pod): QOSClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let zeroRequests = true;
  let guaranteed = true;
  for (const c of allContainers(p)) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) {
      if (!SUPPORTED.includes(k)) continue;
      const q = milliValue(String(v));
      if (q !== 0) {
        zeroRequests = false;
        requests.set(k, (requests.get(k) ?? 0) + q);
      }
    }
    const cl = c.resources?.limits ?? {};
    let hasAll = true;
    for (const r of SUPPORTED) {
      const v = cl[r];
      if (v === undefined) hasAll = false;
      else {
        zeroRequests = zeroRequests && milliValue(String(v)) === 0;
        limits.set(r, (limits.get(r) ?? 0) + milliValue(String(v)));
      }
    }
    if (!hasAll) guaranteed = false;
  }
  if (zeroRequests && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
  }
  // Requests default to limits, so a container with only limits is still Guaranteed.
  return guaranteed && limits.size === SUPPORTED.length ? 'Guaranteed' : 'Burstable';
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
