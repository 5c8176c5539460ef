// What one service port programs (the body of upstream syncProxyRules' per-service loop): its
// chains with their rules, its affinity sets and its elements in the shared sets/maps. A pure
// function of the service, its endpoints and the node, so full and incremental syncs write the
// same thing and tests can check it without a kernel.
import type { EndpointInfo, ServicePortInfo } from '../types.js';
import { categorizeEndpoints, externallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../topology.js';
import { cidrContains, isIPv4, parseCIDR4 } from '../ipv4.js';
import * as N from './names.js';
import { ruleText } from './script.js';

export interface ElementSpec {
  container: string;
  key: string[];
  value?: string[];
  comment?: string;
}

export interface ChainSpec {
  name: string;
  /** Rule texts (with their comments), in order. */
  rules: string[];
}

export interface AffinitySetSpec { name: string; timeoutSeconds: number }

export interface ServicePortProgram {
  /** In declaration order: endpoint chains (affinity only) first, then service/local/external/firewall chains. */
  chains: ChainSpec[];
  affinitySets: AffinitySetSpec[];
  elements: ElementSpec[];
}

export interface NodeContext {
  masqueradeAll: boolean;
  /** Pod CIDRs (--cluster-cidr): the local-traffic detector; empty = not implemented. */
  clusterCIDRs: readonly string[];
  /** The node's primary IP (LoadBalancerSourceRanges allow-from-node check). */
  nodeIP: string | undefined;
  nodeLabels: Record<string, string>;
}

/** Upstream LocalTrafficDetector NFT matches for detect-local-mode ClusterCIDR. */
function saddrMatch(cidrs: readonly string[], negate: boolean): string {
  const op = negate ? '!= ' : '';
  return cidrs.length === 1 ? `ip saddr ${op}${cidrs[0]}` : `ip saddr ${op}{ ${cidrs.join(', ')} }`;
}

/** Whether upstream would program this service port at all (headless / non-IPv4 ClusterIPs are skipped). */
export function programmable(svc: ServicePortInfo): boolean {
  return isIPv4(svc.clusterIP);
}

export function buildServicePort(svc: ServicePortInfo, allEndpoints: readonly EndpointInfo[], ctx: NodeContext): ServicePortProgram {
  const protocol = svc.protocol.toLowerCase();
  const names = N.serviceChainNames(svc);
  const port = String(svc.port);
  const externalIPs = svc.externalIPs.filter(isIPv4);
  const lbIPs = svc.loadBalancerIPs.filter(isIPv4);
  const localDetector = ctx.clusterCIDRs.length > 0;
  const affinity = svc.stickyMaxAgeSeconds > 0;

  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } =
    categorizeEndpoints(allEndpoints, svc, ctx.nodeLabels);
  const reachable = allReachableEndpoints.filter((ep) => isIPv4(ep.ip));
  // Deliberately unlike upstream: only ports with session affinity get a chain per endpoint (the
  // chain refreshes the client's affinity entry). Every chain in the table costs each later `nft
  // -f` a netlink dump into nft's cache; at 10,000 services × 2 endpoints the endpoint chains were
  // 2/3 of ~31,000, and a one-service update took ~170 ms. The others DNAT in the policy chain.
  const epNames = new Map(affinity ? reachable.map((ep) => [ep.endpoint, N.endpointNames(svc, ep)]) : []);

  const chains = new Map<string, string[]>();
  const ensure = (name: string): void => { if (!chains.has(name)) chains.set(name, []); };
  const add = (chain: string, rule: string): void => { chains.get(chain)?.push(rule); };

  for (const n of epNames.values()) ensure(n.chain);

  const clusterPolicyChain = names.clusterPolicy;
  const usesClusterPolicyChain = (clusterEndpoints?.length ?? 0) > 0 && usesClusterEndpoints(svc);
  if (usesClusterPolicyChain) ensure(clusterPolicyChain);
  const localPolicyChain = names.localPolicy;
  const usesLocalPolicyChain = (localEndpoints?.length ?? 0) > 0 && usesLocalEndpoints(svc);
  if (usesLocalPolicyChain) ensure(localPolicyChain);

  let internalTrafficChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (svc.internalPolicyLocal) {
    internalTrafficChain = localPolicyChain;
    if ((localEndpoints?.length ?? 0) === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (svc.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if ((localEndpoints?.length ?? 0) === 0) hasExternalEndpoints = false;
  }
  const externalTrafficChain = names.external;
  // The EXT chain exists whenever there are endpoints anywhere: its short-circuit rules for
  // local traffic apply even when external traffic itself has nowhere to go.
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible(svc);
  if (usesExternalTrafficChain) ensure(externalTrafficChain);

  let internalVerdict = '';
  let externalVerdict = '';
  if (!hasEndpoints) {
    internalVerdict = `goto ${N.REJECT_CHAIN}`;
    externalVerdict = `goto ${N.REJECT_CHAIN}`;
  } else {
    if (!hasInternalEndpoints) internalVerdict = 'drop';
    if (!hasExternalEndpoints) externalVerdict = 'drop';
  }

  const elements: ElementSpec[] = [];
  const key = (ip: string): string[] => [ip, protocol, port];
  elements.push({ container: N.CLUSTER_IPS_SET, key: [svc.clusterIP] });
  if (hasInternalEndpoints) {
    elements.push({ container: N.SERVICE_IPS_MAP, key: key(svc.clusterIP), value: [`goto ${internalTrafficChain}`] });
  } else {
    elements.push({ container: N.NO_ENDPOINT_SERVICES_MAP, key: key(svc.clusterIP), value: [internalVerdict], comment: svc.name });
  }
  for (const ip of externalIPs) {
    if (hasEndpoints) elements.push({ container: N.SERVICE_IPS_MAP, key: key(ip), value: [`goto ${externalTrafficChain}`] });
    if (!hasExternalEndpoints) elements.push({ container: N.NO_ENDPOINT_SERVICES_MAP, key: key(ip), value: [externalVerdict], comment: svc.name });
  }

  const usesFWChain = lbIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
  const fwChain = names.firewall;
  if (usesFWChain) ensure(fwChain);
  for (const ip of lbIPs) {
    if (hasEndpoints) elements.push({ container: N.SERVICE_IPS_MAP, key: key(ip), value: [`goto ${externalTrafficChain}`] });
    if (usesFWChain) elements.push({ container: N.FIREWALL_IPS_MAP, key: key(ip), value: [`goto ${fwChain}`] });
  }
  if (!hasExternalEndpoints) {
    for (const ip of lbIPs) elements.push({ container: N.NO_ENDPOINT_SERVICES_MAP, key: key(ip), value: [externalVerdict], comment: svc.name });
  }
  if (svc.nodePort !== 0) {
    const npKey = [protocol, String(svc.nodePort)];
    // NodePorts are not subject to loadBalancerSourceRanges (as upstream).
    if (hasEndpoints) elements.push({ container: N.SERVICE_NODEPORTS_MAP, key: npKey, value: [`goto ${externalTrafficChain}`] });
    if (!hasExternalEndpoints) elements.push({ container: N.NO_ENDPOINT_NODEPORTS_MAP, key: npKey, value: [externalVerdict], comment: svc.name });
  }

  // Internal traffic: masquerade what comes from outside the cluster (or everything).
  if (hasInternalEndpoints) {
    const match = `ip daddr ${svc.clusterIP} ${protocol} dport ${port}`;
    if (ctx.masqueradeAll) add(internalTrafficChain, `${match} jump ${N.MARK_MASQ_CHAIN}`);
    else if (localDetector) add(internalTrafficChain, `${match} ${saddrMatch(ctx.clusterCIDRs, true)} jump ${N.MARK_MASQ_CHAIN}`);
  }

  if (usesExternalTrafficChain) {
    if (!svc.externalPolicyLocal) {
      // Cluster-wide endpoints may be on another node: masquerade so replies come back here.
      add(externalTrafficChain, `jump ${N.MARK_MASQ_CHAIN}`);
    } else {
      if (localDetector) {
        add(externalTrafficChain, ruleText(`${saddrMatch(ctx.clusterCIDRs, false)} goto ${clusterPolicyChain}`, 'short-circuit pod traffic'));
      }
      add(externalTrafficChain, ruleText(`fib saddr type local jump ${N.MARK_MASQ_CHAIN}`, 'masquerade local traffic'));
      add(externalTrafficChain, ruleText(`fib saddr type local goto ${clusterPolicyChain}`, 'short-circuit local traffic'));
    }
    if (hasExternalEndpoints) add(externalTrafficChain, `goto ${externalPolicyChain}`);
  }

  if (usesFWChain) {
    const sources: string[] = [];
    let allowFromNode = false;
    for (const r of svc.loadBalancerSourceRanges) {
      const c = parseCIDR4(r);
      if (!c) continue;
      sources.push(c.text);
      if (ctx.nodeIP !== undefined && cidrContains(c, ctx.nodeIP)) allowFromNode = true;
    }
    // A VIP that is also a local address loops back with the VIP as source: allow it.
    if (allowFromNode) sources.push(...lbIPs);
    add(fwChain, `ip saddr != { ${sources.join(' , ')} } drop`);
  }

  const affinitySets: AffinitySetSpec[] = affinity
    ? reachable.map((ep) => ({ name: epNames.get(ep.endpoint)!.affinitySet, timeoutSeconds: svc.stickyMaxAgeSeconds }))
    : [];

  const dnat = (ep: EndpointInfo): string => `meta l4proto ${protocol} dnat to ${ep.ip}:${ep.port}`;
  const writeServiceToEndpoints = (chain: string, eps: readonly EndpointInfo[]): void => {
    const list = eps.filter((ep) => isIPv4(ep.ip));
    if (affinity) {
      for (const ep of list) {
        const n = epNames.get(ep.endpoint)!;
        add(chain, `ip saddr @${n.affinitySet} goto ${n.chain}`);
      }
    }
    // Upstream writes one `numgen random mod N vmap { ... }`, but every such anonymous map is a
    // set nft must load into its cache on each run and the kernel revalidates on each commit:
    // at 10,000 services that made a one-service update cost ~300 ms and a full sync ~25 s.
    // Successive draws (1/N, then 1/(N-1) of the rest, ...) are equally uniform, with no set.
    // A NAT statement is terminal, so an inline DNAT ends the chain like a goto would.
    list.forEach((ep, i) => {
      const verdict = affinity ? `goto ${epNames.get(ep.endpoint)!.chain}` : dnat(ep);
      const left = list.length - i;
      add(chain, left > 1 ? `numgen random mod ${left} 0 ${verdict}` : verdict);
    });
  };
  if (usesClusterPolicyChain) writeServiceToEndpoints(clusterPolicyChain, clusterEndpoints ?? []);
  if (usesLocalPolicyChain) writeServiceToEndpoints(localPolicyChain, localEndpoints ?? []);

  if (affinity) {
    for (const ep of reachable) {
      const n = epNames.get(ep.endpoint)!;
      // Hairpin: a pod reaching itself through the service must be masqueraded.
      add(n.chain, `ip saddr ${ep.ip} jump ${N.MARK_MASQ_CHAIN}`);
      add(n.chain, `update @${n.affinitySet} { ip saddr }`);
      add(n.chain, dnat(ep));
    }
  } else {
    // Hairpin for inline DNAT: nat-postrouting masquerades "EP . EP" (layout.ts). One element
    // per IP; the element store counts the service ports that share it.
    for (const ip of new Set(reachable.map((ep) => ep.ip))) elements.push({ container: N.ENDPOINT_HAIRPIN_SET, key: [ip, ip] });
  }

  return {
    chains: [...chains.entries()].map(([name, rules]) => ({ name, rules })),
    affinitySets,
    elements,
  };
}
