// staleConntrackFilters (which UDP/SCTP flows a state change leaves stale) and ConntrackCleaner
// (the conntrack -D invocations, with "0 flow entries" not being an error).
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ConntrackCleaner, conntrackDeleteArgs, staleConntrackFilters, type ConntrackFilter } from '../../src/conntrack.js';
import { ProxyTracker } from '../../src/model/tracker.js';
import type { CommandResult, CommandRunner, EndpointInfo, ProxyState, ServicePortInfo } from '../../src/types.js';

function sp(name: string, o: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name, namespace: 'ns', serviceName: name.split('/')[1]!.split(':')[0]!, portName: '', protocol: 'UDP', clusterIP: '10.96.0.10', port: 53,
    nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0, ...o,
  };
}
function ep(ip: string, port = 5353, o: Partial<EndpointInfo> = {}): EndpointInfo {
  return { endpoint: `${ip}:${port}`, ip, port, ready: true, serving: true, terminating: false, isLocal: false, ...o };
}
function state(services: ServicePortInfo[], endpoints: Record<string, EndpointInfo[]>, nodeIPs = ['192.168.0.10']): ProxyState {
  return {
    services: new Map(services.map((s) => [s.name, s])),
    endpoints: new Map(Object.entries(endpoints)),
    nodeName: 'node-a', nodeIPs, nodeLabels: {},
  };
}
const S = 'ns/dns';

