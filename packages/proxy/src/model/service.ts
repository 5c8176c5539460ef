// Service → ServicePortInfo[] (upstream pkg/proxy/serviceport.go newBaseServiceInfo,
// servicechangetracker.go serviceToServiceMap, pkg/proxy/util ShouldSkipService,
// pkg/api/v1/service ExternallyAccessible / ExternalPolicyLocal / NeedsHealthCheck), for the
// IPv4 family only.
import { isIPv4 } from 'node:net';
import type { Service } from '@kube-ts/client/services';
import type { Protocol, ServicePortInfo } from '../types.js';

/** sessionAffinityConfig.clientIP.timeoutSeconds default (core/v1 DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/** Upstream ServicePortName.String(): "ns/name:port", or "ns/name" for an unnamed port. */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** "ns/name": the key the trackers group a Service and its EndpointSlices under. */
export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function normalizeProtocol(p: unknown): Protocol {
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

function isIPv4CIDR(cidr: string): boolean {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
  return m !== null && isIPv4(m[1]!) && Number(m[2]) <= 32;
}

/** GetClusterIPByFamily(IPv4): clusterIPs when set (dual-stack), else clusterIP. */
function ipv4ClusterIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const ips = strings(spec.clusterIPs);
  if (ips.length === 0) return spec.clusterIP && isIPv4(spec.clusterIP) ? spec.clusterIP : '';
  return ips.find((ip) => isIPv4(ip)) ?? '';
}

/** ShouldSkipService: headless (clusterIP None or unset) and ExternalName services get no rules. */
export function shouldSkipService(svc: Service): boolean {
  const spec = svc.spec;
  if (!spec) return true;
  if (spec.clusterIP === undefined || spec.clusterIP === '' || spec.clusterIP === 'None') return true;
  return spec.type === 'ExternalName';
}

/** apiservice.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with externalIPs. */
export function serviceExternallyAccessible(svc: Service): boolean {
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
}

/** status.loadBalancer.ingress[].ip of VIP-mode ingresses (ipMode unset or "VIP"), IPv4 only. */
function loadBalancerVIPs(svc: Service): string[] {
  const lb = svc.status?.['loadBalancer'];
  if (typeof lb !== 'object' || lb === null) return [];
  const ingress = (lb as Record<string, unknown>)['ingress'];
  if (!Array.isArray(ingress)) return [];
  const out: string[] = [];
  for (const ing of ingress) {
    if (typeof ing !== 'object' || ing === null) continue;
    const { ip, ipMode } = ing as Record<string, unknown>;
    if (typeof ip !== 'string' || ip === '' || !isIPv4(ip)) continue;
    if (ipMode !== undefined && ipMode !== null && ipMode !== 'VIP') continue;
    out.push(ip);
  }
  return out;
}

/** The IPv4 ServicePortInfos of a Service, in spec order ([] when the service is skipped). */
export function servicePortsFromService(svc: Service): ServicePortInfo[] {
  if (shouldSkipService(svc)) return [];
  const clusterIP = ipv4ClusterIP(svc);
  if (!clusterIP) return [];
  const spec = svc.spec ?? {};
  const namespace = svc.metadata.namespace ?? '';
  const serviceName = svc.metadata.name ?? '';

  const externalPolicyLocal = serviceExternallyAccessible(svc) && spec.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  // Kube-apiserver defaults the timeout when affinity is ClientIP; be lenient with objects that lack it.
  const stickyMaxAgeSeconds = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS
    : 0;
  const externalIPs = strings(spec.externalIPs).filter((ip) => isIPv4(ip));
  // Validation tolerates whitespace padding in source ranges (upstream trims too).
  const loadBalancerSourceRanges = strings(spec['loadBalancerSourceRanges']).map((s) => s.trim()).filter(isIPv4CIDR);
  const loadBalancerIPs = loadBalancerVIPs(svc);
  const hc = spec['healthCheckNodePort'];
  const healthCheckNodePort = spec.type === 'LoadBalancer' && externalPolicyLocal && typeof hc === 'number' ? hc : 0;

  return (spec.ports ?? []).map((p): ServicePortInfo => {
    const portName = p.name ?? '';
    return {
      name: servicePortName(namespace, serviceName, portName),
      namespace,
      serviceName,
      portName,
      protocol: normalizeProtocol(p.protocol),
      clusterIP,
      port: p.port,
      nodePort: p.nodePort ?? 0,
      externalIPs: [...externalIPs],
      loadBalancerIPs: [...loadBalancerIPs],
      loadBalancerSourceRanges: [...loadBalancerSourceRanges],
      stickyMaxAgeSeconds,
      externalPolicyLocal,
      internalPolicyLocal,
      healthCheckNodePort,
    };
  });
}
