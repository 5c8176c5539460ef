// Building blocks of the EndpointSlice reconciler (staging k8s.io/endpointslice utils.go and
// util/controller_utils.go): a pod as an Endpoint, the ports a pod offers for a Service, the
// slices' labels and owner, and the identity (hash) of an endpoint across syncs.
import { isIPv6 } from 'node:net';
import type { Endpoint, EndpointSlice, Service } from '@kube-ts/client/services';
import type { Node, OwnerReference, Pod } from '@kube-ts/client/types';
import { isPodReady } from '../../util/pods.js';
import { fnv128aHex, spewSlicePort, type SlicePort } from '../endpoints/gohash.js';
import { findPort, isServiceIPSet, podIPs, shouldSetHostname } from '../endpoints/podutil.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

export type AddressType = 'IPv4' | 'IPv6';

/** getAddressTypesForService: from spec.ipFamilies, else the clusterIP's family, else both. */
export function addressTypesForService(svc: Service): AddressType[] {
  const out: AddressType[] = [];
  for (const f of svc.spec?.ipFamilies ?? []) if ((f === 'IPv4' || f === 'IPv6') && !out.includes(f)) out.push(f);
  if (out.length) return out;
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None') return [isIPv6(ip) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** Ports in upstream's canonical order (by fnv-128a of their Go form). */
export function sortPorts(ports: SlicePort[]): SlicePort[] {
  return ports.map((p) => ({ p, h: fnv128aHex(spewSlicePort(p)) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0)).map((x) => x.p);
}

/** PortMapKey: identifies a set of endpoint ports, whatever their order. */
export function portMapKey(ports: readonly SlicePort[] | null | undefined): string {
  return JSON.stringify(sortPorts([...(ports ?? [])]).map((p) => [p.name ?? null, p.protocol ?? null, p.port ?? null, p.appProtocol ?? null]));
}

/** getEndpointPorts: each service port the pod can serve, resolved to its number, sorted. */
export function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0 && svc.spec?.clusterIP === 'None') return [];
  const out: SlicePort[] = [];
  for (const sp of ports) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port: n };
    if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return sortPorts(out);
}

/** podToEndpoint: ready = publishNotReadyAddresses || (serving && !terminating). */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = String(pod.spec.hostname);
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  return ep;
}

/** An endpoint's identity: its addresses, hostname and target pod (endpointset.go hashEndpoint). */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

const refKey = (ep: Endpoint): string | null => {
  const r = ep.targetRef;
  return r ? JSON.stringify([r.kind ?? '', r.namespace ?? '', r.name ?? '', r.uid ?? '', r.apiVersion ?? '', r.fieldPath ?? '']) : null;
};

/** EndpointsEqualBeyondHash: the fields the key does not cover (target resourceVersion ignored). */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  return a.nodeName === b.nodeName && a.zone === b.zone
    && a.conditions?.ready === b.conditions?.ready && a.conditions?.serving === b.conditions?.serving
    && a.conditions?.terminating === b.conditions?.terminating && refKey(a) === refKey(b);
}

const RESERVED = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, HEADLESS_LABEL]);

/**
 * setEndpointSliceLabels: the service's labels (reserved keys excepted) plus the reserved ones;
 * `changed` tells whether the slice's own non-reserved labels differ from the service's.
 */
export function sliceLabels(current: Record<string, string> | undefined, svc: Service, controllerName = CONTROLLER_NAME): { labels: Record<string, string>; changed: boolean } {
  const mine: Record<string, string> = {};
  for (const [k, v] of Object.entries(current ?? {})) if (!RESERVED.has(k)) mine[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!RESERVED.has(k)) labels[k] = v;
  const km = Object.keys(mine); const kl = Object.keys(labels);
  const changed = km.length !== kl.length || km.some((k) => labels[k] !== mine[k]);
  if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata.name!;
  labels[LABEL_MANAGED_BY] = controllerName;
  return { labels, changed };
}

export function serviceOwnerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** newEndpointSlice: generateName "<service>-", owned by the service, with its labels. */
export function newEndpointSlice(svc: Service, ports: SlicePort[], addressType: AddressType, controllerName = CONTROLLER_NAME): EndpointSlice {
  return {
    metadata: {
      generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace,
      labels: sliceLabels({}, svc, controllerName).labels, ownerReferences: [serviceOwnerRef(svc)],
    },
    addressType,
    endpoints: [],
    ports: ports as EndpointSlice['ports'],
  };
}

/** getSliceToFill: the slice left closest to full after adding `n` endpoints, if any fits. */
export function sliceToFill(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints?.length ?? 0));
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff; closest = s;
      if (diff === 0) return s;
    }
  }
  return closest;
}

/** The placeholder compare (placeholderSliceCompare): no endpoints or ports, same labels and owners. */
export function isSamePlaceholder(existing: EndpointSlice, placeholder: EndpointSlice): boolean {
  if (existing.metadata.namespace !== placeholder.metadata.namespace || existing.addressType !== placeholder.addressType) return false;
  if ((existing.endpoints ?? []).length !== 0 || (existing.ports ?? []).length !== 0) return false;
  const a = existing.metadata.labels ?? {}; const b = placeholder.metadata.labels ?? {};
  if (Object.keys(a).length !== Object.keys(b).length || Object.keys(a).some((k) => a[k] !== b[k])) return false;
  const ro = (refs: OwnerReference[] | undefined): string => JSON.stringify((refs ?? []).map((r) => [r.apiVersion, r.kind, r.name, r.uid, r.controller ?? null, r.blockOwnerDeletion ?? null]));
  return ro(existing.metadata.ownerReferences) === ro(placeholder.metadata.ownerReferences);
}
