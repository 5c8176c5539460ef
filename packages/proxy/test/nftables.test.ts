// The nftables proxier against the kernel, inside a private network (test/support/netns.ts):
// a client namespace holding the rules and a bridge with two HTTP/UDP servers behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { NftablesProxier } from '../src/nftables/proxier.js';
import { execRunner } from '../src/exec.js';
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
  // Its only endpoint is server-0: server-0 calling it reaches itself (hairpin).
  const self = port('self', '10.96.4.14');
  let time = 0;
  // What the sticky service looks like now (the affinity cases change it).
  let stickyServers = [0, 1];
  let stickySeconds = 600;

  const stateWith = (webServers: number[]): ProxyState => {
    const tcp = (idx: number[]) => idx.map((i) => endpoint(net.servers[i]!.ip, SERVER_HTTP_PORT));
    return {
      services: new Map([web, { ...sticky, stickyMaxAgeSeconds: stickySeconds }, empty, dns, self].map((s) => [s.name, s])),
      endpoints: new Map([
        [web.name, tcp(webServers)],
        [sticky.name, tcp(stickyServers)],
        [empty.name, []],
        [dns.name, net.servers.map((s) => endpoint(s.ip, SERVER_UDP_PORT))],
        [self.name, tcp([0])],
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
  /** Our endpoint chains of one service (only session-affinity services have them). */
  const endpointChains = async (service: string): Promise<string[]> => (await nft('list', 'chains', 'ip')).split('\n')
    .map((l) => /chain (\S+) \{/.exec(l)?.[1] ?? '').filter((c) => c.startsWith('endpoint-') && c.includes(`/${service}/`));

  /** GET from inside server-`i`'s namespace (as that pod): the body, or the failure. */
  const getFromServer = async (i: number, ip: string, p: number): Promise<string> => {
    const r = await execRunner(net.servers[i]!.ns).run('timeout', ['3', 'busybox', 'wget', '-qO-', `http://${ip}:${p}/`]);
    return r.code === 0 ? r.stdout : `failed (${r.code}): ${r.stderr.trim()}`;
  };

  beforeAll(async () => {
    net = await makeTestNet('ktsx4', '10.250.4', 2);
    proxier = new NftablesProxier({
      runner: net.runner, logger: pino({ level: 'silent' }), masqueradeBit: 14, masqueradeAll: false,
      clusterCIDRs: [], nodePortAddresses: [],
    }, { now: () => time, staleChainDelayMs: 1000 });
    // As the CNI bridge plugin's hairpinMode does: with br_netfilter, a frame DNATed back to the
    // pod it came from must leave through the bridge port it came in on.
    for (const i of net.servers.keys()) {
      const r = await net.runner.run('ip', ['link', 'set', `v${i}`, 'type', 'bridge_slave', 'hairpin', 'on']);
      expect(r.code, r.stderr).toBe(0);
    }
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

  it('masquerades a pod reaching itself through its service (hairpin), and only then', async () => {
    const s0 = net.servers[0]!.ip;
    expect(await nft('list', 'set', 'ip', 'kube-proxy', 'endpoint-hairpin')).toContain(`${s0} . ${s0}`);
    expect(await getFromServer(0, self.clusterIP, 80)).toBe('server-0');
    // server-1 reaching server-0 is not masqueraded: server-0 sees server-1's own address.
    expect(await getFromServer(1, self.clusterIP, 80)).toBe('server-0');
    const conns = (await net.runner.run('conntrack', ['-L', '-p', 'tcp', '--orig-dst', self.clusterIP])).stdout;
    const fromS1 = conns.split('\n').filter((l) => l.includes(`src=${net.servers[1]!.ip} dst=${self.clusterIP}`));
    expect(fromS1.length).toBeGreaterThan(0);
    for (const l of fromS1) expect(l).toContain(`src=${s0} dst=${net.servers[1]!.ip}`);
    const fromS0 = conns.split('\n').filter((l) => l.includes(`src=${s0} dst=${self.clusterIP}`));
    expect(fromS0.length).toBeGreaterThan(0);
    // Masqueraded to the bridge address: the reply comes back through the node and is un-DNATed.
    for (const l of fromS0) expect(l).toMatch(new RegExp(`src=${s0} dst=${net.nodeIP} sport=${SERVER_HTTP_PORT} `));
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
    // server-0's hairpin element is still wanted by other services: it stays.
    expect(await getFromServer(0, self.clusterIP, 80)).toBe('server-0');

    // web DNATs inline: no endpoint chains, ever.
    expect(await endpointChains('web')).toEqual([]);
  });

  it('flushes a retired endpoint chain of an affine service now and deletes it in a later sync', async () => {
    time = 200;
    expect(await endpointChains('sticky')).toHaveLength(2);
    stickyServers = [1];
    await proxier.sync(stateWith([1]), { full: false, changed: new Set([sticky.name]) });
    expect(await names(sticky.clusterIP, 80, 4)).toEqual(new Set(['server-1']));
    const s0 = (await endpointChains('sticky')).filter((c) => c.includes(net.servers[0]!.ip));
    expect(s0).toHaveLength(1);
    expect(await nft('list', 'chain', 'ip', 'kube-proxy', s0[0]!)).not.toMatch(/dnat|jump|update/);
    time = 1250;
    await proxier.sync(stateWith([1]), { full: false, changed: new Set() });
    expect(await endpointChains('sticky')).toHaveLength(1);
    expect(await net.httpGet(web.clusterIP, 80)).toBe('server-1');
  });

  it('swaps a service between endpoint chains and inline DNAT as session affinity goes and comes', async () => {
    time = 1260;
    stickyServers = [0, 1];
    stickySeconds = 0;
    await proxier.sync(stateWith([1]), { full: false, changed: new Set([sticky.name]) });
    expect(await names(sticky.clusterIP, 80, 24)).toEqual(new Set(['server-0', 'server-1']));
    expect(await nft('list', 'sets', 'ip')).not.toMatch(/affinity-\S+sticky/);
    stickySeconds = 600;
    await proxier.sync(stateWith([1]), { full: false, changed: new Set([sticky.name]) });
    expect((await names(sticky.clusterIP, 80, 8)).size).toBe(1);
    expect(await endpointChains('sticky')).toHaveLength(2);
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
