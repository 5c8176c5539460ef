// EndpointSlices → EndpointInfo lists per service port (upstream pkg/proxy/endpointslicecache.go):
// a slice is parsed once into the few fields kube-proxy uses, and a service's endpoints are the
// union of its IPv4 slices, matched to service ports by port name and protocol, deduplicated by
// "ip:port" and sorted.
import { isIPv4 } from 'node:net';
import type { EndpointSlice } from '@kube-ts/client/services';
import type { EndpointInfo, Protocol, ServicePortInfo } from '../types.js';
import { normalizeProtocol, serviceKey, servicePortName } from './service.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface ParsedSlicePort { name: string; protocol: Protocol; port: number }

/** One endpoint of a slice with its port still open (EndpointInfo minus endpoint/port). */
export type ParsedSliceEndpoint = Omit<EndpointInfo, 'endpoint' | 'port'>;

export interface ParsedSlice {
  /** "ns/service" from the kubernetes.io/service-name label. */
  service: string;
  /** "ns/sliceName". */
  slice: string;
  ports: ParsedSlicePort[];
  endpoints: ParsedSliceEndpoint[];
  /** Canonical form for change detection (upstream esInfoChanged's DeepEqual). */
  key: string;
}

/** The (service, slice) keys of a slice, or null when it lacks the service-name label or a name. */
export function sliceKeys(slice: EndpointSlice): { service: string; slice: string } | null {
  const ns = slice.metadata.namespace;
  const name = slice.metadata.name;
  const svc = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  if (!ns || !name || !svc) return null;
  return { service: serviceKey(ns, svc), slice: `${ns}/${name}` };
}

/**
 * Parses an IPv4 slice (null for other address types or unkeyed slices). Conditions default as
 * upstream kube-proxy reads them (endpointslicecache.go): ready nil → true, serving nil → true,
 * terminating nil → false.
 */
export function parseEndpointSlice(slice: EndpointSlice, nodeName: string): ParsedSlice | null {
  const keys = sliceKeys(slice);
  if (!keys || slice.addressType !== 'IPv4') return null;
  const ports: ParsedSlicePort[] = [];
  for (const p of slice.ports ?? []) {
    // Upstream skips a nil port; a nil name is read as "" here (our controller always sets it).
    if (typeof p.port !== 'number' || p.port === 0) continue;
    ports.push({ name: p.name ?? '', protocol: normalizeProtocol(p.protocol), port: p.port });
  }
  ports.sort((a, b) => a.port - b.port || a.name.localeCompare(b.name) || a.protocol.localeCompare(b.protocol));

  const endpoints: ParsedSliceEndpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    const ip = ep.addresses?.[0];
    if (!ip || !isIPv4(ip)) continue;
    const ready = ep.conditions?.ready ?? true;
    const out: ParsedSliceEndpoint = {
      ip,
      ready,
      serving: ep.conditions?.serving ?? true,
      terminating: ep.conditions?.terminating ?? false,
      isLocal: nodeName !== '' && ep.nodeName === nodeName,
    };
    if (ep.nodeName) out.nodeName = ep.nodeName;
    if (ep.zone) out.zone = ep.zone;
    const hints = ep.hints?.forZones?.map((z) => z.name).filter((z) => z);
    if (hints && hints.length > 0) out.zoneHints = [...new Set(hints)].sort();
    endpoints.push(out);
  }
  endpoints.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return { ...keys, ports, endpoints, key: JSON.stringify([ports, endpoints]) };
}

function byEndpoint(a: EndpointInfo, b: EndpointInfo): number {
  return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}

/**
 * A service's endpoints by service port name, from its parsed slices. A slice port feeds the
 * service port of the same name; when the service is known, its protocol must match too
 * (upstream keys by ServicePortName, which includes the protocol). Ports without endpoints get
 * no entry.
 */
export function serviceEndpoints(
  service: string, slices: Iterable<ParsedSlice>, servicePorts: readonly ServicePortInfo[] = [],
): Map<string, EndpointInfo[]> {
  const slash = service.indexOf('/');
  const ns = service.slice(0, slash);
  const name = service.slice(slash + 1);
  const protocols = new Map<string, Protocol>();
  for (const sp of servicePorts) protocols.set(sp.portName, sp.protocol);

  const sets = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    for (const port of slice.ports) {
      const want = protocols.get(port.name);
      if (want !== undefined && want !== port.protocol) continue;
      const spName = servicePortName(ns, name, port.name);
      let set = sets.get(spName);
      if (!set) sets.set(spName, (set = new Map()));
      for (const ep of slice.endpoints) {
        const endpoint = `${ep.ip}:${port.port}`;
        // Duplicates across slices: the first wins unless a later copy is local (as upstream).
        if (set.has(endpoint) && !ep.isLocal) continue;
        set.set(endpoint, { endpoint, port: port.port, ...ep });
      }
    }
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [spName, set] of sets) {
    if (set.size > 0) out.set(spName, [...set.values()].sort(byEndpoint));
  }
  return out;
}

/** Endpoints for every service port of a set of slices (tests, one-shot callers). */
export function endpointsFromSlices(
  slices: readonly EndpointSlice[], nodeName: string, services: readonly ServicePortInfo[] = [],
): Map<string, EndpointInfo[]> {
  const bySvc = new Map<string, ParsedSlice[]>();
  for (const s of slices) {
    const parsed = parseEndpointSlice(s, nodeName);
    if (!parsed) continue;
    const list = bySvc.get(parsed.service);
    if (list) list.push(parsed);
    else bySvc.set(parsed.service, [parsed]);
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [svc, list] of bySvc) {
    const ports = services.filter((sp) => serviceKey(sp.namespace, sp.serviceName) === svc);
    for (const [k, v] of serviceEndpoints(svc, list, ports)) out.set(k, v);
  }
  return out;
}