describe('staleConntrackFilters', () => {
  it('nothing changes: no filters', () => {
    const s = state([sp(S)], { [S]: [ep('10.0.0.1')] });
    expect(staleConntrackFilters(s, state([sp(S)], { [S]: [ep('10.0.0.1')] }))).toEqual([]);
  });

  it('a removed endpoint: flows to every service IP and the node port DNAT\'ed to it', () => {
    const svc = sp(S, { externalIPs: ['192.0.2.1'], loadBalancerIPs: ['198.51.100.1'], nodePort: 30053 });
    const prev = state([svc], { [S]: [ep('10.0.0.1'), ep('10.0.0.2')] });
    const next = state([svc], { [S]: [ep('10.0.0.1')] });
    expect(staleConntrackFilters(prev, next)).toEqual<ConntrackFilter[]>([
      { protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53, dstNat: '10.0.0.2' },
      { protocol: 'udp', origDst: '192.0.2.1', origDstPort: 53, dstNat: '10.0.0.2' },
      { protocol: 'udp', origDst: '198.51.100.1', origDstPort: 53, dstNat: '10.0.0.2' },
      { protocol: 'udp', origDstPort: 30053, dstNat: '10.0.0.2' },
    ]);
  });

  it('an endpoint that stops serving is stale; one that stays serving while terminating is not', () => {
    const prev = state([sp(S)], { [S]: [ep('10.0.0.1'), ep('10.0.0.2')] });
    const next = state([sp(S)], { [S]: [ep('10.0.0.1', 5353, { ready: false, serving: false }), ep('10.0.0.2', 5353, { ready: false, serving: true, terminating: true })] });
    expect(staleConntrackFilters(prev, next)).toEqual([{ protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53, dstNat: '10.0.0.1' }]);
  });

  it('an endpoint that never served leaves nothing stale', () => {
    const prev = state([sp(S)], { [S]: [ep('10.0.0.1'), ep('10.0.0.2', 5353, { ready: false, serving: false })] });
    const next = state([sp(S)], { [S]: [ep('10.0.0.1')] });
    expect(staleConntrackFilters(prev, next)).toEqual([]);
  });

  it('TCP services are never cleaned; SCTP services are', () => {
    const tcp = sp('ns/web', { protocol: 'TCP', port: 80 });
    const sctp = sp('ns/sig', { protocol: 'SCTP', port: 9, clusterIP: '10.96.0.20' });
    const prev = state([tcp, sctp], { 'ns/web': [ep('10.0.0.1', 80)], 'ns/sig': [ep('10.0.0.1', 9)] });
    const next = state([tcp, sctp], { 'ns/web': [], 'ns/sig': [] });
    expect(staleConntrackFilters(prev, next)).toEqual([{ protocol: 'sctp', origDst: '10.96.0.20', origDstPort: 9, dstNat: '10.0.0.1' }]);
  });

  it('a service that gets its first serving endpoint: every flow to its service IPs and node port on the node IPs', () => {
    const svc = sp(S, { externalIPs: ['192.0.2.1'], nodePort: 30053 });
    const prev = state([svc], { [S]: [ep('10.0.0.9', 5353, { ready: false, serving: false })] });
    const next = state([svc], { [S]: [ep('10.0.0.1')] }, ['192.168.0.10', '192.168.1.10']);
    expect(staleConntrackFilters(prev, next)).toEqual<ConntrackFilter[]>([
      { protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53 },
      { protocol: 'udp', origDst: '192.0.2.1', origDstPort: 53 },
      { protocol: 'udp', origDst: '192.168.0.10', origDstPort: 30053 },
      { protocol: 'udp', origDst: '192.168.1.10', origDstPort: 30053 },
    ]);
  });

  it('the first sync treats every UDP service with endpoints as newly active', () => {
    const next = state([sp(S), sp('ns/web', { protocol: 'TCP', port: 80, clusterIP: '10.96.0.11' })], { [S]: [ep('10.0.0.1')], 'ns/web': [ep('10.0.0.1', 80)] });
    expect(staleConntrackFilters(undefined, next)).toEqual([{ protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53 }]);
    expect(staleConntrackFilters(undefined, state([sp(S)], {}))).toEqual([]);
  });

  it('a deleted service: every flow to its former service IP:ports, and node-port flows DNAT\'ed to its endpoints', () => {
    const svc = sp(S, { nodePort: 30053 });
    const prev = state([svc], { [S]: [ep('10.0.0.1')] });
    const next = state([], {});
    expect(staleConntrackFilters(prev, next)).toEqual<ConntrackFilter[]>([
      { protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53 },
      { protocol: 'udp', origDstPort: 30053, dstNat: '10.0.0.1' },
    ]);
  });

  it('a dropped external IP or changed port: flows to the old frontend only', () => {
    const prev = state([sp(S, { externalIPs: ['192.0.2.1'] })], { [S]: [ep('10.0.0.1')] });
    expect(staleConntrackFilters(prev, state([sp(S)], { [S]: [ep('10.0.0.1')] }))).toEqual([{ protocol: 'udp', origDst: '192.0.2.1', origDstPort: 53 }]);
    expect(staleConntrackFilters(prev, state([sp(S, { externalIPs: ['192.0.2.1'], port: 54 })], { [S]: [ep('10.0.0.1')] }))).toEqual([
      { protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53 },
      { protocol: 'udp', origDst: '192.0.2.1', origDstPort: 53 },
    ]);
  });

  it('a service without serving endpoints before and after needs nothing', () => {
    const prev = state([sp(S)], {});
    expect(staleConntrackFilters(prev, state([sp(S)], { [S]: [ep('10.0.0.1', 5353, { ready: false, serving: false })] }))).toEqual([]);
  });
});

describe('staleConntrackFilters on tracker states (copy-on-write maps)', () => {
  it('finds the one stale endpoint among many services without scanning them all', () => {
    const t = new ProxyTracker({ nodeName: 'node-a', nodeIPs: ['192.168.0.10'] });
    const sliceFor = (i: number, ips: string[]) => ({
      metadata: { name: `s${i}-1`, namespace: 'ns', labels: { 'kubernetes.io/service-name': `s${i}` } },
      addressType: 'IPv4' as const,
      endpoints: ips.map((ip) => ({ addresses: [ip] })),
      ports: [{ name: '', port: 5353, protocol: 'UDP' as const }],
    });
    for (let i = 0; i < 500; i++) {
      t.updateService({ metadata: { name: `s${i}`, namespace: 'ns' }, spec: { clusterIP: `10.96.${i >> 8}.${i & 255}`, ports: [{ port: 53, protocol: 'UDP', nodePort: 30000 + i }], type: 'NodePort' } });
      t.updateEndpointSlice(sliceFor(i, [`10.1.${i >> 8}.${i & 255}`, `10.2.${i >> 8}.${i & 255}`]));
    }
    const first = t.take().state;
    expect(staleConntrackFilters(undefined, first)).toHaveLength(1000);
    t.updateEndpointSlice(sliceFor(300, ['10.1.1.44']));
    const second = t.take().state;
    expect(staleConntrackFilters(first, second)).toEqual([
      { protocol: 'udp', origDst: '10.96.1.44', origDstPort: 53, dstNat: '10.2.1.44' },
      { protocol: 'udp', origDstPort: 30300, dstNat: '10.2.1.44' },
    ]);
    // Same answer from plain Maps (the full scan).
    const plain = (s: ProxyState): ProxyState => ({ ...s, services: new Map(s.services), endpoints: new Map(s.endpoints) });
    expect(staleConntrackFilters(plain(first), plain(second))).toEqual(staleConntrackFilters(first, second));
    expect(staleConntrackFilters(second, t.take().state)).toEqual([]);
  });
});

