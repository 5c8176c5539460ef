// The nftables proxier's scripts, checked without a kernel: upstream's names and hashes, the
// full-sync layout, and that incremental syncs write only what the changed services own.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { CommandResult, CommandRunner, EndpointInfo, ProxierOptions, ProxyState, ServicePortInfo } from '../../src/types.js';
import { NftablesProxier } from '../../src/nftables/proxier.js';
import { endpointNames, serviceChainNames, servicePortEndpointChainNameBase } from '../../src/nftables/names.js';
import { masqueradeMark } from '../../src/nftables/layout.js';


function svcPort(ns: string, name: string, over: Partial<ServicePortInfo> = {}): ServicePortInfo {
  const portName = over.portName ?? 'p80';
  return {
    name: portName ? `${ns}/${name}:${portName}` : `${ns}/${name}`,
    namespace: ns, serviceName: name, portName, protocol: 'TCP', clusterIP: '172.30.0.41', port: 80, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0, ...over,
  };
}

function ep(ip: string, port = 80, over: Partial<EndpointInfo> = {}): EndpointInfo {
  return { endpoint: `${ip}:${port}`, ip, port, ready: true, serving: true, terminating: false, isLocal: false, ...over };
}

function state(entries: Array<[ServicePortInfo, EndpointInfo[]]>, over: Partial<ProxyState> = {}): ProxyState {
  return {
    services: new Map(entries.map(([s]) => [s.name, s])),
    endpoints: new Map(entries.map(([s, e]) => [s.name, e])),
    nodeName: 'test-node', nodeIPs: ['192.168.0.2'], nodeLabels: {}, ...over,
  };
}

interface Call { cmd: string; args: string[]; stdin?: string }

class FakeRunner implements CommandRunner {
  readonly calls: Call[] = [];
  /** Chains `nft -j list chains ip` reports. */
  chains: string[] = [];
  sets: string[] = [];
  /** Makes `nft -f` fail when the script matches. */
  failWhen: ((script: string) => boolean) | undefined;

