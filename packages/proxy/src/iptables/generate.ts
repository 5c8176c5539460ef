// State → iptables-restore input for the filter and nat tables, laid out as upstream
// pkg/proxy/iptables/proxier.go (v1.32) syncProxyRules writes it. Pure: the proxier supplies the
// node facts and applies the text. Each service port's output is kept as a fragment so a partial
// sync reuses the KUBE-SERVICES/filter lines of unchanged services verbatim and leaves their
// per-service chains out of the input altogether (with --noflush they stay as they are).
import type { EndpointInfo, ProxyState, ServicePortInfo } from '../types.js';
import { categorizeEndpoints, externallyAccessible } from '../topology.js';
import { cidrContains, isIPv4, parseCIDR4 } from '../ipv4.js';
import {
  EXT_PREFIX, FW_PREFIX, KUBE_EXTERNAL_SERVICES, KUBE_FIREWALL, KUBE_FORWARD, KUBE_MARK_MASQ,
  KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_PROXY_FIREWALL, KUBE_SERVICES, SVC_PREFIX, SVL_PREFIX,
} from './names.js';
import type { NameCache } from './namecache.js';

/** Upstream largeClusterEndpointsThreshold: above it, per-endpoint rules carry no comments. */
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

export interface GenerateConfig {
  /** e.g. "0x4000" (upstream formats 1<<bit with %#08x). */
  masqueradeMark: string;
  masqueradeAll: boolean;
  /** detect-local-mode ClusterCIDR: pod traffic is `-s cidr` (null: local detection off). */
  localCIDR: string | null;
  /** --iptables-localhost-nodeports (route_localnet is set by the proxier). */
  localhostNodePorts: boolean;
  /** null: NodePorts on every local address (addrtype LOCAL); else only on these IPs. */
  nodePortIPs: readonly string[] | null;
  /** nf_conntrack_tcp_be_liberal is set: no DROP of INVALID packets in KUBE-FORWARD. */
  conntrackTCPLiberal: boolean;
  /** The node's primary IPv4 (loadBalancerSourceRanges containing it admit node-originated traffic). */
  nodeIP: string | null;
}

/** One service port's share of the restore input. Strings hold whole lines ending in "\n". */
export interface ServiceFragment {
  /** portProtoHash of the service port: orders KUBE-SERVICES (see generate). */
  hash: string;
  /** nat KUBE-SERVICES / KUBE-NODEPORTS rules. */
  top: string;
  topRules: number;
  /** filter rules (REJECT/DROP for missing endpoints, firewall drops, health check accept). */
  filter: string;
  filterRules: number;
  /** ":CHAIN - [0:0]" lines for the service's own nat chains. */
  chainDecls: string;
  /** Rules of the service's own nat chains (SVC/SVL/EXT/FW/SEP). */
  chainRules: string;
  chainRuleCount: number;
  /** The service's own nat chains: they must survive stale-chain removal. */
  chains: readonly string[];
}

export interface GenerateInput {
  state: ProxyState;
  config: GenerateConfig;
  /** Rewrite every service's chains; otherwise only `changed` ones (and any without a fragment). */
  full: boolean;
  changed: ReadonlySet<string>;
  previous: ReadonlyMap<string, ServiceFragment>;
  names: NameCache;
}

export interface Generated {
  filter: string;
  /** Chain declarations of the nat table (fixed chains + rewritten service chains). */
  natChains: string;
  /** nat rules up to, not including, the final KUBE-SERVICES → KUBE-NODEPORTS jump(s). */
  natRules: string;
  natTail: string;
  /** Every service chain that should exist after this sync (rewritten or kept). */
  active: Set<string>;
  fragments: Map<string, ServiceFragment>;
  natRuleCount: number;
  filterRuleCount: number;
  /** Service ports whose chains were (re)written. */
  rewritten: number;
  /** Per-service chain declarations in the input (what makes iptables-nft-restore slow). */
  declaredChains: number;
}

const NODEPORTS_COMMENT = '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"';

/** Upstream computeProbability: fmt.Sprintf("%0.10f", 1.0/n), memoised. */
const probabilities: string[] = [];
export function probability(n: number): string {
  let p = probabilities[n];
  if (p === undefined) {
    p = (1 / n).toFixed(10);
    probabilities[n] = p;
  }
  return p;
}

