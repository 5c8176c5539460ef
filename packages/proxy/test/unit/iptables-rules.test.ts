// The iptables restore text generator against upstream's expectations (pkg/proxy/iptables
// proxier_test.go TestOverallIPTablesRules and friends, v1.32) and the behaviours the brief lists.
import { describe, expect, it } from 'vitest';
import { type GenerateConfig, generate, probability, restoreText, serviceFragment } from '../../src/iptables/generate.js';
import { NameCache } from '../../src/iptables/namecache.js';
import { cidrContains, parseCIDR4, parseIPv4 } from '../../src/ipv4.js';
import { NameCache as Names } from '../../src/iptables/namecache.js';
import { endpointChainName, portProtoHash } from '../../src/iptables/names.js';
import type { EndpointInfo, ProxyState, ServicePortInfo } from '../../src/types.js';

function svc(ns: string, name: string, over: Partial<ServicePortInfo> & { clusterIP: string }): ServicePortInfo {
  const portName = over.portName ?? 'p80';
  return {
    name: portName ? `${ns}/${name}:${portName}` : `${ns}/${name}`, namespace: ns, serviceName: name, portName,
    protocol: 'TCP', port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [],
    stickyMaxAgeSeconds: 0, externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0,
    ...over,
  };
}

function ep(ip: string, over: Partial<EndpointInfo> = {}): EndpointInfo {
  const port = over.port ?? 80;
  return { endpoint: `${ip}:${port}`, ip, port, ready: true, serving: true, terminating: false, isLocal: false, ...over };
}

function stateOf(entries: Array<[ServicePortInfo, EndpointInfo[]]>, extra: Partial<ProxyState> = {}): ProxyState {
  return {
    services: new Map(entries.map(([s]) => [s.name, s])),
    endpoints: new Map(entries.filter(([, e]) => e.length > 0).map(([s, e]) => [s.name, e])),
    nodeName: 'test-node', nodeIPs: ['192.168.0.2'], nodeLabels: {}, ...extra,
  };
}

const CONFIG: GenerateConfig = {
  masqueradeMark: '0x4000', masqueradeAll: false, localCIDR: '10.0.0.0/8', localhostNodePorts: true,
  nodePortIPs: null, conntrackTCPLiberal: false, nodeIP: '192.168.0.2',
};

function render(state: ProxyState, config: GenerateConfig = CONFIG): string {
  const g = generate({ state, config, full: true, changed: new Set(), previous: new Map(), names: new NameCache() });
  return restoreText(g, []);
}

/** table → chain → rules in order, plus the declared chains: the shape upstream's assert compares. */
function parse(text: string): Map<string, { chains: string[]; rules: Map<string, string[]> }> {
  const tables = new Map<string, { chains: string[]; rules: Map<string, string[]> }>();
  let cur: { chains: string[]; rules: Map<string, string[]> } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1), (cur = { chains: [], rules: new Map() }));
    else if (line.startsWith(':')) cur!.chains.push(line.split(' ')[0]!.slice(1));
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      const list = cur!.rules.get(chain) ?? [];
      list.push(line);
      cur!.rules.set(chain, list);
    }
  }
  for (const t of tables.values()) t.chains.sort();
  return tables;
}

function rulesOf(text: string, table: string, chain: string): string[] {
  return parse(text).get(table)?.rules.get(chain) ?? [];
}

describe('chain names', () => {
  it('equal the names in upstream test expectations', () => {
    expect(portProtoHash('ns1/svc1:p80', 'tcp')).toBe('XPGD46QRK7WJZT7O');
    expect(portProtoHash('ns2/svc2:p80', 'tcp')).toBe('GNZBNJ2PO5MGZ6GT');
    expect(portProtoHash('ns5/svc5:p80', 'tcp')).toBe('NUKIZ6OKUXPJNT4C');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(endpointChainName('ns4/svc4:p80', 'tcp', '10.180.0.5:80')).toBe('KUBE-SEP-C6EBXVWJJZMIWKLZ');
    // The protocol takes part in the hash.
    expect(portProtoHash('ns1/svc1:p80', 'udp')).not.toBe('XPGD46QRK7WJZT7O');
  });
});

