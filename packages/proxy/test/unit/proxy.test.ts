import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock } from '@kube-ts/client/clock';
import { ProxyMetrics } from '../../src/metrics.js';
import { ProxyHealth } from '../../src/server/health.js';
import { SyncLoop, resolveNodePortAddresses, type StateSource } from '../../src/proxy.js';
import type { ConntrackFilter } from '../../src/conntrack.js';
import type { TakeResult } from '../../src/model/tracker.js';
import type { Proxier, ProxyState, ServicePortInfo, SyncChanges, SyncResult } from '../../src/types.js';


const logger = pino({ level: 'silent' });

function svc(name: string, over: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name, namespace: 'ns', serviceName: name.split('/')[1]!, portName: '', protocol: 'TCP', clusterIP: '10.0.0.1', port: 80, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0, externalPolicyLocal: false,
    internalPolicyLocal: false, healthCheckNodePort: 0, ...over,
  };
}

class FakeSource implements StateSource {
  pending = new Set<string>();
  triggers: Date[] = [];
  services = new Map<string, ServicePortInfo>();
  takes: TakeResult[] = [];
  change(name: string, s = svc(name)): void { this.services.set(name, s); this.pending.add(name); }
  hasPending(): boolean { return this.pending.size > 0; }
  take(): TakeResult {
    const state: ProxyState = { services: new Map(this.services), endpoints: new Map(), nodeName: 'n', nodeIPs: ['10.1.1.1'], nodeLabels: {} };
    const r: TakeResult = { state, changes: { full: false, changed: new Set(this.pending) }, triggerTimes: this.triggers, serviceChanges: this.pending.size, endpointChanges: 0 };
    this.pending = new Set();
    this.triggers = [];
    this.takes.push(r);
    return r;
  }
}

class FakeProxier implements Proxier {
  readonly mode = 'iptables' as const;
  calls: Array<{ at: number; full: boolean; changed: string[] }> = [];
  failNext = 0;
  constructor(private readonly clock: FakeClock, private readonly ms = 0) {}
  async sync(_s: ProxyState, c: SyncChanges): Promise<SyncResult> {
    this.calls.push({ at: this.clock.now(), full: c.full, changed: [...c.changed].sort() });
    if (this.ms) await this.clock.sleep(this.ms);
    if (this.failNext > 0) { this.failNext--; throw new Error('iptables-restore: line 3 failed'); }
    return { full: c.full, ruleCounts: { nat: 7, filter: 2 } };
  }
  async cleanup(): Promise<void> {}
}

function setup(o: { min?: number; period?: number; fullPeriod?: number; syncMs?: number } = {}) {
  const clock = new FakeClock(0);
  const source = new FakeSource();
  const proxier = new FakeProxier(clock, o.syncMs);
  const metrics = new ProxyMetrics('iptables');
  const period = o.period ?? 30_000;
  const health = new ProxyHealth(2 * period, { clock });
  const cleared: ConntrackFilter[][] = [];
  const loop = new SyncLoop({
    source, proxier, metrics, health, logger, clock, minSyncPeriodMs: o.min ?? 1000, syncPeriodMs: period, fullSyncPeriodMs: o.fullPeriod,
    conntrack: { clear: async (f) => { cleared.push(f); } },
    staleFilters: (prev, next) => (prev ? [...next.services.keys()].filter((k) => !prev.services.has(k)).map((k) => ({ protocol: 'udp' as const, origDst: k })) : []),
  });
  const value = async (name: string, labels = ''): Promise<number | undefined> => {
    const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
    return m?.values.find((v) => labels === '' || Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).join(',') === labels)?.value;
  };
  return { clock, source, proxier, metrics, health, loop, cleared, value };
}

