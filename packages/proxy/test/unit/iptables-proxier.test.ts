// IptablesProxier against a recording command runner: full vs partial syncs, stale chain
// removal, jump rules, failure handling and cleanup — without touching any kernel table.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { IptablesProxier, masqueradeMark } from '../../src/iptables/proxier.js';
import { endpointChainName, portProtoHash } from '../../src/iptables/names.js';
import type { CommandResult, CommandRunner, EndpointInfo, ProxyState, ServicePortInfo } from '../../src/types.js';

interface Call { cmd: string; args: string[]; stdin?: string }

class FakeRunner implements CommandRunner {
  calls: Call[] = [];
  jumps = new Set<string>();
  natSave = '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n';
  filterSave = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';
  addrs = '';
  failRestore = false;
  version = 'iptables v1.8.9 (nf_tables)\n';

  async run(cmd: string, args: string[], stdin?: string): Promise<CommandResult> {
    this.calls.push({ cmd, args, stdin });
    const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
    if (cmd === 'iptables' && args[0] === '--version') return ok(this.version);
    if (cmd === 'iptables') {
      const op = args[3]!;
      const key = [args[2], ...args.slice(4)].join(' ');
      if (op === '-C') return this.jumps.has(key) ? ok() : { code: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
      if (op === '-I') this.jumps.add(key);
      if (op === '-D') {
        return this.jumps.delete(key) ? ok() : { code: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
      }
      return ok();
    }
    if (cmd === 'iptables-save') return ok(args[1] === 'nat' ? this.natSave : this.filterSave);
    if (cmd === 'iptables-restore') {
      return this.failRestore ? { code: 2, stdout: '', stderr: 'iptables-restore: line 3 failed' } : ok();
    }
    if (cmd === 'ip') return ok(this.addrs);
    if (cmd === 'sysctl') return ok(args[0] === '-n' ? '0\n' : '');
    return { code: 127, stdout: '', stderr: `unexpected ${cmd}` };
  }

  restores(): string[] {
    return this.calls.filter((c) => c.cmd === 'iptables-restore').map((c) => c.stdin ?? '');
  }
  lastRestore(): string {
    return this.restores().at(-1)!;
  }
  take(): Call[] {
    const c = this.calls;
    this.calls = [];
    return c;
  }
}

function svc(name: string, clusterIP: string, over: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name: `ns/${name}:p80`, namespace: 'ns', serviceName: name, portName: 'p80', protocol: 'TCP', clusterIP, port: 80,
    nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0, ...over,
  };
}
function ep(ip: string): EndpointInfo {
  return { endpoint: `${ip}:80`, ip, port: 80, ready: true, serving: true, terminating: false, isLocal: false };
}
function state(entries: Array<[ServicePortInfo, EndpointInfo[]]>): ProxyState {
  return {
    services: new Map(entries.map(([s]) => [s.name, s])),
    endpoints: new Map(entries.map(([s, e]) => [s.name, e])),
    nodeName: 'node-a', nodeIPs: ['192.168.0.2'], nodeLabels: {},
  };
}

const logger = pino({ level: 'silent' });
function make(runner: FakeRunner, over: Partial<ConstructorParameters<typeof IptablesProxier>[0]> = {}): IptablesProxier {
  return new IptablesProxier({ runner, logger, masqueradeBit: 14, masqueradeAll: false, clusterCIDRs: ['10.0.0.0/8'], nodePortAddresses: [], ...over });
}

const svcChain = (name: string): string => `KUBE-SVC-${portProtoHash(`ns/${name}:p80`, 'tcp')}`;
const sepChain = (name: string, ip: string): string => endpointChainName(`ns/${name}:p80`, 'tcp', `${ip}:80`);
const declared = (text: string): string[] => text.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!);
const countA = (text: string, table: string): number => text.split(`*${table}\n`)[1]!.split('COMMIT')[0]!.split('\n').filter((l) => l.startsWith('-A ')).length;