/** Upstream UsesClusterEndpoints: externally reachable ports always need the cluster chain (EXT short-circuit). */
function usesClusterChain(svc: ServicePortInfo): boolean {
  return !svc.internalPolicyLocal || externallyAccessible(svc);
}
function usesLocalChain(svc: ServicePortInfo): boolean {
  return svc.internalPolicyLocal || (externallyAccessible(svc) && svc.externalPolicyLocal);
}

class Lines {
  parts: string[] = [];
  count = 0;
  add(line: string): void {
    this.parts.push(line);
    this.count++;
  }
  text(): string {
    return this.parts.length === 0 ? '' : this.parts.join('\n') + '\n';
  }
}

interface ServiceContext {
  config: GenerateConfig;
  largeClusterMode: boolean;
  names: NameCache;
  nodeLabels: Record<string, string>;
}

function ipv4Only(list: readonly string[]): string[] {
  return list.every(isIPv4) ? (list as string[]) : list.filter(isIPv4);
}

/** Builds one service port's fragment (upstream's loop body over svcPortMap). */
export function serviceFragment(svc: ServicePortInfo, endpoints: readonly EndpointInfo[], ctx: ServiceContext): ServiceFragment {
  const { config } = ctx;
  const protocol = svc.protocol.toLowerCase();
  const name = svc.name;
  const hash = ctx.names.serviceHash(name, protocol);
  const clusterPolicyChain = SVC_PREFIX + hash;
  const localPolicyChain = SVL_PREFIX + hash;
  const externalTrafficChain = EXT_PREFIX + hash;
  const fwChain = FW_PREFIX + hash;
  const externalIPs = ipv4Only(svc.externalIPs);
  const lbIPs = ipv4Only(svc.loadBalancerIPs);
  const sourceRanges = svc.loadBalancerSourceRanges.map(parseCIDR4).filter((c) => c !== null);
  const externalPolicyLocal = svc.externalPolicyLocal && externallyAccessible(svc);

  // topology.ts leaves cluster endpoints out when both policies are Local; upstream still needs
  // them for the EXT chain's short-circuit, so categorize as if the internal policy were Cluster.
  const catSvc = svc.internalPolicyLocal && usesClusterChain(svc) && externalPolicyLocal ? { ...svc, internalPolicyLocal: false } : svc;
  const cat = categorizeEndpoints(endpoints, catSvc, ctx.nodeLabels);
  const clusterEndpoints = cat.clusterEndpoints ?? [];
  const localEndpoints = cat.localEndpoints ?? [];
  const hasEndpoints = cat.hasAnyEndpoints;

  const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterChain(svc);
  const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalChain(svc);

  let internalTrafficChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (svc.internalPolicyLocal) {
    internalTrafficChain = localPolicyChain;
    if (localEndpoints.length === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if (localEndpoints.length === 0) hasExternalEndpoints = false;
  }
  // Built on hasEndpoints: the short-circuit rules are needed even with no usable external endpoints.
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible(svc);
  const usesFWChain = hasEndpoints && lbIPs.length > 0 && sourceRanges.length > 0;
  const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain;

  let internalFilterTarget = '';
  let internalFilterComment = '';
  let externalFilterTarget = '';
  let externalFilterComment = '';
  if (!hasEndpoints) {
    // Fails connections at once (icmp-port-unreachable → ECONNREFUSED) instead of letting them time out.
    internalFilterTarget = 'REJECT --reject-with icmp-port-unreachable';
    internalFilterComment = `"${name} has no endpoints"`;
    externalFilterTarget = internalFilterTarget;
    externalFilterComment = internalFilterComment;
  } else {
    if (!hasInternalEndpoints) {
      internalFilterTarget = 'DROP';
      internalFilterComment = `"${name} has no local endpoints"`;
    }
    if (!hasExternalEndpoints) {
      externalFilterTarget = 'DROP';
      externalFilterComment = `"${name} has no local endpoints"`;
    }
  }

  const top = new Lines();
  const filter = new Lines();
  const decls = new Lines();
  const rules = new Lines();
  const chains: string[] = [];
  const match = `-m ${protocol} -p ${protocol}`;
  const port = String(svc.port);

  // Capture the cluster IP.
  if (hasInternalEndpoints) {
    top.add(`-A ${KUBE_SERVICES} -m comment --comment "${name} cluster IP" ${match} -d ${svc.clusterIP} --dport ${port} -j ${internalTrafficChain}`);
  } else {
    filter.add(`-A ${KUBE_SERVICES} -m comment --comment ${internalFilterComment} ${match} -d ${svc.clusterIP} --dport ${port} -j ${internalFilterTarget}`);
  }

  // Capture external IPs.
  for (const ip of externalIPs) {
    if (hasEndpoints) {
      top.add(`-A ${KUBE_SERVICES} -m comment --comment "${name} external IP" ${match} -d ${ip} --dport ${port} -j ${externalTrafficChain}`);
    }
    if (!hasExternalEndpoints) {
      filter.add(`-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} ${match} -d ${ip} --dport ${port} -j ${externalFilterTarget}`);
    }
  }

  // Capture load-balancer ingress.
  for (const ip of lbIPs) {
    if (hasEndpoints) {
      top.add(`-A ${KUBE_SERVICES} -m comment --comment "${name} loadbalancer IP" ${match} -d ${ip} --dport ${port} -j ${loadBalancerTrafficChain}`);
    }
    if (usesFWChain) {
      filter.add(`-A ${KUBE_PROXY_FIREWALL} -m comment --comment "${name} traffic not accepted by ${fwChain}" ${match} -d ${ip} --dport ${port} -j DROP`);
    }
  }
  if (!hasExternalEndpoints) {
    for (const ip of lbIPs) {
      filter.add(`-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} ${match} -d ${ip} --dport ${port} -j ${externalFilterTarget}`);
    }
  }

  // Capture node ports (not subject to loadBalancerSourceRanges, as upstream).
  if (svc.nodePort !== 0) {
    if (hasEndpoints) {
      top.add(`-A ${KUBE_NODEPORTS} -m comment --comment ${name} ${match} --dport ${svc.nodePort} -j ${externalTrafficChain}`);
    }
    if (!hasExternalEndpoints) {
      filter.add(`-A ${KUBE_EXTERNAL_SERVICES} -m comment --comment ${externalFilterComment} -m addrtype --dst-type LOCAL ${match} --dport ${svc.nodePort} -j ${externalFilterTarget}`);
    }
  }

  // Health check node ports are accepted whether or not there are local endpoints.
  if (svc.healthCheckNodePort !== 0) {
    filter.add(`-A ${KUBE_NODEPORTS} -m comment --comment "${name} health check node port" -m tcp -p tcp --dport ${svc.healthCheckNodePort} -j ACCEPT`);
  }

  const declare = (chain: string): void => {
    decls.add(`:${chain} - [0:0]`);
    chains.push(chain);
  };

  // Internal traffic: masquerade what does not come from a pod (or everything with masqueradeAll).
  if (hasInternalEndpoints) {
    const args = `-m comment --comment "${name} cluster IP" ${match} -d ${svc.clusterIP} --dport ${port}`;
    if (config.masqueradeAll) {
      rules.add(`-A ${internalTrafficChain} ${args} -j ${KUBE_MARK_MASQ}`);
    } else if (config.localCIDR !== null) {
      rules.add(`-A ${internalTrafficChain} ${args} ! -s ${config.localCIDR} -j ${KUBE_MARK_MASQ}`);
    }
  }

  // External traffic: special cases, then the external policy chain.
  if (usesExternalTrafficChain) {
    declare(externalTrafficChain);
    if (!externalPolicyLocal) {
      // Non-local endpoints may be on another node: masquerade so replies come back through us.
      rules.add(`-A ${externalTrafficChain} -m comment --comment "masquerade traffic for ${name} external destinations" -j ${KUBE_MARK_MASQ}`);
    } else {
      if (config.localCIDR !== null) {
        // Pod → external IP behaves as if it went out to the load balancer and back: Cluster policy.
        rules.add(`-A ${externalTrafficChain} -m comment --comment "pod traffic for ${name} external destinations" -s ${config.localCIDR} -j ${clusterPolicyChain}`);
      }
      // The host's own traffic gets a local (service-bound) source address: masquerade it.
      rules.add(`-A ${externalTrafficChain} -m comment --comment "masquerade LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`);
      rules.add(`-A ${externalTrafficChain} -m comment --comment "route LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`);
    }
    if (hasExternalEndpoints) rules.add(`-A ${externalTrafficChain} -j ${externalPolicyChain}`);
  }

  // Firewall chain for loadBalancerSourceRanges.
  if (usesFWChain) {
    declare(fwChain);
    const args = `-A ${fwChain} -m comment --comment "${name} loadbalancer IP"`;
    let allowFromNode = false;
    for (const cidr of sourceRanges) {
      rules.add(`${args} -s ${cidr.text} -j ${externalTrafficChain}`);
      if (config.nodeIP !== null && cidrContains(cidr, config.nodeIP)) allowFromNode = true;
    }
    // A VIP bound locally loops node-originated requests back with the VIP as source.
    if (allowFromNode) {
      for (const ip of lbIPs) rules.add(`${args} -s ${ip} -j ${externalTrafficChain}`);
    }
    // Falls through un-DNATed, to be dropped by KUBE-PROXY-FIREWALL in filter.
    rules.add(`-A ${fwChain} -m comment --comment "other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL"`);
  }

  const affinity = svc.stickyMaxAgeSeconds > 0;
  const sepName = (ep: EndpointInfo): string => ctx.names.endpointChain(name, protocol, ep.endpoint);
  if (usesClusterPolicyChain) {
    declare(clusterPolicyChain);
    writeServiceToEndpointRules(rules, name, svc, clusterPolicyChain, clusterEndpoints, sepName, ctx.largeClusterMode, affinity);
  }
  if (usesLocalPolicyChain) {
    declare(localPolicyChain);
    writeServiceToEndpointRules(rules, name, svc, localPolicyChain, localEndpoints, sepName, ctx.largeClusterMode, affinity);
  }

  // Per-endpoint chains: hairpin masquerade, affinity bookkeeping, DNAT.
  const comment = ctx.largeClusterMode ? '' : ` -m comment --comment ${name}`;
  for (const ep of cat.allReachableEndpoints) {
    const chain = sepName(ep);
    declare(chain);
    rules.add(`-A ${chain}${comment} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`);
    const recent = affinity ? ` -m recent --name ${chain} --set` : '';
    rules.add(`-A ${chain}${comment}${recent} ${match} -j DNAT --to-destination ${ep.endpoint}`);
  }

  return {
    hash,
    top: top.text(), topRules: top.count,
    filter: filter.text(), filterRules: filter.count,
    chainDecls: decls.text(), chainRules: rules.text(), chainRuleCount: rules.count,
    chains,
  };
}

function writeServiceToEndpointRules(
  rules: Lines, name: string, svc: ServicePortInfo, chain: string, endpoints: readonly EndpointInfo[],
  sepName: (ep: EndpointInfo) => string, large: boolean, affinity: boolean,
): void {
  const comment = (ep: EndpointInfo): string => (large ? '' : ` -m comment --comment "${name} -> ${ep.endpoint}"`);
  // Clients seen recently go back to the same endpoint.
  if (affinity) {
    for (const ep of endpoints) {
      const sep = sepName(ep);
      rules.add(`-A ${chain}${comment(ep)} -m recent --name ${sep} --rcheck --seconds ${svc.stickyMaxAgeSeconds} --reap -j ${sep}`);
    }
  }
  // Random choice: rule i matches with probability 1/(n-i); the last one always matches.
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i]!;
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
    rules.add(`-A ${chain}${comment(ep)}${stat} -j ${sepName(ep)}`);
  }
}

