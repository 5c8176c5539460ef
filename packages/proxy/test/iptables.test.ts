// The iptables proxier on a real kernel, inside a private network namespace (client) with two
// server namespaces: the rules it writes must make Service traffic actually flow.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IptablesProxier } from '../src/iptables/proxier.js';
import type { EndpointInfo, ProxyState, ServicePortInfo, SyncChanges } from '../src/types.js';
import { SERVER_HTTP_PORT, SERVER_UDP_PORT, type TestNet, haveNetTools, makeTestNet } from './support/netns.js';

function svc(name: string, clusterIP: string, over: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name: `default/${name}:http`, namespace: 'default', serviceName: name, portName: 'http', protocol: 'TCP', clusterIP,
    port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0, ...over,
  };
}

function ep(ip: string, port: number): EndpointInfo {
  return { endpoint: `${ip}:${port}`, ip, port, ready: true, serving: true, terminating: false, isLocal: false };
}

describe.skipIf(!haveNetTools())('iptables proxier (kernel)', () => {
  let net: TestNet;
  let proxier: IptablesProxier;
  let s0: string;
  let s1: string;
  const services = new Map<string, ServicePortInfo>();
  const endpoints = new Map<string, EndpointInfo[]>();

  const web = svc('web', '10.96.3.10');
  const nodeport = svc('np', '10.96.3.11', { nodePort: 30080 });
  const sticky = svc('sticky', '10.96.3.12', { stickyMaxAgeSeconds: 60 });
  const empty = svc('empty', '10.96.3.13');
  const dns = svc('dns', '10.96.3.14', { name: 'default/dns:dns', portName: 'dns', protocol: 'UDP', port: 53 });

  const state = (): ProxyState => ({ services, endpoints, nodeName: 'node-x3', nodeIPs: [net.nodeIP], nodeLabels: {} });
  const sync = (changes: SyncChanges) => proxier.sync(state(), changes);
  const save = async (table: string): Promise<string> => (await net.runner.run('iptables-save', ['-t', table])).stdout;
  const bodies = async (ip: string, port: number, n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await net.httpGet(ip, port));
    return out;
  };

  beforeAll(async () => {
    net = await makeTestNet('ktsx3', '10.250.3', 2);
    s0 = net.servers[0]!.ip;
    s1 = net.servers[1]!.ip;
    proxier = new IptablesProxier({
      runner: net.runner, logger: pino({ level: 'silent' }), masqueradeBit: 14, masqueradeAll: false,
      clusterCIDRs: ['10.244.0.0/16'], nodePortAddresses: [],
    });
    const both = [ep(s0, SERVER_HTTP_PORT), ep(s1, SERVER_HTTP_PORT)];
    for (const s of [web, nodeport, sticky, empty, dns]) services.set(s.name, s);
    endpoints.set(web.name, both);
    endpoints.set(nodeport.name, both);
    endpoints.set(sticky.name, both);
    endpoints.set(dns.name, [ep(s0, SERVER_UDP_PORT)]);
  }, 60_000);

  afterAll(async () => {
    await net?.cleanup();
  });

  it('a full sync programs the rules it reports', async () => {
    const res = await sync({ full: true, changed: new Set() });
    expect(res.full).toBe(true);
    const ours = (text: string): number => text.split('\n').filter((l) => /^-A KUBE-/.test(l)).length;
    expect(ours(await save('nat'))).toBe(res.ruleCounts.nat);
    expect(ours(await save('filter'))).toBe(res.ruleCounts.filter);
    expect(await save('nat')).toMatch(/^-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m);
  });

  it('balances a ClusterIP across both endpoints', async () => {
    const seen = new Set(await bodies(web.clusterIP, 80, 24));
    expect(seen).toEqual(new Set(['server-0', 'server-1']));
  });

  it('serves a UDP ClusterIP', async () => {
    expect(await net.udpRequest(dns.clusterIP, 53)).toBe('server-0');
  });

  it('serves a NodePort on the node IP', async () => {
    const seen = new Set(await bodies(net.nodeIP, 30080, 12));
    expect(seen.size).toBeGreaterThan(0);
    for (const b of seen) expect(['server-0', 'server-1']).toContain(b);
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    const seen = await bodies(sticky.clusterIP, 80, 12);
    expect(new Set(seen).size).toBe(1);
  });

  it('refuses connections at once to a service without endpoints', async () => {
    const r = await net.tcpConnect(empty.clusterIP, 80, 3000);
    expect(r.ok).toBe(false);
    expect(r.code).toBe('ECONNREFUSED');
    expect(r.ms).toBeLessThan(1000);
  });

  it('a partial sync applies an endpoint change and removes the dropped endpoint chain', async () => {
    const webToS0 = new RegExp(`-A KUBE-SEP-\\S+ .*--comment "?default/web:http"? .*--to-destination ${s0.replace(/\./g, '\\.')}:8080`);
    expect(await save('nat')).toMatch(webToS0);
    endpoints.set(web.name, [ep(s1, SERVER_HTTP_PORT)]);
    const res = await sync({ full: false, changed: new Set([web.name]) });
    expect(res.full).toBe(false);
    expect(new Set(await bodies(web.clusterIP, 80, 10))).toEqual(new Set(['server-1']));
    // The other services were left as they were and still work.
    expect(await net.udpRequest(dns.clusterIP, 53)).toBe('server-0');
    const nat = await save('nat');
    expect(nat).not.toMatch(webToS0);
    expect(nat).toMatch(new RegExp(`--to-destination ${s1.replace(/\./g, '\\.')}:8080`));
  });

  it('an emptied service starts rejecting after a partial sync', async () => {
    endpoints.delete(sticky.name);
    await sync({ full: false, changed: new Set([sticky.name]) });
    const r = await net.tcpConnect(sticky.clusterIP, 80, 3000);
    expect(r.code).toBe('ECONNREFUSED');
  });

  it('a second full sync is idempotent (no duplicate jump rules)', async () => {
    await sync({ full: true, changed: new Set() });
    const nat = await save('nat');
    expect(nat.match(/-j KUBE-SERVICES$/gm)).toHaveLength(2); // PREROUTING and OUTPUT
    expect(new Set(await bodies(web.clusterIP, 80, 4))).toEqual(new Set(['server-1']));
  });

  it('cleanup leaves no KUBE-* chain or rule behind', async () => {
    await proxier.cleanup();
    for (const table of ['nat', 'filter', 'mangle']) expect(await save(table)).not.toContain('KUBE-');
  });
});