describe('the sync loop', () => {
  it('syncs nothing before the caches sync, then fully once, then partially', async () => {
    const t = setup();
    t.source.change('ns/a');
    t.loop.queued();
    await t.clock.step(5000);
    expect(t.proxier.calls).toEqual([]);
    t.loop.start();
    await t.clock.step(0);
    expect(t.proxier.calls).toEqual([{ at: 5000, full: true, changed: ['ns/a'] }]);
    t.source.change('ns/b');
    t.loop.queued();
    await t.clock.step(0);
    expect(t.proxier.calls[1]).toEqual({ at: 5000, full: false, changed: ['ns/b'] });
    const text = await t.metrics.registry.metrics();
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_duration_seconds_count 2$/m);
    expect(text).toMatch(/^kubeproxy_sync_full_proxy_rules_duration_seconds_count 1$/m);
    expect(text).toMatch(/^kubeproxy_sync_partial_proxy_rules_duration_seconds_count 1$/m);
    expect(await t.value('kubeproxy_sync_proxy_rules_last_timestamp_seconds')).toBe(5);
    expect(await t.value('kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds')).toBe(5);
    expect(await t.value('kubeproxy_sync_proxy_rules_iptables_total', 'table=nat')).toBe(7);
  });

  it('holds back bursts to one sync per minSyncPeriod', async () => {
    const t = setup({ min: 1000 });
    t.loop.start();
    await t.clock.step(0);
    for (let i = 0; i < 5; i++) { t.source.change(`ns/s${i}`); t.loop.queued(); await t.clock.step(100); }
    await t.clock.step(2000);
    // first (full) + one burst token, then coalesced at the next token.
    expect(t.proxier.calls.map((c) => c.at)).toEqual([0, 0, 1000]);
    expect(t.proxier.calls[2]!.changed).toEqual(['ns/s1', 'ns/s2', 'ns/s3', 'ns/s4']);
  });

  it('after a failure: counts it, retries within syncPeriod, and the retry is full', async () => {
    const t = setup({ period: 30_000 });
    t.loop.start();
    await t.clock.step(0);
    t.proxier.failNext = 1;
    t.source.change('ns/a');
    t.loop.queued();
    await t.clock.step(0);
    expect(t.proxier.calls[1]).toMatchObject({ full: false, changed: ['ns/a'] });
    expect(await t.value('kubeproxy_sync_proxy_rules_iptables_restore_failures_total')).toBe(1);
    expect(await t.value('kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total')).toBe(1);
    expect(await t.value('kubeproxy_sync_proxy_rules_last_timestamp_seconds')).toBe(0);
    await t.clock.step(30_000);
    expect(t.proxier.calls).toHaveLength(3);
    expect(t.proxier.calls[2]).toEqual({ at: 30_000, full: true, changed: [] });
  });

  it('runs every syncPeriod without changes, and fully once fullSyncPeriod has passed', async () => {
    const t = setup({ period: 3000, fullPeriod: 10_000 });
    t.loop.start();
    await t.clock.step(13_000);
    expect(t.proxier.calls.map((c) => [c.at, c.full])).toEqual([[0, true], [3000, false], [6000, false], [9000, false], [12_000, true]]);
  });

  it('clears conntrack entries from the previous and the new state, after a successful sync', async () => {
    const t = setup({ min: 0 });
    t.source.change('ns/a');
    t.loop.start();
    await t.clock.step(0);
    t.source.change('ns/udp');
    t.loop.queued();
    await t.clock.step(0);
    expect(t.cleared).toEqual([[], [{ protocol: 'udp', origDst: 'ns/udp' }]]);
    t.proxier.failNext = 1;
    t.source.change('ns/other');
    t.loop.queued();
    await t.clock.step(0);
    expect(t.cleared).toHaveLength(2);
  });

  it('observes network programming latency from the slices\' trigger times', async () => {
    const t = setup();
    await t.clock.step(10_000);
    t.source.triggers = [new Date(7500), new Date(9000)];
    t.loop.start();
    await t.clock.step(0);
    const text = await t.metrics.registry.metrics();
    expect(text).toMatch(/^kubeproxy_network_programming_duration_seconds_count 2$/m);
    expect(text).toMatch(/^kubeproxy_network_programming_duration_seconds_sum 3.5$/m);
  });

  it('counts changes and pending changes; pending clears on a sync', async () => {
    const t = setup();
    t.loop.serviceChanged('ns/a');
    t.loop.serviceChanged('ns/a');
    t.loop.endpointsChanged('ns/a');
    expect(await t.value('kubeproxy_sync_proxy_rules_service_changes_total')).toBe(2);
    expect(await t.value('kubeproxy_sync_proxy_rules_service_changes_pending')).toBe(1);
    expect(await t.value('kubeproxy_sync_proxy_rules_endpoint_changes_pending')).toBe(1);
    t.loop.start();
    await t.clock.step(0);
    expect(await t.value('kubeproxy_sync_proxy_rules_service_changes_pending')).toBe(0);
    expect(await t.value('kubeproxy_sync_proxy_rules_endpoint_changes_total')).toBe(1);
  });

  it('counts Local-policy services without local endpoints', async () => {
    const t = setup();
    t.source.change('ns/itp', svc('ns/itp', { internalPolicyLocal: true }));
    t.source.change('ns/etp', svc('ns/etp', { nodePort: 30000, externalPolicyLocal: true }));
    t.source.change('ns/plain');
    t.loop.start();
    await t.clock.step(0);
    expect(await t.value('kubeproxy_sync_proxy_rules_no_local_endpoints_total', 'traffic_policy=internal')).toBe(1);
    expect(await t.value('kubeproxy_sync_proxy_rules_no_local_endpoints_total', 'traffic_policy=external')).toBe(1);
  });

  it('healthz goes unhealthy when queued changes stay unsynced for 2 × syncPeriod', async () => {
    const t = setup({ period: 1000, min: 1000 });
    t.loop.start();
    await t.clock.step(0);
    expect(t.health.isHealthy()[0]).toBe(true);
    t.proxier.failNext = 100;
    t.source.change('ns/a');
    t.loop.queued();
    await t.clock.step(1999);
    expect(t.health.isHealthy()[0]).toBe(true);
    await t.clock.step(1);
    expect(t.health.isHealthy()[0]).toBe(false);
    t.proxier.failNext = 0;
    await t.clock.step(1000);
    expect(t.health.isHealthy()[0]).toBe(true);
  });

  it('a sync in progress is never run twice at once', async () => {
    const t = setup({ min: 0, syncMs: 500 });
    t.loop.start();
    await t.clock.step(100);
    t.source.change('ns/a'); t.loop.queued();
    t.source.change('ns/b'); t.loop.queued();
    await t.clock.step(1000);
    expect(t.proxier.calls.map((c) => [c.at, c.changed])).toEqual([[0, []], [500, ['ns/a', 'ns/b']]]);
  });
});

describe('nodePortAddresses', () => {
  it('resolves "primary" to the node IP as upstream', () => {
    expect(resolveNodePortAddresses(['primary'], ['10.1.1.1'])).toEqual(['10.1.1.1/32']);
    expect(resolveNodePortAddresses(['primary'], ['127.0.0.1'])).toEqual([]);
    expect(resolveNodePortAddresses(['10.0.0.0/8'], ['10.1.1.1'])).toEqual(['10.0.0.0/8']);
    expect(resolveNodePortAddresses(null, ['10.1.1.1'])).toEqual([]);
  });
});
