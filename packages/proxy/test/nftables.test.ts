// The nftables proxier against the kernel, inside a private network (test/support/netns.ts):
// a client namespace holding the rules and a bridge with two HTTP/UDP servers behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { NftablesProxier } from '../src/nftables/proxier.js';
import type { EndpointInfo, ProxyState, ServicePortInfo } from '../src/types.js';
import { haveNetTools, makeTestNet, SERVER_HTTP_PORT, SERVER_UDP_PORT, type TestNet } from './support/netns.js';

function port(name: string, clusterIP: string, over: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name: `default/${name}:http`, namespace: 'default', serviceName: name, portName: 'http', protocol: 'TCP', clusterIP, port: 80,
    nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0, ...over,
  };
}

function endpoint(ip: string, p: number): EndpointInfo {
  return { endpoint: `${ip}:${p}`, ip, port: p, ready: true, serving: true, terminating: false, isLocal: true, nodeName: 'node' };
}

describe.skipIf(!haveNetTools())('nftables proxier in a network namespace', () => {
  let net: TestNet;
  let proxier: NftablesProxier;
  const web = port('web', '10.96.4.10', { nodePort: 30080 });
  const sticky = port('sticky', '10.96.4.11', { stickyMaxAgeSeconds: 600 });
  const empty = port('empty', '10.96.4.12');
  const dns = port('dns', '10.96.4.13', { name: 'default/dns:dns', serviceName: 'dns', portName: 'dns', protocol: 'UDP', port: 53 });
  let time = 0;

  const stateWith = (webServers: number[]): ProxyState => {
    const tcp = (idx: number[]) => idx.map((i) => endpoint(net.servers[i]!.ip, SERVER_HTTP_PORT));
    return {
      services: new Map([web, sticky, empty, dns].map((s) => [s.name, s])),
      endpoints: new Map([
        [web.name, tcp(webServers)],
        [sticky.name, tcp([0, 1])],
        [empty.name, []],
        [dns.name, net.servers.map((s) => endpoint(s.ip, SERVER_UDP_PORT))],
      ]),
      nodeName: 'node', nodeIPs: [net.nodeIP], nodeLabels: {},
    };
  };

  const names = async (ip: string, p: number, n: number): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await net.httpGet(ip, p));
    return seen;
  };

  const nft = async (...args: string[]): Promise<string> => (await net.runner.run('nft', args)).stdout;

  beforeAll(async () => {
    net = await makeTestNet('ktsx4', '10.250.4', 2);
    proxier = new NftablesProxier({
      runner: net.runner, logger: pino({ level: 'silent' }), masqueradeBit: 14, masqueradeAll: false,
      clusterCIDRs: [], nodePortAddresses: [],
    }, { now: () => time, staleChainDelayMs: 1000 });
    // A table a crashed run may have left behind.
    await proxier.cleanup();
  });

  afterAll(async () => {
    await proxier?.cleanup().catch(() => undefined);
    await net?.cleanup();
  });

  it('balances a ClusterIP over both servers and serves the NodePort on the node IP', async () => {
    const res = await proxier.sync(stateWith([0, 1]), { full: true, changed: new Set() });
    expect(res.full).toBe(true);
    expect(res.ruleCounts.chains).toBeGreaterThan(20);
    expect(await names(web.clusterIP, 80, 24)).toEqual(new Set(['server-0', 'server-1']));
    expect(['server-0', 'server-1']).toContain(await net.httpGet(net.nodeIP, 30080));
    expect(['server-0', 'server-1']).toContain(await net.udpRequest(dns.clusterIP, 53));
  });

  it('keeps a ClientIP-affine client on one server', async () => {
    const seen = await names(sticky.clusterIP, 80, 12);
    expect(seen.size).toBe(1);
  });

  it('refuses connections to a service without endpoints, and to undefined ports of a ClusterIP, at once', async () => {
    const r = await net.tcpConnect(empty.clusterIP, 80, 3000);
    expect(r.ok).toBe(false);
    expect(r.code).toBe('ECONNREFUSED');
    expect(r.ms).toBeLessThan(500);
    const wrongPort = await net.tcpConnect(web.clusterIP, 81, 3000);
    expect(wrongPort.code).toBe('ECONNREFUSED');
  });

  it('applies an endpoint change incrementally while the other services keep working', async () => {
    time = 100;
    const res = await proxier.sync(stateWith([1]), { full: false, changed: new Set([web.name]) });
    expect(res.full).toBe(false);
    const script = proxier.lastSync.script;
    expect(script).not.toMatch(/sticky|empty|dns/);
    expect(script).toMatch(/default\/web\/tcp\/http/);
    expect(await names(web.clusterIP, 80, 10)).toEqual(new Set(['server-1']));
    expect(await net.httpGet(net.nodeIP, 30080)).toBe('server-1');
    expect((await names(sticky.clusterIP, 80, 4)).size).toBe(1);
    expect(['server-0', 'server-1']).toContain(await net.udpRequest(dns.clusterIP, 53));

    // The retired endpoint chain is flushed now and deleted by a later sync.
    const gone = `endpoint-`;
    const chainsOf = async (): Promise<string[]> => (await nft('list', 'chains', 'ip')).split('\n')
      .map((l) => /chain (\S+) \{/.exec(l)?.[1] ?? '').filter((c) => c.startsWith(gone) && c.includes('web') && c.includes(net.servers[0]!.ip));
    expect(await chainsOf()).toHaveLength(1);
    time = 1200;
    await proxier.sync(stateWith([1]), { full: false, changed: new Set() });
    expect(await chainsOf()).toHaveLength(0);
    expect(await net.httpGet(web.clusterIP, 80)).toBe('server-1');
  });

  it('turns a service to reject when its endpoints go, and back', async () => {
    time = 1300;
    await proxier.sync(stateWith([]), { full: false, changed: new Set([web.name]) });
    expect((await net.tcpConnect(web.clusterIP, 80, 3000)).code).toBe('ECONNREFUSED');
    expect((await net.tcpConnect(net.nodeIP, 30080, 3000)).code).toBe('ECONNREFUSED');
    await proxier.sync(stateWith([0]), { full: false, changed: new Set([web.name]) });
    expect(await net.httpGet(web.clusterIP, 80)).toBe('server-0');
  });

  it('a periodic full sync rewrites the same rules without breaking anything', async () => {
    time = 1400;
    const res = await proxier.sync(stateWith([0]), { full: true, changed: new Set() });
    expect(res.full).toBe(true);
    expect(await net.httpGet(web.clusterIP, 80)).toBe('server-0');
    expect((await names(sticky.clusterIP, 80, 4)).size).toBe(1);
  });

  it('cleanup leaves no table', async () => {
    await proxier.cleanup();
    expect(await nft('list', 'tables')).not.toMatch(/kube-proxy/);
    await proxier.cleanup();
  });
});
