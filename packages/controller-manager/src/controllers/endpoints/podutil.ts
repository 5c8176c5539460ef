// Pod and Service predicates both endpoint controllers share (staging endpointslice/util
// controller_utils.go, pkg/api/v1/pod FindPort): which pods are endpoints, which port a service
// port reaches on a pod, and which services a pod change concerns.
import { isIPv6 } from 'node:net';
import type { Service, ServicePort } from '@kube-ts/client/services';
import type { Pod } from '@kube-ts/client/types';
import { isPodReady, isPodTerminal } from '../../util/pods.js';

/** status.podIPs as strings (falling back to status.podIP for pods written without podIPs). */
export function podIPs(p: Pod): string[] {
  const list = p.status?.podIPs;
  if (Array.isArray(list) && list.length > 0) {
    return list.map((x) => (typeof x === 'object' && x !== null ? String((x as { ip?: unknown }).ip ?? '') : '')).filter((ip) => ip !== '');
  }
  return p.status?.podIP ? [p.status.podIP] : [];
}

/**
 * ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless terminating pods
 * are wanted (EndpointSlices always want them; Endpoints only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(p: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(p)) return false;
  if (!p.status?.podIP && podIPs(p).length === 0) return false;
  if (!includeTerminating && p.metadata.deletionTimestamp) return false;
  return true;
}

/** Hostname is published when the pod names this service as its subdomain. */
export function shouldSetHostname(p: Pod, svc: Service): boolean {
  const hostname = p.spec.hostname;
  return typeof hostname === 'string' && hostname !== '' && p.spec.subdomain === svc.metadata.name
    && svc.metadata.namespace === p.metadata.namespace;
}

/**
 * FindPort: a numeric targetPort is used as is; a named one is looked up among the containers'
 * (and restartable init containers') ports with the service port's protocol. Undefined when the
 * pod has no such port.
 */
export function findPort(p: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const proto = sp.protocol ?? 'TCP';
  for (const c of p.spec.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target && (cp.protocol ?? 'TCP') === proto) return cp.containerPort;
  }
  for (const c of p.spec.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const cp of c.ports ?? []) if (cp.name === target && (cp.protocol ?? 'TCP') === proto) return cp.containerPort;
  }
  return undefined;
}

/** spec.clusterIP set and not "None" (helper.IsServiceIPSet). */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

export const isIPv6String = (ip: string): boolean => isIPv6(ip);

/** Does the service's selector pick these labels? A missing selector selects nothing. */
export function serviceSelects(svc: Service, labels: Record<string, string> | undefined): boolean {
  const sel = svc.spec?.selector;
  if (sel === undefined || sel === null) return false;
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}

/** Keys of the services in `namespace` whose selector matches `labels`. */
export function servicesForLabels(services: Service[], labels: Record<string, string> | undefined): Set<string> {
  const out = new Set<string>();
  for (const s of services) if (serviceSelects(s, labels)) out.add(`${s.metadata.namespace}/${s.metadata.name}`);
  return out;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {}); const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => b?.[k] === a?.[k]);
}

/**
 * podEndpointsChanged: [pod changed in a way that changes its endpoint, labels (or
 * hostname/subdomain) changed so its service membership may have changed].
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): [boolean, boolean] {
  const labelsChanged = !sameLabels(oldPod.metadata.labels, newPod.metadata.labels)
    || oldPod.spec.hostname !== newPod.spec.hostname || oldPod.spec.subdomain !== newPod.spec.subdomain;
  if (oldPod.metadata.deletionTimestamp !== newPod.metadata.deletionTimestamp) return [true, labelsChanged];
  if (isPodReady(oldPod) !== isPodReady(newPod)) return [true, labelsChanged];
  const a = podIPs(oldPod); const b = podIPs(newPod);
  if (a.length !== b.length || a.some((ip, i) => ip !== b[i])) return [true, labelsChanged];
  return [false, labelsChanged];
}

/**
 * GetServicesToUpdateOnPodChange: nothing on resync, the services of the new labels when only the
 * pod changed, and when labels changed either every old and new service (pod changed too) or only
 * the ones the pod joined or left.
 */
export function servicesToUpdateOnPodChange(services: Service[], oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return new Set();
  const [podChanged, labelsChanged] = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesForLabels(services, newPod.metadata.labels);
  if (!labelsChanged) return now;
  const before = servicesForLabels(services, oldPod.metadata.labels);
  const out = new Set<string>();
  if (podChanged) {
    for (const k of now) out.add(k);
    for (const k of before) out.add(k);
  } else {
    for (const k of now) if (!before.has(k)) out.add(k);
    for (const k of before) if (!now.has(k)) out.add(k);
  }
  return out;
}
