// Which endpoints a service port's traffic may reach (upstream pkg/proxy/topology.go
// CategorizeEndpoints): ready endpoints, else serving+terminating ones as a fallback; Local
// traffic policies use only this node's endpoints; topology hints narrow the cluster set when
// every ready endpoint carries them and one names this node's zone.
import type { EndpointInfo, ServicePortInfo } from './types.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface CategorizedEndpoints {
  /** For traffic policy Cluster (null when no traffic uses it). */
  clusterEndpoints: EndpointInfo[] | null;
  /** For traffic policy Local (null when no traffic uses it). */
  localEndpoints: EndpointInfo[] | null;
  /** The union: every endpoint some traffic may reach (for masquerade / affinity chains). */
  allReachableEndpoints: EndpointInfo[];
  /** Any usable endpoint anywhere in the cluster; false → traffic is rejected. */
  hasAnyEndpoints: boolean;
}

export function externallyAccessible(svc: ServicePortInfo): boolean {
  return svc.nodePort > 0 || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;
}

/**
 * Some traffic to this port uses cluster-wide endpoints. Externally reachable ports always do:
 * even with externalTrafficPolicy Local, traffic from this node's pods short-circuits to them.
 */
export function usesClusterEndpoints(svc: ServicePortInfo): boolean {
  return !svc.internalPolicyLocal || externallyAccessible(svc);
}

/** Some traffic to this port uses only this node's endpoints. */
export function usesLocalEndpoints(svc: ServicePortInfo): boolean {
  return svc.internalPolicyLocal || (externallyAccessible(svc) && svc.externalPolicyLocal);
}

function canUseTopology(endpoints: readonly EndpointInfo[], nodeLabels: Record<string, string>): boolean {
  const zone = nodeLabels[ZONE_LABEL];
  if (!zone) return false;
  let hasZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    if (!ep.zoneHints || ep.zoneHints.length === 0) return false;
    if (ep.zoneHints.includes(zone)) hasZone = true;
  }
  return hasZone;
}

export function categorizeEndpoints(
  endpoints: readonly EndpointInfo[], svc: ServicePortInfo, nodeLabels: Record<string, string>,
): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] | null = null;
  let localEndpoints: EndpointInfo[] | null = null;
  let hasAnyEndpoints = false;

  if (usesClusterEndpoints(svc)) {
    const zone = nodeLabels[ZONE_LABEL];
    const useTopology = canUseTopology(endpoints, nodeLabels);
    clusterEndpoints = endpoints.filter((ep) => ep.ready && (!useTopology || (zone !== undefined && (ep.zoneHints ?? []).includes(zone))));
    // No ready endpoint anywhere: fall back to serving terminating ones (KEP-1669).
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints ?? [], hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  if (hasLocalReady) localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (hasLocalServingTerminating) localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  else localEndpoints = [];

  if (!usesClusterEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  }
  // Both policies in use: the union, without duplicates.
  const all = new Map<string, EndpointInfo>();
  for (const ep of clusterEndpoints ?? []) all.set(ep.endpoint, ep);
  for (const ep of localEndpoints) all.set(ep.endpoint, ep);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: [...all.values()], hasAnyEndpoints };
}