describe('conntrackDeleteArgs', () => {
  it('uses conntrack 1.4.7 option names', () => {
    expect(conntrackDeleteArgs({ protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53, dstNat: '10.0.0.1' }))
      .toEqual(['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--dst-nat', '10.0.0.1']);
    expect(conntrackDeleteArgs({ protocol: 'sctp', origDstPort: 30000 })).toEqual(['-D', '-p', 'sctp', '--orig-port-dst', '30000']);
  });
});

describe('ConntrackCleaner', () => {
  function setup(answer: (args: string[]) => CommandResult | Error): { cleaner: ConntrackCleaner; calls: string[][]; logs: Array<{ level: number; msg: string }> } {
    const calls: string[][] = [];
    const logs: Array<{ level: number; msg: string }> = [];
    const runner: CommandRunner = {
      run(cmd: string, args: string[]): Promise<CommandResult> {
        expect(cmd).toBe('conntrack');
        calls.push(args);
        const a = answer(args);
        return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
      },
    };
    const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line) as { level: number; msg: string }); } });
    return { cleaner: new ConntrackCleaner(runner, logger), calls, logs };
  }
  const errors = (logs: Array<{ level: number }>): number => logs.filter((l) => l.level >= 50).length;

  it('runs one conntrack -D per filter; "0 flow entries" (exit 1) is success', async () => {
    const { cleaner, calls, logs } = setup((args) => (args.includes('10.0.0.1')
      ? { code: 0, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 2 flow entries have been deleted.\n' }
      : { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n' }));
    await cleaner.clear([
      { protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53, dstNat: '10.0.0.1' },
      { protocol: 'udp', origDst: '10.96.0.11', origDstPort: 53 },
    ]);
    expect(calls).toHaveLength(2);
    expect(errors(logs)).toBe(0);
  });

  it('logs other failures and a missing binary without throwing', async () => {
    const { cleaner, calls, logs } = setup((args) => (args.includes('10.96.0.10')
      ? { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): Operation failed: invalid parameters\n' }
      : new Error('spawn conntrack ENOENT')));
    await expect(cleaner.clear([
      { protocol: 'udp', origDst: '10.96.0.10', origDstPort: 53 },
      { protocol: 'udp', origDst: '10.96.0.11', origDstPort: 53 },
    ])).resolves.toBeUndefined();
    expect(calls).toHaveLength(2);
    expect(errors(logs)).toBe(2);
  });

  it('refuses a filter that would delete every flow of a protocol', async () => {
    const { cleaner, calls, logs } = setup(() => ({ code: 0, stdout: '', stderr: '' }));
    await cleaner.clear([{ protocol: 'udp' }, { protocol: 'udp', dstNat: '10.0.0.1' }]);
    expect(calls).toHaveLength(0);
    expect(errors(logs)).toBe(2);
  });

  it('handles many filters with bounded parallelism', async () => {
    let running = 0;
    let peak = 0;
    const calls: string[][] = [];
    const runner: CommandRunner = {
      async run(_cmd: string, args: string[]): Promise<CommandResult> {
        calls.push(args);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return { code: 0, stdout: '', stderr: '1 flow entries have been deleted.' };
      },
    };
    const cleaner = new ConntrackCleaner(runner, pino({ level: 'silent' }));
    await cleaner.clear(Array.from({ length: 20 }, (_, i) => ({ protocol: 'udp' as const, origDst: `10.96.0.${i}`, origDstPort: 53 })));
    expect(calls).toHaveLength(20);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
  });
});