describe('helpers', () => {
  it('parse IPv4 addresses and CIDRs strictly', () => {
    expect(parseIPv4('10.0.0.1')).toBe(167772161);
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '', '::1', '10.0.0.1 ']) expect(parseIPv4(bad)).toBeNull();
    const c = parseCIDR4(' 203.0.113.0/25')!;
    expect(cidrContains(c, '203.0.113.2')).toBe(true);
    expect(cidrContains(c, '203.0.113.130')).toBe(false);
    expect(parseCIDR4('10.0.0.0/33')).toBeNull();
  });

  it('the name cache returns the same names as computing them, across generations and protocols', () => {
    const n = new Names();
    expect(n.serviceHash('ns1/svc1:p80', 'tcp')).toBe('XPGD46QRK7WJZT7O');
    expect(n.endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    n.newGeneration();
    expect(n.endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(n.serviceHash('ns1/svc1:p80', 'udp')).toBe(portProtoHash('ns1/svc1:p80', 'udp'));
    expect(n.endpointChain('ns1/svc1:p80', 'udp', '10.180.0.1:80')).toBe(endpointChainName('ns1/svc1:p80', 'udp', '10.180.0.1:80'));
  });
});

describe('probability strings', () => {
  it('format 1/n with ten decimals as upstream', () => {
    expect(probability(2)).toBe('0.5000000000');
    expect(probability(3)).toBe('0.3333333333');
    expect(probability(6)).toBe('0.1666666667');
    expect(probability(1000)).toBe('0.0010000000');
  });

  it('chain endpoints with decreasing probabilities, the last one unconditional', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41' });
    const text = render(stateOf([[s, [ep('10.180.0.1'), ep('10.180.0.2'), ep('10.180.0.3')]]]));
    const lb = rulesOf(text, 'nat', 'KUBE-SVC-XPGD46QRK7WJZT7O').filter((r) => r.includes('KUBE-SEP-'));
    expect(lb).toHaveLength(3);
    expect(lb[0]).toContain('-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-');
    expect(lb[1]).toContain('--probability 0.5000000000 -j KUBE-SEP-');
    expect(lb[2]).not.toContain('statistic');
  });
});