  async run(cmd: string, args: string[], stdin?: string): Promise<CommandResult> {
    this.calls.push({ cmd, args, stdin });
    if (args.includes('list')) {
      const kind = args.includes('chains') ? 'chain' : 'set';
      const names = kind === 'chain' ? this.chains : this.sets;
      const items = names.map((name) => ({ [kind]: { family: 'ip', table: 'kube-proxy', name, handle: 1 } }));
      return { code: 0, stdout: JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6' } }, ...items] }), stderr: '' };
    }
    if (args[0] === '-f' && this.failWhen?.(stdin ?? '')) return { code: 1, stdout: '', stderr: 'Error: Could not process rule: Device or resource busy' };
    return { code: 0, stdout: '', stderr: '' };
  }

  /** Scripts passed to `nft -f -`, in order. */
  scripts(): string[] {
    return this.calls.filter((c) => c.args[0] === '-f').map((c) => c.stdin ?? '');
  }

  last(): string[] {
    return (this.scripts().at(-1) ?? '').split('\n').filter((l) => l !== '');
  }
}

function options(runner: CommandRunner, over: Partial<ProxierOptions> = {}): ProxierOptions {
  return {
    runner, logger: pino({ level: 'silent' }), masqueradeBit: 14, masqueradeAll: false,
    clusterCIDRs: ['10.0.0.0/8'], nodePortAddresses: [], ...over,
  };
}

const SVC1 = 'service-ULMVA6XW-ns1/svc1/tcp/p80';
const EP1 = 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80';

describe('nftables names', () => {
  it('hashes chain names exactly as upstream', () => {
    const port = (ns: string, name: string) => ({ namespace: ns, serviceName: name, portName: 'p80', protocol: 'TCP' as const });
    expect(serviceChainNames(port('ns1', 'svc1')).clusterPolicy).toBe(SVC1);
    expect(serviceChainNames(port('ns2', 'svc2')).external).toBe('external-42NFTM6N-ns2/svc2/tcp/p80');
    expect(serviceChainNames(port('ns5', 'svc5')).firewall).toBe('firewall-HVFWP5L3-ns5/svc5/tcp/p80');
    expect(serviceChainNames(port('ns4', 'svc4')).localPolicy).toBe('local-LAUZTJTB-ns4/svc4/tcp/p80');
    expect(endpointNames(port('ns1', 'svc1'), { ip: '10.180.0.1', port: 80 }).chain).toBe(EP1);
    expect(endpointNames(port('ns4', 'svc4'), { ip: '10.180.0.5', port: 80 }).chain).toBe('endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80');
    expect(endpointNames(port('ns5', 'svc5'), { ip: '10.180.0.3', port: 80 }).affinitySet).toBe('affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80');
  });

  it('truncates over-long names behind their hash', () => {
    const long = 'a'.repeat(63);
    const base = servicePortEndpointChainNameBase({ namespace: long, serviceName: long, portName: long, protocol: 'TCP' }, { ip: 'fd00:1234:5678:9abc:def0:1234:5678:9abc', port: 65535 });
    expect(base.length).toBe(239);
    expect(base.endsWith('...')).toBe(true);
    expect(base).toMatch(/^[A-Z2-7]{8}-a+\//);
  });

  it('writes the masquerade mark as Go %#08x', () => {
    expect(masqueradeMark(14)).toBe('0x004000');
    expect(masqueradeMark(0)).toBe('0x000001');
  });
});

describe('nftables full sync', () => {
  const upstreamServices = (): ProxyState => state([
    [svcPort('ns1', 'svc1', { clusterIP: '172.30.0.41' }), [ep('10.180.0.1')]],
    [svcPort('ns2', 'svc2', { clusterIP: '172.30.0.42', nodePort: 3001, externalPolicyLocal: true, loadBalancerIPs: ['1.2.3.4'], externalIPs: ['192.168.99.22'], healthCheckNodePort: 30000 }), [ep('10.180.0.2')]],
    [svcPort('ns3', 'svc3', { clusterIP: '172.30.0.43', nodePort: 3003 }), [ep('10.180.0.3')]],
    [svcPort('ns4', 'svc4', { clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'] }), [ep('10.180.0.4'), ep('10.180.0.5', 80, { isLocal: true })]],
    [svcPort('ns5', 'svc5', { clusterIP: '172.30.0.45', nodePort: 3002, loadBalancerIPs: ['5.6.7.8'], loadBalancerSourceRanges: [' 203.0.113.0/25'], stickyMaxAgeSeconds: 10800 }), [ep('10.180.0.3')]],
    [svcPort('ns6', 'svc6', { clusterIP: '172.30.0.46' }), []],
  ], { nodeIPs: ['192.168.0.2'] });

  it('declares the upstream layout and every service as upstream TestOverallNFTablesRules', async () => {
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r));
    const res = await p.sync(upstreamServices(), { full: true, changed: new Set() });
    expect(res.full).toBe(true);
    const lines = r.last();
    const expected = [
      'add table ip kube-proxy { comment "rules for kube-proxy" ; }',
      'add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }',
      'add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }',
      'add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }',
      'add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check',
      'add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check',
      'add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
      'add rule ip kube-proxy mark-for-masquerade mark set mark or 0x004000',
      // Not upstream: hairpin traffic of inline-DNAT services is marked here, not in endpoint chains.
      'add set ip kube-proxy endpoint-hairpin { type ipv4_addr . ipv4_addr ; comment "endpoint . endpoint for hairpin traffic of inline-DNAT services" ; }',
      'add rule ip kube-proxy masquerading ct status dnat ip saddr . ip daddr @endpoint-hairpin jump mark-for-masquerade',
      'flush set ip kube-proxy endpoint-hairpin',
      'add rule ip kube-proxy masquerading mark and 0x004000 == 0 return',
      'add rule ip kube-proxy masquerading masquerade fully-random',
      'add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }',
      'add element ip kube-proxy nodeport-ips { 192.168.0.2 }',
      'add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }',
      'add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips',
      'add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
      'add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
      'add rule ip kube-proxy reject-chain reject',
      // svc1
      `add rule ip kube-proxy ${SVC1} ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade`,
      // Upstream: `goto ${EP1}`, and EP1 holds `ip saddr 10.180.0.1 jump mark-for-masquerade` and
      // the DNAT. Without session affinity we DNAT in the service chain and list the endpoint for
      // hairpin masquerading instead (no chain per endpoint).
      `add rule ip kube-proxy ${SVC1} meta l4proto tcp dnat to 10.180.0.1:80`,
      'add element ip kube-proxy endpoint-hairpin { 10.180.0.1 . 10.180.0.1 }',
      'add element ip kube-proxy cluster-ips { 172.30.0.41 }',
      `add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto ${SVC1} }`,
      // svc2: Local policy without local endpoints
      'add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"',
      'add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"',
      'add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"',
      'add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }',
      'add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }',
      'add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }',
      'add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }',
      'add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }',
      // svc3 NodePort
      'add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade',
      'add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80',
      'add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }',
      // svc4: two endpoints
      // Upstream: one `numgen random mod 2 vmap { 0 : goto A , 1 : goto B }` to two endpoint
      // chains; we draw in sequence (no anonymous map) and DNAT inline (no endpoint chains).
      'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 0 meta l4proto tcp dnat to 10.180.0.4:80',
      'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 meta l4proto tcp dnat to 10.180.0.5:80',
      'add element ip kube-proxy endpoint-hairpin { 10.180.0.4 . 10.180.0.4 }',
      'add element ip kube-proxy endpoint-hairpin { 10.180.0.5 . 10.180.0.5 }',
      'add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }',
      // svc5: affinity + source ranges: endpoint chains as upstream (they refresh the affinity entry)
      'add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
      'add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }',
      'add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
      'add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
      'add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade',
      'add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }',
      'add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80',
      'add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop',
      'add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }',
      // svc6: no endpoints → reject
      'add element ip kube-proxy cluster-ips { 172.30.0.46 }',
      'add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }',
    ];
    for (const l of expected) expect(lines).toContain(l);
    // svc2's local chain is absent (no local endpoints) and so is its "goto" to it.
    expect(lines.some((l) => l.includes('local-42NFTM6N'))).toBe(false);
    expect(lines).not.toContain('add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 goto service-42NFTM6N-ns2/svc2/tcp/p80');
    // svc6 has no chains at all.
    expect(lines.some((l) => l.includes('ns6/svc6') && l.startsWith('add chain'))).toBe(false);
    // The only endpoint chain is svc5's (session affinity); its endpoint's hairpin is in that chain,
    // so 10.180.0.3 is in the set for svc3 (no affinity, same endpoint IP) only: once.
    expect(lines.filter((l) => l.startsWith('add chain ip kube-proxy endpoint-'))).toEqual(['add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80']);
    expect(lines.filter((l) => l.startsWith('add element ip kube-proxy endpoint-hairpin')).sort()).toEqual(
      ['10.180.0.1', '10.180.0.2', '10.180.0.3', '10.180.0.4', '10.180.0.5'].map((ip) => `add element ip kube-proxy endpoint-hairpin { ${ip} . ${ip} }`),
    );
    expect(res.ruleCounts.elements).toBe(lines.filter((l) => l.startsWith('add element')).length);
    expect(res.ruleCounts.rules).toBe(lines.filter((l) => l.startsWith('add rule')).length);
  });

  it('declares every chain before a rule or element refers to it', async () => {
    const r = new FakeRunner();
    await new NftablesProxier(options(r)).sync(upstreamServices(), { full: true, changed: new Set() });
    const declared = new Set<string>();
    for (const l of r.last()) {
      const m = /^add chain ip kube-proxy (\S+)/.exec(l);
      if (m) { declared.add(m[1]!); continue; }
      for (const ref of l.matchAll(/(?:goto|jump) ([^\s,}]+)/g)) expect(declared.has(ref[1]!), `${ref[1]} in: ${l}`).toBe(true);
    }
  });

  it('uses fib local addresses when --nodeport-addresses is 0.0.0.0/0 and masquerades everything with --masquerade-all', async () => {
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r, { nodePortAddresses: ['0.0.0.0/0'], masqueradeAll: true, clusterCIDRs: [] }));
    await p.sync(state([[svcPort('ns1', 'svc1'), [ep('10.180.0.1')]]]), { full: true, changed: new Set() });
    const lines = r.last();
    expect(lines).toContain('delete set ip kube-proxy nodeport-ips');
    expect(lines).toContain('add rule ip kube-proxy services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports');
    expect(lines).toContain(`add rule ip kube-proxy ${SVC1} ip daddr 172.30.0.41 tcp dport 80 jump mark-for-masquerade`);
  });

  it('retires chains and affinity sets an earlier run left behind, endpoint chains of the upstream layout included', async () => {
    const r = new FakeRunner();
    // EP1: svc1's endpoint chain as upstream (and our earlier layout) had it; svc1 has no affinity.
    r.chains = ['services', SVC1, EP1, 'service-XXXXXXXX-old/gone/tcp/p80'];
    r.sets = ['cluster-ips', 'affinity-XXXXXXXX-old/gone/tcp/p80__10.1.1.1/80'];
    let t = 1000;
    const p = new NftablesProxier(options(r), { now: () => t });
    await p.sync(state([[svcPort('ns1', 'svc1'), [ep('10.180.0.1')]]]), { full: true, changed: new Set() });
    let lines = r.last();
    expect(lines).toContain('flush chain ip kube-proxy service-XXXXXXXX-old/gone/tcp/p80');
    expect(lines).toContain(`flush chain ip kube-proxy ${EP1}`);
    expect(lines).not.toContain(`add chain ip kube-proxy ${EP1}`);
    expect(lines).toContain('delete set ip kube-proxy affinity-XXXXXXXX-old/gone/tcp/p80__10.1.1.1/80');
    // (The first sync recreates the base chains: those are the only chains it deletes.)
    expect(lines.some((l) => l.startsWith('delete chain') && l.includes('/'))).toBe(false);
    // svc1's own chain no longer refers to EP1 (it is rewritten before EP1 is flushed, in one transaction).
    expect(lines).toContain(`add rule ip kube-proxy ${SVC1} meta l4proto tcp dnat to 10.180.0.1:80`);
    t += 1500;
    await p.sync(state([[svcPort('ns1', 'svc1'), [ep('10.180.0.1')]]]), { full: true, changed: new Set() });
    lines = r.last();
    expect(lines.slice(0, 2).sort()).toEqual([`delete chain ip kube-proxy ${EP1}`, 'delete chain ip kube-proxy service-XXXXXXXX-old/gone/tcp/p80']);
    expect(lines.filter((l) => l.startsWith('delete chain'))).toHaveLength(2);
  });
});

