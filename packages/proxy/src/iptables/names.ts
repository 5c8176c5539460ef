// Chain names as upstream pkg/proxy/iptables/proxier.go (v1.32) spells them, including the
// hashed per-service chains, so `iptables-save` output reads the same as a real kube-proxy's.
import { sha256Base32 } from '../namehash.js';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
/** Kubelet's anti-martian chain, duplicated by kube-proxy when localhost NodePorts are on. */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';
/** Upstream's monitor canary (mangle/nat/filter); we never create it but clean up leftovers. */
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';

export const SVC_PREFIX = 'KUBE-SVC-';
export const SVL_PREFIX = 'KUBE-SVL-';
export const FW_PREFIX = 'KUBE-FW-';
export const EXT_PREFIX = 'KUBE-EXT-';
export const SEP_PREFIX = 'KUBE-SEP-';

const SERVICE_CHAIN_PREFIXES = [SVC_PREFIX, SVL_PREFIX, SEP_PREFIX, FW_PREFIX, EXT_PREFIX];

/** First 16 characters of base32(StdEncoding) of sha256(input): exactly the first 10 digest bytes. */
export function hash16(input: string): string {
  return sha256Base32(input, 16);
}

/** Upstream portProtoHash: the part after KUBE-SVC-/SVL-/EXT-/FW-. `protocol` is lower-case ("tcp"). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

/** Upstream servicePortEndpointChainName: KUBE-SEP-<hash of name + protocol + "ip:port">. */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return SEP_PREFIX + hash16(servicePortName + protocol + endpoint);
}

/** Per-service chains we own (KUBE-SVC/SVL/SEP/FW/EXT-*), as upstream isServiceChainName. */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}