describe('overall layout (upstream TestOverallIPTablesRules)', () => {
  // Upstream's expectation, with our documented differences: MASQUERADE --random-fully (real
  // iptables has it), explicit --reject-with, and no nfacct matches (no nfacct counters here).
  const expected = `*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
COMMIT
*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
:KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
:KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
:KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
:KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
:KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
:KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
:KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
COMMIT
`;

  it('matches upstream chain for chain', () => {
    const state = stateOf([
      [svc('ns1', 'svc1', { clusterIP: '172.30.0.41' }), [ep('10.180.0.1')]],
      // LoadBalancer, externalTrafficPolicy Local; its only endpoint is on another node.
      [svc('ns2', 'svc2', {
        clusterIP: '172.30.0.42', nodePort: 3001, loadBalancerIPs: ['1.2.3.4'], externalIPs: ['192.168.99.22'],
        externalPolicyLocal: true, healthCheckNodePort: 30000,
      }), [ep('10.180.0.2')]],
      [svc('ns3', 'svc3', { clusterIP: '172.30.0.43', nodePort: 3003 }), [ep('10.180.0.3')]],
      [svc('ns4', 'svc4', { clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'] }),
        [ep('10.180.0.4'), ep('10.180.0.5', { isLocal: true, nodeName: 'test-node' })]],
      // LoadBalancer, Cluster policy, source ranges (with stray whitespace) and ClientIP affinity.
      [svc('ns5', 'svc5', {
        clusterIP: '172.30.0.45', nodePort: 3002, loadBalancerIPs: ['5.6.7.8'],
        loadBalancerSourceRanges: [' 203.0.113.0/25'], stickyMaxAgeSeconds: 10800,
      }), [ep('10.180.0.3')]],
      [svc('ns6', 'svc6', { clusterIP: '172.30.0.46' }), []],
    ]);
    const got = parse(render(state));
    const want = parse(expected);
    expect([...want.get('nat')!.rules.values()].flat()).toHaveLength(52);
    expect([...want.get('filter')!.rules.values()].flat()).toHaveLength(10);
    // Services come in no particular order (upstream: Go map order; ours: by chain hash), so
    // the two top-level nat chains compare as sets; every other chain rule by rule.
    const unordered = (m: Map<string, string[]>): Record<string, string[]> =>
      Object.fromEntries([...m].map(([c, r]) => [c, c === 'KUBE-SERVICES' || c === 'KUBE-NODEPORTS' ? [...r].sort() : r]));
    for (const table of ['filter', 'nat']) {
      expect(got.get(table)!.chains).toEqual(want.get(table)!.chains);
      expect(unordered(got.get(table)!.rules)).toEqual(unordered(want.get(table)!.rules));
    }
  });

  it('keeps the NodePort tail-call the last rule of KUBE-SERVICES', () => {
    const text = render(stateOf([[svc('ns3', 'svc3', { clusterIP: '172.30.0.43', nodePort: 3003 }), [ep('10.180.0.3')]]]));
    const rules = rulesOf(text, 'nat', 'KUBE-SERVICES');
    expect(rules.at(-1)).toContain('-j KUBE-NODEPORTS');
  });
});

describe('traffic policies', () => {
  const local = (ip: string): EndpointInfo => ep(ip, { isLocal: true, nodeName: 'test-node' });

  it('internalTrafficPolicy Local sends the cluster IP to KUBE-SVL with local endpoints only', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41', internalPolicyLocal: true });
    const text = render(stateOf([[s, [ep('10.180.0.1'), local('10.180.0.2')]]]));
    const h = portProtoHash(s.name, 'tcp');
    expect(rulesOf(text, 'nat', 'KUBE-SERVICES')[0]).toContain(`-d 172.30.0.41 --dport 80 -j KUBE-SVL-${h}`);
    const svl = rulesOf(text, 'nat', `KUBE-SVL-${h}`).filter((r) => r.includes('KUBE-SEP-'));
    expect(svl).toEqual([`-A KUBE-SVL-${h} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j ${endpointChainName(s.name, 'tcp', '10.180.0.2:80')}`]);
    expect(parse(text).get('nat')!.chains).not.toContain(`KUBE-SVC-${h}`);
    expect(text).not.toContain('10.180.0.1:80');
  });

  it('internalTrafficPolicy Local without local endpoints drops cluster IP traffic', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41', internalPolicyLocal: true });
    const text = render(stateOf([[s, [ep('10.180.0.1')]]]));
    expect(rulesOf(text, 'filter', 'KUBE-SERVICES')).toEqual([
      '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no local endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j DROP',
    ]);
    expect(rulesOf(text, 'nat', 'KUBE-SERVICES').filter((r) => r.includes('172.30.0.41'))).toEqual([]);
  });

  it('externalTrafficPolicy Local short-circuits pod and host traffic, sends the rest to KUBE-SVL', () => {
    const s = svc('ns2', 'svc2', { clusterIP: '172.30.0.42', nodePort: 3001, externalPolicyLocal: true });
    const text = render(stateOf([[s, [ep('10.180.0.1'), local('10.180.0.2')]]]));
    const h = portProtoHash(s.name, 'tcp');
    expect(rulesOf(text, 'nat', `KUBE-EXT-${h}`)).toEqual([
      `-A KUBE-EXT-${h} -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-${h}`,
      `-A KUBE-EXT-${h} -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      `-A KUBE-EXT-${h} -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-${h}`,
      `-A KUBE-EXT-${h} -j KUBE-SVL-${h}`,
    ]);
    // Cluster IP traffic still reaches both endpoints; the SVL chain only the local one.
    expect(rulesOf(text, 'nat', `KUBE-SVC-${h}`).filter((r) => r.includes('-j KUBE-SEP-'))).toHaveLength(2);
    expect(rulesOf(text, 'nat', `KUBE-SVL-${h}`).filter((r) => r.includes('-j KUBE-SEP-'))).toHaveLength(1);
  });

  it('both policies Local on a NodePort still declare the KUBE-SVC chain the EXT short-circuit jumps to', () => {
    const s = svc('ns2', 'svc2', { clusterIP: '172.30.0.42', nodePort: 3001, externalPolicyLocal: true, internalPolicyLocal: true });
    const text = render(stateOf([[s, [ep('10.180.0.1'), local('10.180.0.2')]]]));
    const h = portProtoHash(s.name, 'tcp');
    const nat = parse(text).get('nat')!;
    // Every jump target must be declared, or iptables-restore rejects the whole sync.
    for (const rules of nat.rules.values()) {
      for (const r of rules) {
        const target = /-j (KUBE-\S+)/.exec(r)?.[1];
        if (target && target !== 'KUBE-MARK-MASQ') expect(nat.chains).toContain(target);
      }
    }
    expect(nat.chains).toContain(`KUBE-SVC-${h}`);
    expect(rulesOf(text, 'nat', 'KUBE-SERVICES')[0]).toContain(`-j KUBE-SVL-${h}`);
  });

  it('masqueradeAll masquerades every cluster IP connection; no cluster CIDR and no masqueradeAll masquerades none', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41' });
    const h = portProtoHash(s.name, 'tcp');
    const all = render(stateOf([[s, [ep('10.180.0.1')]]]), { ...CONFIG, masqueradeAll: true });
    expect(rulesOf(all, 'nat', `KUBE-SVC-${h}`)[0]).toBe(
      `-A KUBE-SVC-${h} -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ`);
    const none = render(stateOf([[s, [ep('10.180.0.1')]]]), { ...CONFIG, localCIDR: null });
    expect(rulesOf(none, 'nat', `KUBE-SVC-${h}`).filter((r) => r.includes('KUBE-MARK-MASQ'))).toEqual([]);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41' });
    const text = render(stateOf([[s, [
      ep('10.180.0.1', { ready: false, serving: true, terminating: true }),
      ep('10.180.0.2', { ready: false, serving: false, terminating: true }),
    ]]]));
    expect(text).toContain('--to-destination 10.180.0.1:80');
    expect(text).not.toContain('--to-destination 10.180.0.2:80');
  });
});

describe('session affinity', () => {
  it('checks every endpoint\'s recent list before balancing, and records the client in the SEP chain', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41', stickyMaxAgeSeconds: 600 });
    const text = render(stateOf([[s, [ep('10.180.0.1'), ep('10.180.0.2')]]]));
    const h = portProtoHash(s.name, 'tcp');
    const sep1 = endpointChainName(s.name, 'tcp', '10.180.0.1:80');
    const sep2 = endpointChainName(s.name, 'tcp', '10.180.0.2:80');
    expect(rulesOf(text, 'nat', `KUBE-SVC-${h}`).slice(1)).toEqual([
      `-A KUBE-SVC-${h} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --name ${sep1} --rcheck --seconds 600 --reap -j ${sep1}`,
      `-A KUBE-SVC-${h} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m recent --name ${sep2} --rcheck --seconds 600 --reap -j ${sep2}`,
      `-A KUBE-SVC-${h} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j ${sep1}`,
      `-A KUBE-SVC-${h} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j ${sep2}`,
    ]);
    expect(rulesOf(text, 'nat', sep2)[1]).toBe(
      `-A ${sep2} -m comment --comment ns1/svc1:p80 -m recent --name ${sep2} --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80`);
  });
});

describe('services without endpoints', () => {
  it('reject cluster IP, external IP, load balancer IP and NodePort traffic in filter', () => {
    const s = svc('ns1', 'svc1', { clusterIP: '172.30.0.41', nodePort: 3001, externalIPs: ['192.168.99.11'], loadBalancerIPs: ['1.2.3.4'] });
    const text = render(stateOf([[s, []]]));
    const reject = '-j REJECT --reject-with icmp-port-unreachable';
    expect(rulesOf(text, 'filter', 'KUBE-SERVICES')).toEqual([
      `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 ${reject}`]);
    expect(rulesOf(text, 'filter', 'KUBE-EXTERNAL-SERVICES')).toEqual([
      `-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 192.168.99.11 --dport 80 ${reject}`,
      `-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 ${reject}`,
      `-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 ${reject}`,
    ]);
    // No per-service nat chains at all.
    expect(parse(text).get('nat')!.chains.filter((c) => c.startsWith('KUBE-S') && c !== 'KUBE-SERVICES')).toEqual([]);
  });

  it('UDP ports are matched with -m udp -p udp', () => {
    const s = svc('ns1', 'dns', { clusterIP: '172.30.0.10', portName: 'dns', protocol: 'UDP', port: 53 });
    const text = render(stateOf([[s, []]]));
    expect(rulesOf(text, 'filter', 'KUBE-SERVICES')[0]).toContain('-m udp -p udp -d 172.30.0.10 --dport 53 -j REJECT');
  });
});

describe('node ports and large clusters', () => {
  it('with nodePortAddresses, jumps to KUBE-NODEPORTS per matching local IP instead of addrtype LOCAL', () => {
    const s = svc('ns3', 'svc3', { clusterIP: '172.30.0.43', nodePort: 3003 });
    const text = render(stateOf([[s, [ep('10.180.0.3')]]]), { ...CONFIG, nodePortIPs: ['192.168.0.2', '127.0.0.1'], localhostNodePorts: false });
    const tail = rulesOf(text, 'nat', 'KUBE-SERVICES').filter((r) => r.includes('KUBE-NODEPORTS'));
    expect(tail).toEqual([
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.0.2 -j KUBE-NODEPORTS']);
    expect(parse(text).get('filter')!.chains).not.toContain('KUBE-FIREWALL');
  });

  it('without localhost NodePorts, addrtype LOCAL excludes 127.0.0.0/8', () => {
    const text = render(stateOf([]), { ...CONFIG, localhostNodePorts: false });
    expect(rulesOf(text, 'nat', 'KUBE-SERVICES')).toEqual([
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS']);
  });

  it('drops per-endpoint comments above 1000 endpoints (upstream large cluster mode)', () => {
    const entries: Array<[ServicePortInfo, EndpointInfo[]]> = [];
    for (let i = 0; i < 501; i++) {
      entries.push([svc('ns', `s${i}`, { clusterIP: `172.30.${i >> 8}.${i & 255}` }), [ep(`10.1.${i >> 8}.${i & 255}`), ep(`10.2.${i >> 8}.${i & 255}`)]]);
    }
    const text = render(stateOf(entries));
    const sep = endpointChainName('ns/s0:p80', 'tcp', '10.1.0.0:80');
    expect(rulesOf(text, 'nat', sep)).toEqual([`-A ${sep} -s 10.1.0.0 -j KUBE-MARK-MASQ`, `-A ${sep} -m tcp -p tcp -j DNAT --to-destination 10.1.0.0:80`]);
    // KUBE-SERVICES keeps its comments.
    expect(rulesOf(text, 'nat', 'KUBE-SERVICES')).toContain(
      `-A KUBE-SERVICES -m comment --comment "ns/s0:p80 cluster IP" -m tcp -p tcp -d 172.30.0.0 --dport 80 -j KUBE-SVC-${portProtoHash('ns/s0:p80', 'tcp')}`);
  });

  it('serviceFragment counts exactly the rules it writes', () => {
    const s = svc('ns5', 'svc5', { clusterIP: '172.30.0.45', nodePort: 3002, loadBalancerIPs: ['5.6.7.8'], loadBalancerSourceRanges: ['192.168.0.0/24'], stickyMaxAgeSeconds: 30 });
    const f = serviceFragment(s, [ep('10.180.0.3'), ep('10.180.0.4')], { config: CONFIG, largeClusterMode: false, names: new NameCache(), nodeLabels: {} });
    const lines = (t: string): number => t.split('\n').filter(Boolean).length;
    expect(f.topRules).toBe(lines(f.top));
    expect(f.filterRules).toBe(lines(f.filter));
    expect(f.chainRuleCount).toBe(lines(f.chainRules));
    // The node IP is inside a source range: the LB IP itself is admitted as a source.
    expect(f.chainRules).toContain(`-s 5.6.7.8 -j KUBE-EXT-${portProtoHash(s.name, 'tcp')}`);
  });
});