describe('nftables incremental sync', () => {
  const many = (n: number): Array<[ServicePortInfo, EndpointInfo[]]> =>
    Array.from({ length: n }, (_, i) => [svcPort('ns', `svc${i}`, { clusterIP: `172.30.1.${i + 1}` }), [ep(`10.1.0.${i + 1}`), ep(`10.2.0.${i + 1}`)]]);

  async function synced(n = 5, tuning = {}) {
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r), tuning);
    const entries = many(n);
    await p.sync(state(entries), { full: true, changed: new Set() });
    return { r, p, entries };
  }

  it('writes only the changed service when one endpoint changes', async () => {
    const { r, p, entries } = await synced();
    const before = (await p.sync(state(entries), { full: false, changed: new Set() })).ruleCounts;
    entries[2]![1] = [ep('10.1.0.3'), ep('10.3.0.3')];
    const res = await p.sync(state(entries), { full: false, changed: new Set(['ns/svc2:p80']) });
    expect(res.full).toBe(false);
    const lines = r.last();
    const svc = serviceChainNames(entries[2]![0]).clusterPolicy;
    // Only svc2's chain (no endpoint chains: no affinity) and the hairpin elements of its endpoints.
    expect(lines).toEqual([
      `add chain ip kube-proxy ${svc}`,
      `flush chain ip kube-proxy ${svc}`,
      `add rule ip kube-proxy ${svc} ip daddr 172.30.1.3 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade`,
      `add rule ip kube-proxy ${svc} numgen random mod 2 0 meta l4proto tcp dnat to 10.1.0.3:80`,
      `add rule ip kube-proxy ${svc} meta l4proto tcp dnat to 10.3.0.3:80`,
      'delete element ip kube-proxy endpoint-hairpin { 10.2.0.3 . 10.2.0.3 }',
      'add element ip kube-proxy endpoint-hairpin { 10.3.0.3 . 10.3.0.3 }',
    ]);
    expect(res.ruleCounts).toEqual(before);
  });

  it('keeps a hairpin element while another service port still DNATs to that endpoint', async () => {
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r));
    const a = svcPort('ns', 'a', { clusterIP: '172.30.9.1' });
    const b = svcPort('ns', 'b', { clusterIP: '172.30.9.2' });
    await p.sync(state([[a, [ep('10.1.1.1')]], [b, [ep('10.1.1.1', 8080), ep('10.1.1.2', 8080)]]]), { full: true, changed: new Set() });
    expect(r.last().filter((l) => l.includes('endpoint-hairpin { 10.1.1.1 . 10.1.1.1 }'))).toHaveLength(1);
    await p.sync(state([[a, [ep('10.1.1.1')]]]), { full: false, changed: new Set([b.name]) });
    expect(r.last()).toContain('delete element ip kube-proxy endpoint-hairpin { 10.1.1.2 . 10.1.1.2 }');
    expect(r.last().some((l) => l.includes('10.1.1.1 . 10.1.1.1'))).toBe(false);
    await p.sync(state([[a, [ep('10.1.1.3')]]]), { full: false, changed: new Set([a.name]) });
    expect(r.last()).toContain('delete element ip kube-proxy endpoint-hairpin { 10.1.1.1 . 10.1.1.1 }');
    expect(r.last()).toContain('add element ip kube-proxy endpoint-hairpin { 10.1.1.3 . 10.1.1.3 }');
  });

  it('gives a service endpoint chains when it turns session affinity on, and inline DNAT back when it turns it off', async () => {
    let t = 0;
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r), { now: () => t, staleChainDelayMs: 1000 });
    const s = svcPort('ns', 'sticky', { clusterIP: '172.30.9.3' });
    const eps = [ep('10.1.1.1'), ep('10.1.1.2')];
    const svc = serviceChainNames(s).clusterPolicy;
    const epChain = (ip: string): string => endpointNames(s, { ip, port: 80 }).chain;
    await p.sync(state([[s, eps]]), { full: true, changed: new Set() });
    const plain = (await p.sync(state([[s, eps]]), { full: false, changed: new Set() })).ruleCounts;

    await p.sync(state([[{ ...s, stickyMaxAgeSeconds: 60 }, eps]]), { full: false, changed: new Set([s.name]) });
    let lines = r.last();
    for (const ip of ['10.1.1.1', '10.1.1.2']) {
      expect(lines).toContain(`add chain ip kube-proxy ${epChain(ip)}`);
      expect(lines).toContain(`add rule ip kube-proxy ${epChain(ip)} ip saddr ${ip} jump mark-for-masquerade`);
      expect(lines).toContain(`delete element ip kube-proxy endpoint-hairpin { ${ip} . ${ip} }`);
    }
    expect(lines).toContain(`add rule ip kube-proxy ${svc} numgen random mod 2 0 goto ${epChain('10.1.1.1')}`);

    t = 100;
    const res = await p.sync(state([[s, eps]]), { full: false, changed: new Set([s.name]) });
    lines = r.last();
    expect(lines).toContain(`add rule ip kube-proxy ${svc} numgen random mod 2 0 meta l4proto tcp dnat to 10.1.1.1:80`);
    for (const ip of ['10.1.1.1', '10.1.1.2']) {
      expect(lines).toContain(`flush chain ip kube-proxy ${epChain(ip)}`);
      expect(lines).toContain(`add element ip kube-proxy endpoint-hairpin { ${ip} . ${ip} }`);
    }
    expect(lines.filter((l) => l.startsWith('delete set ip kube-proxy affinity-'))).toHaveLength(2);
    expect(res.ruleCounts).toEqual(plain);
    // The endpoint chains go a stale-chain delay later.
    t = 1200;
    await p.sync(state([[s, eps]]), { full: false, changed: new Set() });
    expect(r.last().sort()).toEqual([`delete chain ip kube-proxy ${epChain('10.1.1.1')}`, `delete chain ip kube-proxy ${epChain('10.1.1.2')}`]);
  });

  it('deletes a removed service\'s elements now and its chains in a later sync', async () => {
    let t = 0;
    const { r, p, entries } = await synced(3, { now: () => t, staleChainDelayMs: 1000 });
    const gone = entries.splice(1, 1)[0]![0];
    const names = serviceChainNames(gone);
    t = 100;
    const before = (await p.sync(state(entries), { full: false, changed: new Set() })).ruleCounts;
    const res = await p.sync(state(entries), { full: false, changed: new Set([gone.name]) });
    let lines = r.last();
    expect(lines.sort()).toEqual([
      'delete element ip kube-proxy cluster-ips { 172.30.1.2 }',
      'delete element ip kube-proxy endpoint-hairpin { 10.1.0.2 . 10.1.0.2 }',
      'delete element ip kube-proxy endpoint-hairpin { 10.2.0.2 . 10.2.0.2 }',
      'delete element ip kube-proxy service-ips { 172.30.1.2 . tcp . 80 }',
      `flush chain ip kube-proxy ${names.clusterPolicy}`,
    ]);
    expect(res.ruleCounts.elements).toBe(before.elements - 4);
    expect(res.ruleCounts.chains).toBe(before.chains - 1);

    // Too early: nothing to do, no nft run.
    const runs = r.scripts().length;
    t = 600;
    await p.sync(state(entries), { full: false, changed: new Set() });
    expect(r.scripts().length).toBe(runs);
    // Later: the stale chains go, in their own sync, ahead of anything else.
    t = 1200;
    await p.sync(state(entries), { full: false, changed: new Set() });
    lines = r.last();
    expect(lines).toEqual([`delete chain ip kube-proxy ${names.clusterPolicy}`]);
  });

  it('keeps a ClusterIP element while another port of the service still uses it', async () => {
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r));
    const http = svcPort('ns', 'web', { portName: 'http', clusterIP: '172.30.9.9', port: 80 });
    const https = svcPort('ns', 'web', { portName: 'https', clusterIP: '172.30.9.9', port: 443 });
    await p.sync(state([[http, [ep('10.1.1.1')]], [https, [ep('10.1.1.1', 443)]]]), { full: true, changed: new Set() });
    await p.sync(state([[http, [ep('10.1.1.1')]]]), { full: false, changed: new Set([https.name]) });
    const lines = r.last();
    expect(lines).toContain('delete element ip kube-proxy service-ips { 172.30.9.9 . tcp . 443 }');
    expect(lines.some((l) => l.includes('cluster-ips'))).toBe(false);
  });

  it('swaps a service between its endpoints chain and reject as endpoints come and go', async () => {
    const { r, p, entries } = await synced(2);
    entries[0]![1] = [];
    await p.sync(state(entries), { full: false, changed: new Set(['ns/svc0:p80']) });
    let lines = r.last();
    expect(lines).toContain('delete element ip kube-proxy service-ips { 172.30.1.1 . tcp . 80 }');
    expect(lines).toContain('add element ip kube-proxy no-endpoint-services { 172.30.1.1 . tcp . 80 comment "ns/svc0:p80" : goto reject-chain }');
    entries[0]![1] = [ep('10.9.9.9')];
    await p.sync(state(entries), { full: false, changed: new Set(['ns/svc0:p80']) });
    lines = r.last();
    expect(lines).toContain('delete element ip kube-proxy no-endpoint-services { 172.30.1.1 . tcp . 80 }');
    expect(lines.some((l) => l.startsWith('add element ip kube-proxy service-ips { 172.30.1.1 . tcp . 80 : goto service-'))).toBe(true);
  });

  it('deletes a dropped affinity set after flushing the chains that use it', async () => {
    const r = new FakeRunner();
    const p = new NftablesProxier(options(r));
    const s = svcPort('ns', 'sticky', { stickyMaxAgeSeconds: 60 });
    await p.sync(state([[s, [ep('10.1.1.1')]]]), { full: true, changed: new Set() });
    await p.sync(state([[{ ...s, stickyMaxAgeSeconds: 0 }, [ep('10.1.1.1')]]]), { full: false, changed: new Set([s.name]) });
    const lines = r.last();
    const set = endpointNames(s, { ip: '10.1.1.1', port: 80 }).affinitySet;
    const del = lines.indexOf(`delete set ip kube-proxy ${set}`);
    expect(del).toBeGreaterThan(-1);
    for (const c of [serviceChainNames(s).clusterPolicy, endpointNames(s, { ip: '10.1.1.1', port: 80 }).chain]) {
      expect(lines.indexOf(`flush chain ip kube-proxy ${c}`)).toBeGreaterThan(-1);
      expect(lines.indexOf(`flush chain ip kube-proxy ${c}`)).toBeLessThan(del);
    }
  });

  it('falls back to a full sync after a failed one, and rejects the failed one', async () => {
    const { r, p, entries } = await synced(2);
    r.failWhen = () => true;
    entries[0]![1] = [];
    await expect(p.sync(state(entries), { full: false, changed: new Set(['ns/svc0:p80']) })).rejects.toThrow(/busy/);
    r.failWhen = undefined;
    const res = await p.sync(state(entries), { full: false, changed: new Set() });
    expect(res.full).toBe(true);
    expect(r.last()[0]).toBe('add table ip kube-proxy { comment "rules for kube-proxy" ; }');
  });

  it('retries without stale-chain deletions the kernel refuses', async () => {
    let t = 0;
    const { r, p, entries } = await synced(2, { now: () => t, staleChainDelayMs: 10 });
    entries.pop();
    await p.sync(state(entries), { full: false, changed: new Set(['ns/svc1:p80']) });
    t = 100;
    r.failWhen = (s) => s.includes('delete chain');
    entries[0]![1] = [];
    const res = await p.sync(state(entries), { full: false, changed: new Set(['ns/svc0:p80']) });
    expect(res.full).toBe(false);
    expect(r.last().some((l) => l.startsWith('delete chain'))).toBe(false);
    expect(r.last()).toContain('delete element ip kube-proxy service-ips { 172.30.1.1 . tcp . 80 }');
    // They are tried again later.
    r.failWhen = undefined;
    t = 200;
    await p.sync(state(entries), { full: false, changed: new Set() });
    expect(r.last().every((l) => l.startsWith('delete chain'))).toBe(true);
  });

  it('rewrites nodeport-ips when the node IPs change, without touching services', async () => {
    const { r, p, entries } = await synced(2);
    const res = await p.sync(state(entries, { nodeIPs: ['192.168.0.2', '192.168.0.7'] }), { full: false, changed: new Set() });
    expect(res.full).toBe(false);
    expect(r.last()).toEqual([
      'flush set ip kube-proxy nodeport-ips', 'add element ip kube-proxy nodeport-ips { 192.168.0.2 }', 'add element ip kube-proxy nodeport-ips { 192.168.0.7 }',
    ]);
  });

  it('syncs everything again when the node labels change (topology)', async () => {
    const { p, entries } = await synced(2);
    const res = await p.sync(state(entries, { nodeLabels: { 'topology.kubernetes.io/zone': 'a' } }), { full: false, changed: new Set() });
    expect(res.full).toBe(true);
  });
});

describe('nftables cleanup', () => {
  it('deletes both tables and tolerates their absence', async () => {
    const r = new FakeRunner();
    r.run = async (cmd, args, stdin) => {
      r.calls.push({ cmd, args, stdin });
      return { code: 1, stdout: '', stderr: 'Error: Could not process rule: No such file or directory' };
    };
    await new NftablesProxier(options(r)).cleanup();
    expect(r.calls.map((c) => c.args.join(' '))).toEqual(['delete table ip kube-proxy', 'delete table ip6 kube-proxy']);
  });
});
