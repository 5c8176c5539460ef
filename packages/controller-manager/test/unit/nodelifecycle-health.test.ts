// Node health decisions (tryUpdateNodeHealth): grace periods over local observation times,
// Ready heartbeats vs lease renewals, startup grace, and what is written when a node goes silent.
import { describe, expect, it } from 'vitest';
import type { Lease, Node, NodeCondition } from '@kube-ts/client/types';
import { NodeHealthMap, parseTime } from '../../src/controllers/nodelifecycle/health.js';
import { computeZoneState, zoneKey, Zones, DEFAULT_EVICTION_RATES } from '../../src/controllers/nodelifecycle/zones.js';
import { FakeClock } from '@kube-ts/client/clock';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const GRACE = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000 };

function node(ready?: Partial<NodeCondition>, extra: NodeCondition[] = []): Node {
  const conditions: NodeCondition[] = [...extra];
  if (ready) conditions.push({ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: iso(T0), lastTransitionTime: iso(T0), ...ready });
  return { metadata: { name: 'n1', uid: 'u1', creationTimestamp: iso(T0) }, spec: {}, status: { conditions } };
}

function lease(renewMs: number): Lease {
  return { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(renewMs).toISOString().replace('Z', '000Z') } };
}

describe('node health', () => {
  it('goes Unknown only after the grace period without a heartbeat', () => {
    const h = new NodeHealthMap();
    const n = node({});
    expect(h.evaluate(n, undefined, T0, GRACE).update).toBeUndefined();
    expect(h.evaluate(n, undefined, T0 + 40_000, GRACE).update).toBeUndefined();
    const r = h.evaluate(n, undefined, T0 + 40_001, GRACE);
    expect(r.observed.status).toBe('True');
    expect(r.current).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: iso(T0), lastTransitionTime: iso(T0 + 40_001) });
    // The pressure conditions the kubelet never posted are added as never updated; NetworkUnavailable is left alone.
    const types = r.update!.status!.conditions!.map((c) => `${c.type}=${c.status}:${c.reason}`);
    expect(types).toEqual(['Ready=Unknown:NodeStatusUnknown', 'MemoryPressure=Unknown:NodeStatusNeverUpdated', 'DiskPressure=Unknown:NodeStatusNeverUpdated', 'PIDPressure=Unknown:NodeStatusNeverUpdated']);
    // The input node is not modified.
    expect(n.status!.conditions![0]!.status).toBe('True');
  });

  it('a changed Ready heartbeat restarts the grace period (observed locally, whatever its value)', () => {
    const h = new NodeHealthMap();
    h.evaluate(node({}), undefined, T0, GRACE);
    // A heartbeat from a skewed kubelet clock (far in the past) still counts: it changed.
    h.evaluate(node({ lastHeartbeatTime: iso(T0 - 3_600_000) }), undefined, T0 + 30_000, GRACE);
    expect(h.evaluate(node({ lastHeartbeatTime: iso(T0 - 3_600_000) }), undefined, T0 + 69_000, GRACE).update).toBeUndefined();
    expect(h.evaluate(node({ lastHeartbeatTime: iso(T0 - 3_600_000) }), undefined, T0 + 70_001, GRACE).update).toBeDefined();
  });

  it('a renewed lease counts as a heartbeat; the same lease does not', () => {
    const h = new NodeHealthMap();
    const n = node({});
    h.evaluate(n, lease(T0), T0, GRACE);
    h.evaluate(n, lease(T0 + 20_000), T0 + 20_000, GRACE);
    expect(h.evaluate(n, lease(T0 + 20_000), T0 + 60_000, GRACE).update).toBeUndefined();
    expect(h.get('n1')!.probeTimestamp).toBe(T0 + 20_000);
    // A lease renewed by a microsecond is newer.
    h.evaluate(n, { ...lease(T0), spec: { renewTime: '2026-01-01T00:00:20.000001Z' } }, T0 + 60_000, GRACE);
    expect(h.get('n1')!.probeTimestamp).toBe(T0 + 60_000);
    const r = h.evaluate(n, lease(T0 + 20_000), T0 + 100_001, GRACE);
    expect(r.update?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
  });

  it('a node that never posted status gets the startup grace from its creation', () => {
    const h = new NodeHealthMap();
    const n = node();
    const first = h.evaluate(n, undefined, T0 + 30_000, GRACE);
    expect(first.gracePeriodMs).toBe(60_000);
    expect(first.update).toBeUndefined();
    expect(first.current).toBeUndefined();
    const r = h.evaluate(n, undefined, T0 + 60_001, GRACE);
    expect(r.observed).toMatchObject({ status: 'Unknown', lastHeartbeatTime: iso(T0) });
    expect(r.current).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: iso(T0) });
    expect(r.update!.status!.conditions).toHaveLength(4);
  });

  it('a node already Unknown is not written again', () => {
    const h = new NodeHealthMap();
    const unknown = node({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
      ['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'Unknown' as const })));
    h.evaluate(unknown, undefined, T0, GRACE);
    const r = h.evaluate(unknown, undefined, T0 + 100_000, GRACE);
    expect(r.update).toBeUndefined();
    expect(r.current?.status).toBe('Unknown');
  });

  it('written() keeps the probe time and resets the transition time', () => {
    const h = new NodeHealthMap();
    h.evaluate(node({}), undefined, T0, GRACE);
    const r = h.evaluate(node({}), undefined, T0 + 50_000, GRACE);
    h.written('n1', r.update!.status!, T0 + 50_000);
    expect(h.get('n1')).toMatchObject({ probeTimestamp: T0, readyTransitionTimestamp: T0 + 50_000 });
  });

  it('parses MicroTime with its fraction', () => {
    // A microsecond survives as a (float) fraction of a millisecond, enough to order renewals.
    const d = parseTime('2026-01-01T00:00:00.000001Z') - T0;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(0.002);
    expect(parseTime('2026-01-01T00:00:01Z')).toBe(T0 + 1000);
    expect(Number.isNaN(parseTime(undefined))).toBe(true);
  });
});

describe('zones', () => {
  const c = (status: 'True' | 'False' | 'Unknown'): NodeCondition => ({ type: 'Ready', status });

  // ComputeZoneState as upstream: full with no ready node, partial from 3 unready and >= 55%.
  it.each([
    [['True', 'True'], 'Normal', 0],
    [['True', 'False'], 'Normal', 1],
    [['False', 'Unknown'], 'FullDisruption', 2],
    [['True', 'False', 'False'], 'Normal', 2],
    [['True', 'False', 'False', 'Unknown'], 'PartialDisruption', 3],
    [['True', 'True', 'False', 'False', 'Unknown'], 'PartialDisruption', 3],
    [['True', 'True', 'True', 'False', 'False', 'Unknown'], 'Normal', 3],
  ] as const)('%j -> %s', (statuses, state, unhealthy) => {
    expect(computeZoneState(statuses.map(c), 0.55)).toEqual({ state, unhealthy });
  });

  it('nil conditions count as not ready', () => {
    expect(computeZoneState([undefined], 0.55).state).toBe('FullDisruption');
  });

  it('zone key from region and zone labels', () => {
    expect(zoneKey({ metadata: { name: 'a' } })).toBe('');
    expect(zoneKey({ metadata: { name: 'a', labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' } } })).toBe('r:\x00:z');
    expect(zoneKey({ metadata: { name: 'a', labels: { 'failure-domain.beta.kubernetes.io/zone': 'z' } } })).toBe(':\x00:z');
  });

  it('single zone: normal rate, then full disruption stops tainting and asks to clear taints, then recovery resets probes', () => {
    const clock = new FakeClock(T0);
    const z = new Zones(DEFAULT_EVICTION_RATES, clock);
    z.ensure('');
    expect(z.handleDisruption(new Map([['', [c('True'), c('Unknown')]]]))).toEqual({ markAllReachable: false, resetProbes: false });
    expect(z.states.get('')).toBe('Normal');
    expect(z.tainter('').qps).toBe(0.1);
    expect(z.handleDisruption(new Map([['', [c('Unknown'), c('Unknown')]]]))).toEqual({ markAllReachable: true, resetProbes: false });
    expect(z.states.get('')).toBe('FullDisruption');
    expect(z.tainter('').qps).toBe(0);
    // Still fully disrupted: nothing more to do.
    expect(z.handleDisruption(new Map([['', [c('Unknown'), c('Unknown')]]]))).toEqual({ markAllReachable: false, resetProbes: false });
    expect(z.handleDisruption(new Map([['', [c('True'), c('Unknown')]]]))).toEqual({ markAllReachable: false, resetProbes: true });
    expect(z.states.get('')).toBe('Normal');
    expect(z.tainter('').qps).toBe(0.1);
  });

  it('one zone fully disrupted among healthy ones keeps the normal rate; partial disruption of a small zone stops it', () => {
    const clock = new FakeClock(T0);
    const z = new Zones(DEFAULT_EVICTION_RATES, clock);
    z.ensure('a'); z.ensure('b');
    z.handleDisruption(new Map([['a', [c('Unknown')]], ['b', [c('True')]]]));
    expect(z.states.get('a')).toBe('FullDisruption');
    expect(z.tainter('a').qps).toBe(0.1);
    z.handleDisruption(new Map([['a', [c('True')]], ['b', [c('True'), c('False'), c('False'), c('False')]]]));
    expect(z.states.get('b')).toBe('PartialDisruption');
    expect(z.tainter('b').qps).toBe(0);
  });
});