describe('IptablesProxier', () => {
  it('formats the masquerade mark as upstream (%#08x)', () => {
    expect(masqueradeMark(14)).toBe('0x00004000');
    expect(masqueradeMark(0)).toBe('0x00000001');
    expect(() => masqueradeMark(32)).toThrow();
  });

  it('first sync is full: installs jump rules, programs every service, counts the rules it wrote', async () => {
    const r = new FakeRunner();
    const p = make(r);
    const res = await p.sync(state([[svc('a', '172.30.0.1'), [ep('10.1.0.1')]], [svc('b', '172.30.0.2'), [ep('10.1.0.2')]]]), { full: false, changed: new Set() });
    expect(res.full).toBe(true);
    const text = r.lastRestore();
    expect(r.calls.filter((c) => c.cmd === 'iptables-restore').at(-1)!.args).toEqual(['-w', '5', '--noflush', '--counters']);
    expect(declared(text)).toEqual(expect.arrayContaining([svcChain('a'), svcChain('b'), sepChain('a', '10.1.0.1'), sepChain('b', '10.1.0.2')]));
    expect(res.ruleCounts).toEqual({ nat: countA(text, 'nat'), filter: countA(text, 'filter') });
    expect(text).toContain('-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000');
    // Upstream's 12 jump rules plus kubelet's two KUBE-FIREWALL ones.
    expect(r.jumps.size).toBe(14);
    expect(r.jumps).toContain('nat PREROUTING -m comment --comment kubernetes service portals -j KUBE-SERVICES');
    expect(r.jumps).toContain('filter FORWARD -m conntrack --ctstate NEW -m comment --comment kubernetes service portals -j KUBE-SERVICES');
  });

  it('a partial sync rewrites only the changed service chains but all of KUBE-SERVICES', async () => {
    const r = new FakeRunner();
    const p = make(r);
    const a = svc('a', '172.30.0.1');
    const b = svc('b', '172.30.0.2');
    const fullRes = await p.sync(state([[a, [ep('10.1.0.1')]], [b, [ep('10.1.0.2')]]]), { full: true, changed: new Set() });
    r.take();

    const next = state([[a, [ep('10.1.0.1')]], [b, [ep('10.1.0.2'), ep('10.1.0.3')]]]);
    const res = await p.sync(next, { full: false, changed: new Set([b.name]) });
    expect(res.full).toBe(false);
    const calls = r.take();
    // No jump checks and no iptables-save on a partial sync: just the restore.
    expect(calls.map((c) => c.cmd)).toEqual(['iptables-restore']);
    const text = calls[0]!.stdin!;
    const chains = declared(text);
    expect(chains).toContain(svcChain('b'));
    expect(chains).toContain(sepChain('b', '10.1.0.3'));
    expect(chains).not.toContain(svcChain('a'));
    expect(chains).not.toContain(sepChain('a', '10.1.0.1'));
    expect(text).not.toContain(`-A ${svcChain('a')} `);
    expect(text).toContain(`-d 172.30.0.1 --dport 80 -j ${svcChain('a')}`);
    expect(text).toContain(`-d 172.30.0.2 --dport 80 -j ${svcChain('b')}`);
    // Counts cover the kept chains too: the same as a full sync of the same state would report.
    const again = await make(new FakeRunner()).sync(next, { full: true, changed: new Set() });
    expect(res.ruleCounts).toEqual(again.ruleCounts);
    // One more balancing rule in KUBE-SVC plus the new KUBE-SEP chain's two rules.
    expect(res.ruleCounts.nat).toBe(fullRes.ruleCounts.nat + 3);
  });

  it('deletes chains of removed endpoints and services, remembered across syncs', async () => {
    const r = new FakeRunner();
    const p = make(r);
    const a = svc('a', '172.30.0.1');
    const b = svc('b', '172.30.0.2');
    await p.sync(state([[a, [ep('10.1.0.1'), ep('10.1.0.9')]], [b, [ep('10.1.0.2')]]]), { full: true, changed: new Set() });
    await p.sync(state([[a, [ep('10.1.0.1')]]]), { full: false, changed: new Set([a.name, b.name]) });
    const text = r.lastRestore();
    for (const gone of [sepChain('a', '10.1.0.9'), svcChain('b'), sepChain('b', '10.1.0.2')]) {
      expect(text).toContain(`:${gone} - [0:0]`);
      expect(text).toContain(`-X ${gone}\n`);
    }
    expect(text).not.toContain(`-X ${svcChain('a')}`);
    // Once deleted, they are not deleted again.
    await p.sync(state([[a, [ep('10.1.0.1')]]]), { full: false, changed: new Set([a.name]) });
    expect(r.lastRestore()).not.toContain('-X ');
  });

  it('a full sync removes stale service chains found by iptables-save, and leaves foreign chains alone', async () => {
    const r = new FakeRunner();
    r.natSave = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-OLDOLDOLDOLDOLD1 - [0:0]\n:KUBE-SEP-OLDOLDOLDOLDOLD2 - [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n:CNI-abc - [0:0]\nCOMMIT\n';
    await make(r).sync(state([[svc('a', '172.30.0.1'), [ep('10.1.0.1')]]]), { full: false, changed: new Set() });
    const text = r.lastRestore();
    expect(text).toContain('-X KUBE-SVC-OLDOLDOLDOLDOLD1\n');
    expect(text).toContain('-X KUBE-SEP-OLDOLDOLDOLDOLD2\n');
    expect(text).not.toContain('KUBE-KUBELET-CANARY');
    expect(text).not.toContain('CNI-abc');
  });

  it('reads iptables-save on the first full sync and after a failure, not on every full sync', async () => {
    const r = new FakeRunner();
    const p = make(r);
    const st = state([[svc('a', '172.30.0.1'), [ep('10.1.0.1')]]]);
    const saves = (): number => r.take().filter((c) => c.cmd === 'iptables-save').length;
    await p.sync(st, { full: true, changed: new Set() });
    expect(saves()).toBe(1);
    await p.sync(st, { full: true, changed: new Set() });
    expect(saves()).toBe(0);
    r.failRestore = true;
    await expect(p.sync(st, { full: true, changed: new Set() })).rejects.toThrow();
    r.failRestore = false;
    r.take();
    await p.sync(st, { full: true, changed: new Set() });
    expect(saves()).toBe(1);
  });

  it('rejects when iptables-restore fails, naming the line, and makes the next sync full', async () => {
    const r = new FakeRunner();
    const p = make(r);
    const a = svc('a', '172.30.0.1');
    await p.sync(state([[a, [ep('10.1.0.1')]]]), { full: true, changed: new Set() });
    r.failRestore = true;
    await expect(p.sync(state([[a, [ep('10.1.0.2')]]]), { full: false, changed: new Set([a.name]) })).rejects.toThrow(/line 3 failed[\s\S]*3: /);
    r.failRestore = false;
    r.take();
    const res = await p.sync(state([[a, [ep('10.1.0.2')]]]), { full: false, changed: new Set() });
    expect(res.full).toBe(true);
    expect(r.calls.some((c) => c.cmd === 'iptables' && c.args.includes('-C'))).toBe(true);
    expect(declared(r.lastRestore())).toContain(sepChain('a', '10.1.0.2'));
  });

  it('with --nodeport-addresses, targets the local addresses inside those CIDRs', async () => {
    const r = new FakeRunner();
    r.addrs = '1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 192.168.0.2/24 brd 192.168.0.255 scope global eth0\n3: eth1    inet 10.9.9.9/16 scope global eth1\n';
    const p = make(r, { nodePortAddresses: ['192.168.0.0/16'] });
    await p.sync(state([]), { full: true, changed: new Set() });
    const text = r.lastRestore();
    expect(text).toContain('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.0.2 -j KUBE-NODEPORTS');
    expect(text).not.toContain('10.9.9.9');
    expect(text).not.toContain('--dst-type LOCAL -j KUBE-NODEPORTS');
    // No loopback in the list: localhost NodePorts are off, so no route_localnet and no KUBE-FIREWALL.
    expect(r.calls.some((c) => c.cmd === 'sysctl' && c.args[0] === '-w')).toBe(false);
    expect(text).not.toContain(':KUBE-FIREWALL');
  });

  it('cleanup unlinks every jump and deletes only our chains', async () => {
    const r = new FakeRunner();
    const p = make(r);
    await p.sync(state([[svc('a', '172.30.0.1'), [ep('10.1.0.1')]]]), { full: true, changed: new Set() });
    r.natSave = `*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:${svcChain('a')} - [0:0]\n:${sepChain('a', '10.1.0.1')} - [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n:DOCKER - [0:0]\nCOMMIT\n`;
    r.filterSave = '*filter\n:INPUT ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-FORWARD - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-FIREWALL - [0:0]\n:OTHER - [0:0]\nCOMMIT\n';
    r.take();
    await p.cleanup();
    expect(r.jumps.size).toBe(0);
    const [nat, filter] = r.restores();
    expect(nat).toContain(`-X ${svcChain('a')}\n`);
    expect(nat).toContain('-X KUBE-SERVICES\n');
    expect(nat).toContain('-X KUBE-MARK-MASQ\n');
    expect(nat).not.toContain('KUBE-KUBELET-CANARY');
    expect(nat).not.toContain('DOCKER');
    expect(filter).toContain('-X KUBE-PROXY-FIREWALL\n');
    expect(filter).not.toContain('OTHER');
    expect(r.calls.some((c) => c.cmd === 'iptables' && c.args.join(' ') === '-w -t filter -X KUBE-FIREWALL')).toBe(true);
    // After cleanup the next sync starts over with a full one.
    const res = await p.sync(state([]), { full: false, changed: new Set() });
    expect(res.full).toBe(true);
  });

  it('lists the nat table first (-S) in restores that declare many chains, on iptables-nft only', async () => {
    const many: Array<[ServicePortInfo, EndpointInfo[]]> = [];
    for (let i = 0; i < 400; i++) many.push([svc(`s${i}`, `172.30.${i >> 8}.${i & 255}`), [ep(`10.1.${i >> 8}.${i & 255}`), ep(`10.2.${i >> 8}.${i & 255}`)]]);
    const r = new FakeRunner();
    const p = make(r);
    await p.sync(state(many), { full: true, changed: new Set() });
    expect(r.lastRestore()).toContain('COMMIT\n*nat\n-S\n:KUBE-SERVICES - [0:0]\n');
    await p.sync(state(many), { full: false, changed: new Set([many[0]![0].name]) });
    expect(r.lastRestore()).not.toContain('-S\n');

    const legacy = new FakeRunner();
    legacy.version = 'iptables v1.8.9 (legacy)\n';
    await make(legacy).sync(state(many), { full: true, changed: new Set() });
    expect(legacy.lastRestore()).not.toContain('-S\n');
  });

  it('orders KUBE-SERVICES by descending chain hash (cheap for iptables-nft-restore)', async () => {
    const list: Array<[ServicePortInfo, EndpointInfo[]]> = [];
    for (let i = 0; i < 50; i++) list.push([svc(`s${i}`, `172.30.0.${i}`), [ep(`10.1.0.${i}`)]]);
    const r = new FakeRunner();
    await make(r).sync(state(list), { full: true, changed: new Set() });
    const targets = r.lastRestore().split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES') && l.includes('KUBE-SVC-')).map((l) => l.split(' -j ')[1]!);
    expect(targets).toHaveLength(50);
    expect(targets).toEqual([...targets].sort().reverse());
  });
});
