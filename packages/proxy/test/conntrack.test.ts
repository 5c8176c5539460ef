// ConntrackCleaner against the real kernel: UDP flows through an nft DNAT rule in a network
// namespace of our own (ktsx1-*), listed with conntrack -L, then deleted by filter — only the
// flows the filter names.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ConntrackCleaner, staleConntrackFilters } from '../src/conntrack.js';
import { execRunner } from '../src/exec.js';
import type { EndpointInfo, ProxyState, ServicePortInfo } from '../src/types.js';

const CLIENT = 'ktsx1-ct-c';
const SERVER = 'ktsx1-ct-s';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const usable = process.getuid?.() === 0 && ['ip', 'nft', 'conntrack', 'bash'].every(has);

const sh = (args: string[]): string => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (ns: string, args: string[]): string => sh(['ip', 'netns', 'exec', ns, ...args]);
function delNs(ns: string): void {
  try { sh(['ip', 'netns', 'del', ns]); } catch { /* not there */ }
}

/** Sends one UDP datagram from the client namespace (bash's /dev/udp: no extra tools). */
const sendUDP = (ip: string, port: number): string => inNs(CLIENT, ['bash', '-c', `echo ping > /dev/udp/${ip}/${port}`]);

/** The client namespace's UDP flows as "origDst:origPort>replySrc" strings. */
function flows(): string[] {
  const out = inNs(CLIENT, ['conntrack', '-L', '-p', 'udp']);
  const res: string[] = [];
  for (const line of out.split('\n')) {
    const dst = [...line.matchAll(/dst=(\S+)/g)].map((m) => m[1]);
    const src = [...line.matchAll(/src=(\S+)/g)].map((m) => m[1]);
    const dport = /dport=(\d+)/.exec(line)?.[1];
    if (dst.length >= 1 && src.length >= 2) res.push(`${dst[0]}:${dport}>${src[1]}`);
  }
  return res.sort();
}

function sp(name: string, clusterIP: string): ServicePortInfo {
  return {
    name, namespace: 'ns', serviceName: name.slice(3), portName: '', protocol: 'UDP', clusterIP, port: 53, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0,
  };
}
const ep = (ip: string): EndpointInfo => ({ endpoint: `${ip}:5353`, ip, port: 5353, ready: true, serving: true, terminating: false, isLocal: false });

describe.skipIf(!usable)('ConntrackCleaner in a network namespace', () => {
  const logs: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => { logs.push(JSON.parse(l) as { level: number; msg: string }); } });
  const cleaner = new ConntrackCleaner(execRunner(CLIENT), logger);

  beforeAll(() => {
    delNs(CLIENT);
    delNs(SERVER);
    sh(['ip', 'netns', 'add', CLIENT]);
    sh(['ip', 'netns', 'add', SERVER]);
    sh(['ip', 'link', 'add', 'ktsx1c0', 'netns', CLIENT, 'type', 'veth', 'peer', 'name', 'ktsx1s0', 'netns', SERVER]);
    inNs(CLIENT, ['ip', 'addr', 'add', '10.250.0.1/24', 'dev', 'ktsx1c0']);
    inNs(CLIENT, ['ip', 'link', 'set', 'ktsx1c0', 'up']);
    inNs(CLIENT, ['ip', 'link', 'set', 'lo', 'up']);
    inNs(CLIENT, ['ip', 'route', 'add', '10.96.0.0/16', 'dev', 'ktsx1c0']);
    inNs(SERVER, ['ip', 'addr', 'add', '10.250.0.2/24', 'dev', 'ktsx1s0']);
    inNs(SERVER, ['ip', 'addr', 'add', '10.250.0.3/24', 'dev', 'ktsx1s0']);
    inNs(SERVER, ['ip', 'link', 'set', 'ktsx1s0', 'up']);
    // Two "services", each DNAT'ed to its own endpoint, as a proxier would.
    execFileSync('ip', ['netns', 'exec', CLIENT, 'nft', '-f', '-'], {
      input: `table ip ktsx1 {
        chain out { type nat hook output priority -100;
          ip daddr 10.96.0.10 udp dport 53 dnat to 10.250.0.2:5353
          ip daddr 10.96.0.11 udp dport 53 dnat to 10.250.0.3:5353
        }
      }\n`,
    });
  });

  afterAll(() => {
    delNs(CLIENT);
    delNs(SERVER);
  });

  it('deletes exactly the DNAT\'ed flow a filter names', async () => {
    sendUDP('10.96.0.10', 53);
    sendUDP('10.96.0.11', 53);
    expect(flows()).toEqual(['10.96.0.10:53>10.250.0.2', '10.96.0.11:53>10.250.0.3']);

    await cleaner.clear([{ protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53, dstNat: '10.250.0.2' }]);
    expect(flows()).toEqual(['10.96.0.11:53>10.250.0.3']);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a filter matching nothing is not an error', async () => {
    await cleaner.clear([
      { protocol: 'udp', origDst: '10.96.0.11', origDstPort: 53, dstNat: '10.250.0.99' },
      { protocol: 'sctp', origDst: '10.96.0.11', origDstPort: 53 },
    ]);
    expect(flows()).toEqual(['10.96.0.11:53>10.250.0.3']);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('clears what staleConntrackFilters finds when an endpoint goes away', async () => {
    sendUDP('10.96.0.10', 53);
    expect(flows()).toEqual(['10.96.0.10:53>10.250.0.2', '10.96.0.11:53>10.250.0.3']);
    const base = { nodeName: 'n', nodeIPs: ['10.250.0.1'], nodeLabels: {} };
    const services = new Map([['ns/a', sp('ns/a', '10.96.0.10')], ['ns/b', sp('ns/b', '10.96.0.11')]]);
    const prev: ProxyState = { ...base, services, endpoints: new Map([['ns/a', [ep('10.250.0.2')]], ['ns/b', [ep('10.250.0.3')]]]) };
    const next: ProxyState = { ...base, services, endpoints: new Map([['ns/a', [ep('10.250.0.2')]], ['ns/b', [ep('10.250.0.4')]]]) };
    const filters = staleConntrackFilters(prev, next);
    expect(filters).toEqual([{ protocol: 'udp', origDst: '10.96.0.11', origDstPort: 53, dstNat: '10.250.0.3' }]);
    await cleaner.clear(filters);
    expect(flows()).toEqual(['10.96.0.10:53>10.250.0.2']);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
