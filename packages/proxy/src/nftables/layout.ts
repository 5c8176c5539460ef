// The fixed part of the table (upstream setupNFTables): base chains on the netfilter hooks,
// the top-level helper chains they jump to, and the sets/maps the per-service parts fill.
import * as N from './names.js';
import { NftScript, ruleText, type BaseChainSpec } from './script.js';

// knftables writes named priorities as numbers: dstnat = -100, srcnat = 100.
const DSTNAT = -100;
const SRCNAT = 100;

export const BASE_CHAINS: ReadonlyArray<{ name: string } & BaseChainSpec> = [
  // Filtering sees pre-DNAT destinations, so it runs before DNAT...
  { name: N.FILTER_PREROUTING, type: 'filter', hook: 'prerouting', priority: DSTNAT - 10 },
  { name: N.FILTER_INPUT, type: 'filter', hook: 'input', priority: DSTNAT - 10 },
  { name: N.FILTER_FORWARD, type: 'filter', hook: 'forward', priority: DSTNAT - 10 },
  { name: N.FILTER_OUTPUT, type: 'filter', hook: 'output', priority: DSTNAT - 10 },
  // ...except the ClusterIP check of locally generated traffic, which must see it after DNAT.
  { name: N.FILTER_OUTPUT_POST_DNAT, type: 'filter', hook: 'output', priority: DSTNAT + 10 },
  { name: N.NAT_PREROUTING, type: 'nat', hook: 'prerouting', priority: DSTNAT },
  { name: N.NAT_OUTPUT, type: 'nat', hook: 'output', priority: DSTNAT },
  { name: N.NAT_POSTROUTING, type: 'nat', hook: 'postrouting', priority: SRCNAT },
];

/** Top-level regular chains and the base-chain rules jumping to them (reject is only valid from input/forward/output). */
export const JUMP_CHAINS: ReadonlyArray<{ dst: string; src: string; extra: string }> = [
  { dst: N.NODEPORT_ENDPOINTS_CHECK_CHAIN, src: N.FILTER_INPUT, extra: 'ct state new' },
  { dst: N.SERVICE_ENDPOINTS_CHECK_CHAIN, src: N.FILTER_INPUT, extra: 'ct state new' },
  { dst: N.SERVICE_ENDPOINTS_CHECK_CHAIN, src: N.FILTER_FORWARD, extra: 'ct state new' },
  { dst: N.SERVICE_ENDPOINTS_CHECK_CHAIN, src: N.FILTER_OUTPUT, extra: 'ct state new' },
  { dst: N.FIREWALL_CHECK_CHAIN, src: N.FILTER_PREROUTING, extra: 'ct state new' },
  { dst: N.FIREWALL_CHECK_CHAIN, src: N.FILTER_OUTPUT, extra: 'ct state new' },
  { dst: N.SERVICES_CHAIN, src: N.NAT_OUTPUT, extra: '' },
  { dst: N.SERVICES_CHAIN, src: N.NAT_PREROUTING, extra: '' },
  { dst: N.MASQUERADING_CHAIN, src: N.NAT_POSTROUTING, extra: '' },
  { dst: N.CLUSTER_IPS_CHECK_CHAIN, src: N.FILTER_FORWARD, extra: 'ct state new' },
  { dst: N.CLUSTER_IPS_CHECK_CHAIN, src: N.FILTER_OUTPUT_POST_DNAT, extra: 'ct state new' },
];

export type ContainerKind = 'set' | 'map';

/** The sets/maps whose elements belong to services (flushed and refilled by a full sync). */
export const ELEMENT_CONTAINERS: ReadonlyArray<{ name: string; kind: ContainerKind }> = [
  { name: N.CLUSTER_IPS_SET, kind: 'set' },
  { name: N.SERVICE_IPS_MAP, kind: 'map' },
  { name: N.FIREWALL_IPS_MAP, kind: 'map' },
  { name: N.NO_ENDPOINT_SERVICES_MAP, kind: 'map' },
  { name: N.NO_ENDPOINT_NODEPORTS_MAP, kind: 'map' },
  { name: N.SERVICE_NODEPORTS_MAP, kind: 'map' },
  { name: N.ENDPOINT_HAIRPIN_SET, kind: 'set' },
];

export function containerKind(name: string): ContainerKind {
  return ELEMENT_CONTAINERS.find((c) => c.name === name)?.kind ?? 'map';
}

export interface SetupConfig {
  masqueradeMark: string;
  /** null: NodePorts on every local address (`fib daddr type local`); else the nodeport-ips set's elements. */
  nodePortIPs: readonly string[] | null;
  /** First sync of this process: recreate the base chains so changed hooks/priorities apply. */
  recreateBaseChains: boolean;
}

/** Number of rules setup() writes, for the rule-count metric. */
export interface SetupCounts { chains: number; rules: number; elements: number }