/** The whole sync's text parts (upstream syncProxyRules up to the restore call). */
export function generate(input: GenerateInput): Generated {
  const { state, config, full, changed, previous } = input;
  const filterChains = new Lines();
  const filterRules = new Lines();
  const natChains = new Lines();
  const natRules = new Lines();
  const natTail = new Lines();

  for (const c of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL]) filterChains.add(`:${c} - [0:0]`);
  for (const c of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) natChains.add(`:${c} - [0:0]`);

  const mark = config.masqueradeMark;
  natRules.add(`-A ${KUBE_POSTROUTING} -m mark ! --mark ${mark}/${mark} -j RETURN`);
  // Clear the mark so a packet re-traversing the stack is not masqueraded twice.
  natRules.add(`-A ${KUBE_POSTROUTING} -j MARK --xor-mark ${mark}`);
  natRules.add(`-A ${KUBE_POSTROUTING} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`);
  natRules.add(`-A ${KUBE_MARK_MASQ} -j MARK --or-mark ${mark}`);

  if (config.localhostNodePorts) {
    // route_localnet opens 127.0.0.0/8 to other hosts (https://issue.k8s.io/90259): close it again.
    filterChains.add(`:${KUBE_FIREWALL} - [0:0]`);
    filterRules.add(`-A ${KUBE_FIREWALL} -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);
  }

  let totalEndpoints = 0;
  for (const key of state.services.keys()) totalEndpoints += state.endpoints.get(key)?.length ?? 0;
  const ctx: ServiceContext = {
    config, names: input.names, nodeLabels: state.nodeLabels,
    largeClusterMode: totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD,
  };

  const fragments = new Map<string, ServiceFragment>();
  const active = new Set<string>();
  const tops: ServiceFragment[] = [];
  const filters: string[] = [];
  const decls: string[] = [];
  const bodies: string[] = [];
  let natRuleCount = 0;
  let filterRuleCount = 0;
  let rewritten = 0;
  let declaredChains = 0;

  for (const [key, svc] of state.services) {
    if (!isIPv4(svc.clusterIP)) continue;
    let frag = full || changed.has(key) ? undefined : previous.get(key);
    const write = frag === undefined;
    if (frag === undefined) frag = serviceFragment(svc, state.endpoints.get(key) ?? [], ctx);
    fragments.set(key, frag);
    if (frag.top) tops.push(frag);
    if (frag.filter) filters.push(frag.filter);
    natRuleCount += frag.topRules + frag.chainRuleCount;
    filterRuleCount += frag.filterRules;
    for (const c of frag.chains) active.add(c);
    if (write) {
      rewritten++;
      declaredChains += frag.chains.length;
      if (frag.chainDecls) decls.push(frag.chainDecls);
      if (frag.chainRules) bodies.push(frag.chainRules);
    }
  }

  // iptables-nft-restore keeps the chains an input names in a sorted list, searched from the
  // head for every line: naming the jump targets in descending order makes each insertion stop
  // at once (10k services: 0.95 s → 0.37 s for the KUBE-SERVICES rewrite of a partial sync).
  tops.sort((a, b) => (a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0));
  let top = '';
  for (const f of tops) top += f.top;

  // Finally the tail-call to KUBE-NODEPORTS, which must stay the last rule of KUBE-SERVICES.
  if (config.nodePortIPs === null) {
    const notLocalhost = config.localhostNodePorts ? '' : ' ! -d 127.0.0.0/8';
    natTail.add(`-A ${KUBE_SERVICES} -m comment --comment ${NODEPORTS_COMMENT} -m addrtype --dst-type LOCAL${notLocalhost} -j ${KUBE_NODEPORTS}`);
  } else {
    for (const ip of config.nodePortIPs) {
      if (ip.startsWith('127.') && !config.localhostNodePorts) continue;
      natTail.add(`-A ${KUBE_SERVICES} -m comment --comment ${NODEPORTS_COMMENT} -d ${ip} -j ${KUBE_NODEPORTS}`);
    }
  }

  const forward = new Lines();
  // INVALID packets would otherwise reset connections unexpectedly (kubernetes#74839).
  if (!config.conntrackTCPLiberal) forward.add(`-A ${KUBE_FORWARD} -m conntrack --ctstate INVALID -j DROP`);
  // Marked (NodePort) traffic is forwarded even when FORWARD's policy is DROP.
  forward.add(`-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  forward.add(`-A ${KUBE_FORWARD} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);

  return {
    filter: filterChains.text() + filterRules.text() + filters.join('') + forward.text(),
    natChains: natChains.text() + decls.join(''),
    natRules: natRules.text() + top + bodies.join(''),
    natTail: natTail.text(),
    active,
    fragments,
    natRuleCount: natRuleCount + natRules.count + natTail.count,
    filterRuleCount: filterRuleCount + filterRules.count + forward.count,
    rewritten,
    declaredChains,
  };
}

/**
 * The iptables-restore input: both tables, with stale service chains flushed and deleted.
 * `listFirst` starts the nat section with `-S`: iptables-nft (1.8.x) then fetches all chains
 * at once instead of keeping a sorted list of every chain the input names, which makes a
 * restore declaring tens of thousands of chains quadratic (10k services: ~45 s → ~2.5 s here).
 */
export function restoreText(g: Generated, stale: Iterable<string>, listFirst = false): string {
  let staleDecls = '';
  let staleDeletes = '';
  for (const c of stale) {
    // A chain line flushes it; -X then removes it (both in one transaction).
    staleDecls += `:${c} - [0:0]\n`;
    staleDeletes += `-X ${c}\n`;
  }
  const list = listFirst ? '-S\n' : '';
  return `*filter\n${g.filter}COMMIT\n*nat\n${list}${g.natChains}${staleDecls}${g.natRules}${staleDeletes}${g.natTail}COMMIT\n`;
}
