// Object names in the `ip kube-proxy` table, as upstream pkg/proxy/nftables/proxier.go builds
// them: per-service-port chains "service-<HASH>-ns/name/proto/port" and per-endpoint chains
// "endpoint-<HASH>-ns/name/proto/port__ip/port" (only for ports with session affinity here, see
// service.ts), where HASH is the first 8 base32 characters of the SHA-256 of the rest, so a user
// can match our chains against upstream's.
import { sha256Base32 } from '../namehash.js';
import type { EndpointInfo, ServicePortInfo } from '../types.js';

export const FAMILY = 'ip';
export const TABLE = 'kube-proxy';

// Base chains: "${type}-${hook}".
export const FILTER_PREROUTING = 'filter-prerouting';
export const FILTER_INPUT = 'filter-input';
export const FILTER_FORWARD = 'filter-forward';
export const FILTER_OUTPUT = 'filter-output';
export const FILTER_OUTPUT_POST_DNAT = 'filter-output-post-dnat';
export const NAT_PREROUTING = 'nat-prerouting';
export const NAT_OUTPUT = 'nat-output';
export const NAT_POSTROUTING = 'nat-postrouting';

// Service dispatch.
export const SERVICES_CHAIN = 'services';
export const SERVICE_IPS_MAP = 'service-ips';
export const SERVICE_NODEPORTS_MAP = 'service-nodeports';
export const NODEPORT_IPS_SET = 'nodeport-ips';
export const CLUSTER_IPS_SET = 'cluster-ips';

// Services without endpoints.
export const SERVICE_ENDPOINTS_CHECK_CHAIN = 'service-endpoints-check';
export const NODEPORT_ENDPOINTS_CHECK_CHAIN = 'nodeport-endpoints-check';
export const NO_ENDPOINT_SERVICES_MAP = 'no-endpoint-services';
export const NO_ENDPOINT_NODEPORTS_MAP = 'no-endpoint-nodeports';
export const REJECT_CHAIN = 'reject-chain';

// Traffic to unallocated ClusterIPs / undefined ports of ClusterIPs.
export const CLUSTER_IPS_CHECK_CHAIN = 'cluster-ips-check';

// LoadBalancerSourceRanges.
export const FIREWALL_IPS_MAP = 'firewall-ips';
export const FIREWALL_CHECK_CHAIN = 'firewall-check';

// Masquerading.
export const MARK_MASQ_CHAIN = 'mark-for-masquerade';
export const MASQUERADING_CHAIN = 'masquerading';
/**
 * Not upstream: "EP . EP" for every endpoint a service chain DNATs to inline (no endpoint chain
 * to hold upstream's per-endpoint hairpin rule), so a pod reaching itself is masqueraded.
 */
export const ENDPOINT_HAIRPIN_SET = 'endpoint-hairpin';

/** nft names may be 256 bytes with the NUL; upstream keeps 16 for the longest prefix. */
const NAME_LENGTH_MAX = 256 - 1;
const CHAIN_NAME_PREFIX_LENGTH_MAX = 16;
const CHAIN_NAME_BASE_LENGTH_MAX = NAME_LENGTH_MAX - CHAIN_NAME_PREFIX_LENGTH_MAX;


/** Upstream hashAndTruncate: "HASH-name", cut to the base length with "..." when too long. */
export function hashAndTruncate(name: string): string {
  let s = `${sha256Base32(name, 8)}-${name}`;
  if (s.length > CHAIN_NAME_BASE_LENGTH_MAX) s = `${s.slice(0, CHAIN_NAME_BASE_LENGTH_MAX - 3)}...`;
  return s;
}

type PortId = Pick<ServicePortInfo, 'namespace' | 'serviceName' | 'portName' | 'protocol'>;

/** "HASH-namespace/name/protocol/portName", e.g. "ULMVA6XW-ns1/svc1/tcp/p80". */
export function servicePortChainNameBase(svc: PortId): string {
  return hashAndTruncate(`${svc.namespace}/${svc.serviceName}/${svc.protocol.toLowerCase()}/${svc.portName}`);
}

/** "HASH-namespace/name/protocol/portName__ip/port"; IPv6 colons become dots as upstream. */
export function servicePortEndpointChainNameBase(svc: PortId, endpoint: Pick<EndpointInfo, 'ip' | 'port'>): string {
  const ip = endpoint.ip.replaceAll(':', '.');
  return hashAndTruncate(`${svc.namespace}/${svc.serviceName}/${svc.protocol.toLowerCase()}/${svc.portName}__${ip}/${endpoint.port}`);
}

export interface ServiceChainNames {
  clusterPolicy: string;
  localPolicy: string;
  external: string;
  firewall: string;
}

export function serviceChainNames(svc: PortId): ServiceChainNames {
  const base = servicePortChainNameBase(svc);
  return { clusterPolicy: `service-${base}`, localPolicy: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

export function endpointNames(svc: PortId, ep: Pick<EndpointInfo, 'ip' | 'port'>): { chain: string; affinitySet: string } {
  const base = servicePortEndpointChainNameBase(svc, ep);
  return { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
}

/** Per-service and per-endpoint chains carry a "/"; none of the fixed chains do. */
export function isServiceChainName(name: string): boolean {
  return name.includes('/');
}

export function isAffinitySetName(name: string): boolean {
  return name.startsWith('affinity-');
}