export function setup(tx: NftScript, cfg: SetupConfig): SetupCounts {
  const noLocalhost = 'ip daddr != 127.0.0.0/8';
  let rules = 0;
  const rule = (chain: string, text: string): void => { tx.addRule(chain, text); rules++; };

  tx.addTable('rules for kube-proxy');
  if (cfg.recreateBaseChains) {
    for (const bc of BASE_CHAINS) {
      tx.addChain(bc.name);
      tx.deleteChain(bc.name);
    }
  }
  for (const bc of BASE_CHAINS) {
    tx.addChain(bc.name, bc);
    tx.flushChain(bc.name);
  }

  const created = new Set<string>();
  const ensure = (name: string): void => {
    if (created.has(name)) return;
    created.add(name);
    tx.addChain(name);
    tx.flushChain(name);
  };
  for (const j of JUMP_CHAINS) {
    ensure(j.dst);
    rule(j.src, j.extra ? `${j.extra} jump ${j.dst}` : `jump ${j.dst}`);
  }
  for (const c of [N.SERVICES_CHAIN, N.CLUSTER_IPS_CHECK_CHAIN, N.MASQUERADING_CHAIN, N.MARK_MASQ_CHAIN]) ensure(c);

  rule(N.MARK_MASQ_CHAIN, `mark set mark or ${cfg.masqueradeMark}`);
  // Not upstream (it marks hairpin traffic in each endpoint chain): DNATed traffic whose source
  // is its own destination endpoint takes the usual mark → clear → masquerade path.
  tx.addSet('set', N.ENDPOINT_HAIRPIN_SET, 'ipv4_addr . ipv4_addr', { comment: 'endpoint . endpoint for hairpin traffic of inline-DNAT services' });
  rule(N.MASQUERADING_CHAIN, `ct status dnat ip saddr . ip daddr @${N.ENDPOINT_HAIRPIN_SET} jump ${N.MARK_MASQ_CHAIN}`);
  rule(N.MASQUERADING_CHAIN, `mark and ${cfg.masqueradeMark} == 0 return`);
  rule(N.MASQUERADING_CHAIN, `mark set mark xor ${cfg.masqueradeMark}`);
  rule(N.MASQUERADING_CHAIN, 'masquerade fully-random');

  tx.addSet('set', N.CLUSTER_IPS_SET, 'ipv4_addr', { comment: 'Active ClusterIPs' });
  rule(N.CLUSTER_IPS_CHECK_CHAIN, ruleText(`ip daddr @${N.CLUSTER_IPS_SET} reject`, 'Reject traffic to invalid ports of ClusterIPs'));

  // "add + delete" makes sure the set is gone without failing when it is absent.
  tx.addSet('set', N.NODEPORT_IPS_SET, 'ipv4_addr', { comment: 'IPs that accept NodePort traffic' });
  let elements = 0;
  if (cfg.nodePortIPs === null) {
    tx.deleteSet('set', N.NODEPORT_IPS_SET);
  } else {
    tx.flushSet('set', N.NODEPORT_IPS_SET);
    for (const ip of cfg.nodePortIPs) { tx.addElement(N.NODEPORT_IPS_SET, [ip]); elements++; }
  }

  tx.addSet('map', N.NO_ENDPOINT_SERVICES_MAP, 'ipv4_addr . inet_proto . inet_service : verdict', { comment: 'vmap to drop or reject packets to services with no endpoints' });
  tx.addSet('map', N.NO_ENDPOINT_NODEPORTS_MAP, 'inet_proto . inet_service : verdict', { comment: 'vmap to drop or reject packets to service nodeports with no endpoints' });

  tx.addChain(N.REJECT_CHAIN, undefined, 'helper for @no-endpoint-services / @no-endpoint-nodeports');
  tx.flushChain(N.REJECT_CHAIN);
  rule(N.REJECT_CHAIN, 'reject');

  rule(N.SERVICE_ENDPOINTS_CHECK_CHAIN, `ip daddr . meta l4proto . th dport vmap @${N.NO_ENDPOINT_SERVICES_MAP}`);
  if (cfg.nodePortIPs === null) {
    rule(N.NODEPORT_ENDPOINTS_CHECK_CHAIN, `${noLocalhost} meta l4proto . th dport vmap @${N.NO_ENDPOINT_NODEPORTS_MAP}`);
  } else {
    rule(N.NODEPORT_ENDPOINTS_CHECK_CHAIN, `ip daddr @${N.NODEPORT_IPS_SET} meta l4proto . th dport vmap @${N.NO_ENDPOINT_NODEPORTS_MAP}`);
  }

  tx.addSet('map', N.FIREWALL_IPS_MAP, 'ipv4_addr . inet_proto . inet_service : verdict', { comment: 'destinations that are subject to LoadBalancerSourceRanges' });
  ensure(N.FIREWALL_CHECK_CHAIN);
  rule(N.FIREWALL_CHECK_CHAIN, `ip daddr . meta l4proto . th dport vmap @${N.FIREWALL_IPS_MAP}`);

  tx.addSet('map', N.SERVICE_IPS_MAP, 'ipv4_addr . inet_proto . inet_service : verdict', { comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic' });
  tx.addSet('map', N.SERVICE_NODEPORTS_MAP, 'inet_proto . inet_service : verdict', { comment: 'NodePort traffic' });
  rule(N.SERVICES_CHAIN, `ip daddr . meta l4proto . th dport vmap @${N.SERVICE_IPS_MAP}`);
  if (cfg.nodePortIPs === null) {
    rule(N.SERVICES_CHAIN, `fib daddr type local ${noLocalhost} meta l4proto . th dport vmap @${N.SERVICE_NODEPORTS_MAP}`);
  } else {
    rule(N.SERVICES_CHAIN, `ip daddr @${N.NODEPORT_IPS_SET} meta l4proto . th dport vmap @${N.SERVICE_NODEPORTS_MAP}`);
  }

  // The service elements are rewritten from scratch.
  for (const c of ELEMENT_CONTAINERS) tx.flushSet(c.kind, c.name);

  return { chains: BASE_CHAINS.length + created.size + 1, rules, elements };
}

/** Go's fmt.Sprintf("%#08x", 1<<bit): "0x004000" for the default bit 14. */
export function masqueradeMark(bit: number): string {
  return `0x${(2 ** bit).toString(16).padStart(6, '0')}`;
}
