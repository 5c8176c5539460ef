// DefaultPreemption, ported from upstream default_preemption_test.go (TestPostFilter messages,
// victim selection, PDB handling, candidate ranking) with a fake Handle whose filter checks cpu and
// pod count against NodeInfo.requested, so victim selection is real.
import { describe, expect, it } from 'vitest';
import type { Node, Pod, PodDisruptionBudget } from '@kube-ts/client/types';
import type { CycleState } from '../../../src/framework/cyclestate.js';
import type { Handle, NodeToStatusMap } from '../../../src/framework/interface.js';
import type { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { PodInfo } from '../../../src/framework/podinfo.js';
import { podRequests } from '../../../src/framework/resource.js';
import { Code, Status, type MaybeStatus } from '../../../src/framework/status.js';
import {
  DefaultPreemption, DefaultPreemptionFactory, filterPodsWithPDBViolation, pickOneNodeForPreemption, selectVictimsOnNode, type Candidate,
} from '../../../src/plugins/defaultpreemption/index.js';
import { InterPodAffinity, InterPodAffinityFactory } from '../../../src/plugins/interpodaffinity/index.js';
import { fakeHandle, makeNode, makeNodeInfo, makePod, newState, type FakeHandleOpts, type PodOpts } from '../fixtures.js';

const LOW = 0;
const MID = 100;
const HIGH = 1000;

/** NodeResourcesFit-like filter on pods and cpu. */
function fitFilter(_s: CycleState, pod: Pod, ni: NodeInfo): MaybeStatus {
  const reasons: string[] = [];
  if (ni.pods.length + 1 > ni.allocatable.allowedPodNumber) reasons.push('Too many pods');
  if (podRequests(pod).milliCPU > ni.allocatable.milliCPU - ni.requested.milliCPU) reasons.push('Insufficient cpu');
  return reasons.length ? Status.unschedulable(...reasons) : null;
}

const onePod = { cpu: '100', pods: '1' };
const smallCpu = { cpu: '200m', pods: '110' };
const p = (name: string, o: PodOpts = {}): Pod => makePod(name, { uid: name, ...o });

function setup(pods: Pod[], nodes: Node[], o: Omit<FakeHandleOpts, 'nodes'> = {}) {
  const infos = nodes.map((n) => makeNodeInfo(n, pods.filter((x) => x.spec.nodeName === n.metadata.name)));
  const handle = fakeHandle({ filter: fitFilter, ...o, nodes: infos });
  const pl = DefaultPreemptionFactory(undefined, handle) as DefaultPreemption;
  pl.offsetRand = () => 0;
  pl.now = () => Date.parse('2026-06-01T00:00:00Z');
  return { infos, handle, pl };
}

const statuses = (m: Record<string, Code>): NodeToStatusMap => new Map(Object.entries(m).map(([k, c]) => [k, new Status(c)]));
const U = Code.Unschedulable;
const UU = Code.UnschedulableAndUnresolvable;

describe('DefaultPreemption PostFilter (TestPostFilter)', () => {
  const cases: Array<{ name: string; pod: Pod; pods: Pod[]; nodes: Node[]; m: Record<string, Code>; nominated?: string; status?: { code: Code; msg: string } }> = [
    {
      name: 'pod with higher priority can be made schedulable', pod: p('p', { priority: HIGH }),
      pods: [p('p1', { nodeName: 'node1' })], nodes: [makeNode('node1', { allocatable: onePod })], m: { node1: U }, nominated: 'node1',
    },
    {
      name: 'pod with tied priority is still unschedulable', pod: p('p'),
      pods: [p('p1', { nodeName: 'node1' })], nodes: [makeNode('node1', { allocatable: onePod })], m: { node1: U },
      status: { code: U, msg: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.' },
    },
    {
      name: 'preemption respects UnschedulableAndUnresolvable', pod: p('p', { priority: HIGH }),
      pods: [p('p1', { nodeName: 'node1' })], nodes: [makeNode('node1', { allocatable: onePod })], m: { node1: UU },
      status: { code: U, msg: 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.' },
    },
    {
      name: 'pod can be made schedulable on one node', pod: p('p', { priority: MID }),
      pods: [p('p1', { nodeName: 'node1', priority: HIGH }), p('p2', { nodeName: 'node2', priority: LOW })],
      nodes: [makeNode('node1', { allocatable: onePod }), makeNode('node2', { allocatable: onePod })], m: { node1: U, node2: U }, nominated: 'node2',
    },
    {
      name: 'not enough cpu even after removing lower-priority pods', pod: p('p', { priority: HIGH, requests: { cpu: '4' } }),
      pods: [p('p1', { nodeName: 'node1' }), p('p2', { nodeName: 'node2' })],
      nodes: [makeNode('node1', { allocatable: smallCpu }), makeNode('node2', { allocatable: smallCpu })], m: { node1: U, node2: U },
      status: { code: U, msg: 'preemption: 0/2 nodes are available: 2 Insufficient cpu.' },
    },
    {
      name: 'mixed: no lower-priority pods and not enough cpu', pod: p('p', { priority: HIGH, requests: { cpu: '4' } }),
      pods: [p('p1', { nodeName: 'node1', priority: HIGH }), p('p2', { nodeName: 'node2' }), p('p3', { nodeName: 'node3', priority: HIGH })],
      nodes: [makeNode('node1', { allocatable: onePod }), makeNode('node2', { allocatable: smallCpu }), makeNode('node3', { allocatable: onePod })],
      m: { node1: U, node2: U, node3: U },
      status: { code: U, msg: 'preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod.' },
    },
    {
      name: 'mixed: unresolvable and absent nodes are not helpful', pod: p('p', { priority: HIGH, requests: { cpu: '4' } }),
      pods: [p('p1', { nodeName: 'node1' }), p('p2', { nodeName: 'node2' })],
      nodes: ['node1', 'node2', 'node3', 'node4'].map((n) => makeNode(n, { allocatable: smallCpu })), m: { node1: U, node2: U, node4: UU },
      status: { code: U, msg: 'preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for scheduling.' },
    },
    {
      name: 'preemptionPolicy Never', pod: p('p', { priority: HIGH, spec: { preemptionPolicy: 'Never' } }),
      pods: [p('p1', { nodeName: 'node1' })], nodes: [makeNode('node1', { allocatable: onePod })], m: { node1: U },
      status: { code: U, msg: 'preemption: not eligible due to preemptionPolicy=Never.' },
    },
  ];
  it.each(cases)('$name', async (c) => {
    const { pl, handle } = setup(c.pods, c.nodes);
    const r = await pl.postFilter(newState(), c.pod, statuses(c.m));
    if (c.nominated) {
      expect(r.status).toBeNull();
      expect(r.result).toEqual({ nominatedNodeName: c.nominated });
    } else {
      expect(r.result).toBeNull();
      expect({ code: r.status?.code, msg: r.status?.message() }).toEqual(c.status);
      expect(handle.calls.filter((x) => x.op === 'preempt')).toEqual([]);
    }
  });

  it('evicts the victims, records Preempted events and clears lower-priority nominations', async () => {
    const nomLow = new PodInfo(p('nom-low', { priority: LOW }));
    const nomHigh = new PodInfo(p('nom-high', { priority: HIGH }));
    const { pl, handle } = setup(
      [p('v1', { nodeName: 'node1', requests: { cpu: '2' } }), p('v2', { nodeName: 'node1', requests: { cpu: '2' } })],
      [makeNode('node1', { allocatable: { cpu: '4', pods: '110' } })],
      { nominated: { node1: [nomLow, nomHigh] } },
    );
    const r = await pl.postFilter(newState(), p('p', { priority: MID, requests: { cpu: '4' } }), statuses({ node1: U }));
    expect(r).toEqual({ result: { nominatedNodeName: 'node1' }, status: null });
    expect(handle.calls).toEqual([
      { op: 'preempt', pod: 'v1', node: 'node1', by: 'p' },
      { op: 'preempt', pod: 'v2', node: 'node1', by: 'p' },
      { op: 'clearNominated', pod: 'nom-low' },
    ]);
    expect(handle.events).toEqual([
      'Normal Preempted v1: Preempted by pod p on node node1',
      'Normal Preempted v2: Preempted by pod p on node node1',
    ]);
  });

  it('returns an Error status when evicting a victim fails', async () => {
    const { pl } = setup([p('v1', { nodeName: 'node1' })], [makeNode('node1', { allocatable: onePod })], {
      api: { preemptPod: async () => { throw new Error('boom'); } },
    });
    const r = await pl.postFilter(newState(), p('p', { priority: HIGH }), statuses({ node1: U }));
    expect(r.result).toBeNull();
    expect({ code: r.status?.code, msg: r.status?.message() }).toEqual({ code: Code.Error, msg: 'preemption: boom' });
  });

  it('surfaces PreFilter extension errors only when no node is a candidate', async () => {
    const nodes = [makeNode('node1', { allocatable: { cpu: '4', pods: '110' }, labels: { error: 'true' } }), makeNode('node2', { allocatable: { cpu: '4', pods: '110' } })];
    const pods = [p('p1', { nodeName: 'node1' }), p('p2', { nodeName: 'node2', requests: { cpu: '2' } })];
    const failing = (h: Handle): void => {
      h.runPreFilterExtensionRemovePod = (_s, pod, _pi, ni) => (ni.node?.metadata.labels?.['error'] === 'true'
        ? Status.error(`running RemovePod on PreFilter plugin "test-plugin": failed to remove pod: ${pod.metadata.name}`) : null);
    };
    const incoming = p('p', { priority: HIGH, requests: { cpu: '4' } });

    const one = setup(pods.slice(0, 1), nodes.slice(0, 1));
    failing(one.handle);
    const r1 = await one.pl.postFilter(newState(), incoming, statuses({ node1: U }));
    expect({ code: r1.status?.code, msg: r1.status?.message() }).toEqual({ code: Code.Error, msg: 'preemption: running RemovePod on PreFilter plugin "test-plugin": failed to remove pod: p' });

    const two = setup(pods, nodes);
    failing(two.handle);
    const r2 = await two.pl.postFilter(newState(), incoming, statuses({ node1: U, node2: U }));
    expect(r2).toEqual({ result: { nominatedNodeName: 'node2' }, status: null });
  });

  it('clears the pod\'s own stale nomination when preemption cannot help anywhere', async () => {
    const { pl, handle } = setup([], [makeNode('node1')]);
    const pod = p('p', { priority: HIGH });
    pod.status = { phase: 'Pending', nominatedNodeName: 'node1' };
    const r = await pl.postFilter(newState(), pod, statuses({ node1: UU }));
    expect(r.status?.message()).toBe('preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    expect(handle.calls).toEqual([{ op: 'clearNominated', pod: 'p' }]);
  });
});

describe('DefaultPreemption eligibility (PodEligibleToPreemptOthers)', () => {
  const terminating = (name: string, priority: number): Pod => {
    const v = p(name, { nodeName: 'node1', priority });
    v.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    v.status = { phase: 'Running', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] };
    return v;
  };
  const nominatedTo = (n: string): Pod => {
    const pod = p('p', { priority: HIGH });
    pod.status = { phase: 'Pending', nominatedNodeName: n };
    return pod;
  };
  const cases = [
    { name: 'terminating lower-priority victim on the nominated node', pods: [terminating('t', LOW)], m: { node1: U }, want: 'not eligible due to a terminating pod on the nominated node.' },
    { name: 'nominated node now unresolvable: try again', pods: [terminating('t', LOW)], m: { node1: UU }, want: '' },
    { name: 'nominated node absent from the map: try again', pods: [terminating('t', LOW)], m: {}, want: '' },
    { name: 'terminating pod of higher priority does not count', pods: [terminating('t', HIGH + 1)], m: { node1: U }, want: '' },
    { name: 'deleting without the preemption condition does not count', pods: [(() => { const x = terminating('t', LOW); x.status!.conditions = []; return x; })()], m: { node1: U }, want: '' },
  ];
  it.each(cases)('$name', (c) => {
    const { pl } = setup(c.pods, [makeNode('node1')]);
    const m = statuses(c.m as Record<string, Code>);
    expect(pl.podEligibleToPreemptOthers(nominatedTo('node1'), m.get('node1'))).toBe(c.want);
  });
});

describe('selectVictimsOnNode', () => {
  const node = makeNode('n', { allocatable: { cpu: '3', pods: '110' } });
  const lowA = p('lowA', { nodeName: 'n', priority: 5, labels: { app: 'x' }, requests: { cpu: '1' } });
  const lowB = p('lowB', { nodeName: 'n', priority: 1, labels: { app: 'y' }, requests: { cpu: '1' } });
  const pdb = (o: Partial<NonNullable<PodDisruptionBudget['status']>> = {}, selector: PodDisruptionBudget['spec'] = { selector: { matchLabels: { app: 'y' } } }): PodDisruptionBudget =>
    ({ metadata: { name: 'pdb', namespace: 'default' }, spec: selector, status: { disruptionsAllowed: 0, ...o } });
  const cases = [
    { name: 'reprieves the most important pods first', pdbs: [], victims: ['lowB'], violations: 0 },
    { name: 'reprieves PDB-violating pods first', pdbs: [pdb()], victims: ['lowA'], violations: 0 },
    { name: 'budget left: no violation', pdbs: [pdb({ disruptionsAllowed: 1 })], victims: ['lowB'], violations: 0 },
    { name: 'already disrupted pods do not use the budget', pdbs: [pdb({ disruptedPods: { lowB: '2026-01-01T00:00:00Z' } })], victims: ['lowB'], violations: 0 },
    { name: 'an empty PDB selector matches nothing', pdbs: [pdb({}, { selector: {} })], victims: ['lowB'], violations: 0 },
  ];
  it.each(cases)('$name', (c) => {
    const { infos, handle } = setup([lowA, lowB], [node], { pdbs: c.pdbs });
    const ni = infos[0]!.clone();
    const r = selectVictimsOnNode(handle, newState(), p('in', { priority: 10, requests: { cpu: '2' } }), ni, c.pdbs, 0);
    expect(r.status).toBeNull();
    expect(r.victims.map((v) => v.metadata.name)).toEqual(c.victims);
    expect(r.numPDBViolations).toBe(c.violations);
    // The copy keeps the reprieved pods and drops the victims.
    expect(ni.pods.map((x) => x.pod.metadata.name).sort()).toEqual(['lowA', 'lowB'].filter((n) => !c.victims.includes(n)));
    expect(infos[0]!.pods).toHaveLength(2);
  });

  it('counts a violation when a PDB-protected pod must still go', () => {
    const big = makeNode('n', { allocatable: { cpu: '2', pods: '110' } });
    const { infos, handle } = setup([lowA, lowB], [big]);
    const r = selectVictimsOnNode(handle, newState(), p('in', { priority: 10, requests: { cpu: '2' } }), infos[0]!.clone(), [pdb()], 0);
    expect(r.victims.map((v) => v.metadata.name)).toEqual(['lowA', 'lowB']);
    expect(r.numPDBViolations).toBe(1);
  });

  it('filterPodsWithPDBViolation keeps order and checks namespace and labels', () => {
    const pods = [lowB, p('other-ns', { namespace: 'x', labels: { app: 'y' } }), p('nolabels'), p('lowB2', { labels: { app: 'y' } })].map((x) => new PodInfo(x));
    const r = filterPodsWithPDBViolation(pods, [pdb({ disruptionsAllowed: 1 })]);
    expect(r.violating.map((x) => x.pod.metadata.name)).toEqual(['lowB2']);
    expect(r.nonViolating.map((x) => x.pod.metadata.name)).toEqual(['lowB', 'other-ns', 'nolabels']);
  });
});

describe('pickOneNodeForPreemption', () => {
  const v = (priority: number, startTime?: string): Pod => p('v', { priority, ...(startTime ? { startTime } : {}) });
  const c = (name: string, victims: Pod[], numPDBViolations = 0): Candidate => ({ name, victims, numPDBViolations });
  const cases = [
    { name: 'fewest PDB violations', cands: [c('a', [v(1)], 1), c('b', [v(9), v(9)], 0)], want: 'b' },
    { name: 'lowest highest-priority victim', cands: [c('a', [v(5)]), c('b', [v(3), v(3), v(3)])], want: 'b' },
    { name: 'smallest sum of priorities', cands: [c('a', [v(5), v(4)]), c('b', [v(5), v(1)])], want: 'b' },
    { name: 'negative priorities: fewer pods still cheaper', cands: [c('a', [v(-5), v(-5)]), c('b', [v(-5)])], want: 'b' },
    // Equal shifted sums (0 + 2^31 both ways), so only the victim count differs.
    { name: 'fewest victims', cands: [c('a', [v(0), v(-(2 ** 31))]), c('b', [v(0)])], want: 'b' },
    { name: 'latest start of the top victims', cands: [c('a', [v(5, '2026-01-01T00:00:00Z')]), c('b', [v(5, '2026-01-02T00:00:00Z')])], want: 'b' },
    { name: 'ties go to the first', cands: [c('a', [v(5)]), c('b', [v(5)])], want: 'a' },
  ];
  it.each(cases)('$name', (t) => {
    expect(pickOneNodeForPreemption(t.cands, Date.parse('2026-06-01T00:00:00Z'))?.name).toBe(t.want);
  });
});

describe('candidate sampling', () => {
  const nodes = ['n0', 'n1', 'n2', 'n3', 'n4'].map((n) => makeNode(n, { allocatable: onePod }));
  const pods = nodes.map((n) => p(`v-${n.metadata.name}`, { nodeName: n.metadata.name }));
  const all = Object.fromEntries(nodes.map((n) => [n.metadata.name, U]));

  it('dry-runs from the random offset and stops at minCandidateNodesAbsolute', async () => {
    const infos = nodes.map((n) => makeNodeInfo(n, pods.filter((x) => x.spec.nodeName === n.metadata.name)));
    const handle = fakeHandle({ nodes: infos, filter: fitFilter });
    const pl = DefaultPreemptionFactory({ minCandidateNodesAbsolute: 1, minCandidateNodesPercentage: 0 }, handle) as DefaultPreemption;
    pl.offsetRand = (n) => { expect(n).toBe(5); return 3; };
    let checked = 0;
    handle.runFilterPluginsWithNominatedPods = (s, pod, ni) => { checked++; return fitFilter(s, pod, ni); };
    const r = await pl.postFilter(newState(), p('p', { priority: HIGH }), statuses(all));
    expect(r.result).toEqual({ nominatedNodeName: 'n3' });
    expect(checked).toBe(2); // one node: all victims removed, then one reprieve
  });

  it('numCandidates applies percentage, absolute floor and the node count', () => {
    const mk = (a: Record<string, unknown>): DefaultPreemption => DefaultPreemptionFactory(a, fakeHandle()) as DefaultPreemption;
    expect(mk({}).numCandidates(5)).toBe(5);
    expect(mk({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 1 }).numCandidates(1000)).toBe(100);
    expect(mk({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 1 }).numCandidates(15)).toBe(1);
    expect(mk({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 3 }).numCandidates(15)).toBe(3);
  });
});

describe('DefaultPreemption args', () => {
  it('defaults and validates as upstream', () => {
    const h = fakeHandle();
    expect((DefaultPreemptionFactory(undefined, h) as DefaultPreemption).args).toEqual({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
    expect(() => DefaultPreemptionFactory({ minCandidateNodesPercentage: 101 }, h)).toThrow(/^minCandidateNodesPercentage: Invalid value: 101: not in valid range \[0, 100\]$/);
    expect(() => DefaultPreemptionFactory({ minCandidateNodesAbsolute: -1 }, h)).toThrow(/^minCandidateNodesAbsolute: Invalid value: -1: not in valid range \[0, inf\)$/);
    expect(() => DefaultPreemptionFactory({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }, h)).toThrow(
      '[minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute, minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage]');
  });
});

describe('DefaultPreemption with InterPodAffinity as a PreFilter extension', () => {
  it('evicts the lower-priority pod that the incoming pod anti-affinity rejects', async () => {
    const web = p('web', { nodeName: 'node1', priority: LOW, labels: { app: 'web' } });
    const webHigh = p('web-high', { nodeName: 'node2', priority: HIGH, labels: { app: 'web' } });
    const nodes = [makeNode('node1'), makeNode('node2')];
    const infos = nodes.map((n) => makeNodeInfo(n, [web, webHigh].filter((x) => x.spec.nodeName === n.metadata.name)));
    const handle = fakeHandle({ nodes: infos });
    const ipa = InterPodAffinityFactory(undefined, handle) as InterPodAffinity;
    handle.runFilterPluginsWithNominatedPods = (s, pod, ni) => fitFilter(s, pod, ni) ?? ipa.filter(s, pod, ni);
    handle.runPreFilterExtensionAddPod = (s, pod, pi, ni) => ipa.addPod(s, pod, pi, ni);
    handle.runPreFilterExtensionRemovePod = (s, pod, pi, ni) => ipa.removePod(s, pod, pi, ni);
    const pl = DefaultPreemptionFactory(undefined, handle) as DefaultPreemption;
    pl.offsetRand = () => 0;

    const incoming = p('p', { priority: MID, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
    ] } } } });
    const state = newState();
    expect(ipa.preFilter(state, incoming, infos).status).toBeNull();
    const m: NodeToStatusMap = new Map(infos.map((ni) => [ni.name, ipa.filter(state, incoming, ni)!]));
    expect([...m.values()].map((s) => s.message())).toEqual(["node(s) didn't match pod anti-affinity rules", "node(s) didn't match pod anti-affinity rules"]);

    const r = await pl.postFilter(state, incoming, m);
    expect(r).toEqual({ result: { nominatedNodeName: 'node1' }, status: null });
    expect(handle.calls).toEqual([{ op: 'preempt', pod: 'web', node: 'node1', by: 'p' }]);
    // Dry runs worked on clones: the cycle state still rejects node1.
    expect(ipa.filter(state, incoming, infos[0]!)?.code).toBe(Code.Unschedulable);
  });
});
