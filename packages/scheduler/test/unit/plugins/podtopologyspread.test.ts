import { describe, expect, it } from 'vitest';
import type { LabelSelector, Node, Pod, PodSpec, Taint, TopologySpreadConstraint } from '@kube-ts/client/types';
import { PodTopologySpreadFactory, ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch, type OwnerSelectorLister, type PodTopologySpread } from '../../../src/plugins/podtopologyspread/index.js';
import type { PreFilterState } from '../../../src/plugins/podtopologyspread/filtering.js';
import { Code } from '../../../src/framework/status.js';
import type { NodeScore } from '../../../src/framework/interface.js';
import type { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { PodInfo } from '../../../src/framework/podinfo.js';
import { fakeHandle, makeNodeInfo, makePod, newState } from '../fixtures.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const fooSelector: LabelSelector = { matchExpressions: [{ key: 'foo', operator: 'Exists' }] };
const barSelector: LabelSelector = { matchExpressions: [{ key: 'bar', operator: 'Exists' }] };

/** A node with exactly these labels (the fixture's makeNode always adds a hostname label). */
function node(name: string, labels: Record<string, string>, taints?: Taint[]): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: taints ? { taints } : {}, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } };
}
/** Upstream's "node-a with zone1" style nodes keyed by `zone` and `node`. */
const zn = (name: string, zone: string): Node => node(name, { zone, node: name });
const hn = (name: string, extra: Record<string, string> = {}): Node => node(name, { [HOST]: name, ...extra });

function sc(maxSkew: number, topologyKey: string, whenUnsatisfiable: TopologySpreadConstraint['whenUnsatisfiable'], labelSelector?: LabelSelector, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable, ...(labelSelector ? { labelSelector } : {}), ...extra };
}
function incoming(labels: Record<string, string>, constraints: TopologySpreadConstraint[], spec: Partial<PodSpec> = {}): Pod {
  return makePod('p', { labels, spec: { topologySpreadConstraints: constraints, ...spec } });
}
/** Existing pod `name` on `nodeName`, labelled foo="" unless told. */
function ep(name: string, nodeName: string, o: { labels?: Record<string, string>; namespace?: string; terminating?: boolean } = {}): Pod {
  const p = makePod(name, { nodeName, labels: o.labels ?? { foo: '' }, ...(o.namespace ? { namespace: o.namespace } : {}) });
  if (o.terminating) p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  return p;
}
function infos(nodes: Node[], pods: Pod[]): NodeInfo[] {
  return nodes.map((n) => makeNodeInfo(n, pods.filter((p) => p.spec.nodeName === n.metadata.name)));
}
function plugin(all: NodeInfo[], args?: Record<string, unknown>): PodTopologySpread {
  return PodTopologySpreadFactory(args ?? { defaultingType: 'List' }, fakeHandle({ nodes: all })) as PodTopologySpread;
}
const lister = (...sels: LabelSelector[]): OwnerSelectorLister => ({ selectorsFor: () => sels });

describe('PodTopologySpread PreFilter state (upstream TestPreFilterState)', () => {
  const fourNodes = [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2'), zn('node-y', 'zone2')];
  const cases: Array<{ name: string; pod: Pod; nodes: Node[]; pods?: Pod[]; wantCounts: Array<Record<string, number>>; wantMin: Array<[string, number]>; args?: Record<string, unknown> }> = [
    {
      name: 'clean cluster with one spreadConstraint',
      pod: incoming({ foo: '' }, [sc(5, 'zone', 'DoNotSchedule', { matchLabels: { foo: 'bar' } })]),
      nodes: fourNodes, wantCounts: [{ zone1: 0, zone2: 0 }], wantMin: [['', 0]],
    },
    {
      name: 'normal case with one spreadConstraint',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]),
      nodes: fourNodes, pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-y1', 'node-y'), ep('p-y2', 'node-y')],
      wantCounts: [{ zone1: 3, zone2: 2 }], wantMin: [['zone2', 2]],
    },
    {
      name: 'null label selector matches nothing',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule')]),
      nodes: fourNodes, pods: [ep('p-a1', 'node-a'), ep('p-y1', 'node-y')],
      wantCounts: [{ zone1: 0, zone2: 0 }], wantMin: [['', 0]],
    },
    {
      name: 'one spreadConstraint on a 3-zone cluster',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]),
      nodes: [...fourNodes, zn('node-o', 'zone3'), zn('node-p', 'zone3')],
      pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-y1', 'node-y'), ep('p-y2', 'node-y')],
      wantCounts: [{ zone1: 3, zone2: 2, zone3: 0 }], wantMin: [['zone3', 0]],
    },
    {
      name: "namespace mismatch doesn't count",
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]),
      nodes: fourNodes,
      pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a', { namespace: 'ns1' }), ep('p-b1', 'node-b'), ep('p-y1', 'node-y', { namespace: 'ns2' }), ep('p-y2', 'node-y')],
      wantCounts: [{ zone1: 2, zone2: 1 }], wantMin: [['zone2', 1]],
    },
    {
      name: 'two spreadConstraints; soft ones are bypassed',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'ScheduleAnyway', fooSelector), sc(1, 'zone', 'DoNotSchedule', fooSelector), sc(1, 'node', 'ScheduleAnyway', fooSelector), sc(1, 'node', 'DoNotSchedule', fooSelector)]),
      nodes: fourNodes,
      pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-y1', 'node-y'), ep('p-y2', 'node-y'), ep('p-y3', 'node-y'), ep('p-y4', 'node-y')],
      wantCounts: [{ zone1: 3, zone2: 4 }, { 'node-a': 2, 'node-b': 1, 'node-x': 0, 'node-y': 4 }], wantMin: [['zone1', 3], ['node-x', 0]],
    },
    {
      name: 'NodeAffinityPolicy Honor (default) drops nodes the pod cannot use',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)], { nodeSelector: { zone: 'zone1' } }),
      nodes: fourNodes, pods: [ep('p-a1', 'node-a'), ep('p-y1', 'node-y')],
      wantCounts: [{ zone1: 1 }], wantMin: [['zone1', 1]],
    },
    {
      name: 'NodeAffinityPolicy Ignore counts every node',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector, { nodeAffinityPolicy: 'Ignore' })], { nodeSelector: { zone: 'zone1' } }),
      nodes: fourNodes, pods: [ep('p-a1', 'node-a'), ep('p-y1', 'node-y')],
      wantCounts: [{ zone1: 1, zone2: 1 }], wantMin: [['zone1', 1]],
    },
    {
      name: 'NodeTaintsPolicy Honor drops nodes with untolerated taints',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector, { nodeTaintsPolicy: 'Honor' })]),
      nodes: [zn('node-a', 'zone1'), node('node-x', { zone: 'zone2', node: 'node-x' }, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }])],
      pods: [ep('p-a1', 'node-a'), ep('p-x1', 'node-x')],
      wantCounts: [{ zone1: 1 }], wantMin: [['zone1', 1]],
    },
    {
      name: 'NodeTaintsPolicy Ignore (default) keeps tainted nodes',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]),
      nodes: [zn('node-a', 'zone1'), node('node-x', { zone: 'zone2', node: 'node-x' }, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }])],
      pods: [ep('p-a1', 'node-a'), ep('p-x1', 'node-x'), ep('p-x2', 'node-x')],
      wantCounts: [{ zone1: 1, zone2: 2 }], wantMin: [['zone1', 1]],
    },
    {
      name: 'matchLabelKeys narrow the selector to the pod\'s values',
      pod: incoming({ foo: '', bar: 'a' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector, { matchLabelKeys: ['bar'] })]),
      nodes: fourNodes,
      pods: [ep('p-a1', 'node-a', { labels: { foo: '', bar: 'a' } }), ep('p-a2', 'node-a', { labels: { foo: '', bar: 'b' } }), ep('p-x1', 'node-x', { labels: { foo: '' } })],
      wantCounts: [{ zone1: 1, zone2: 0 }], wantMin: [['zone2', 0]],
    },
    {
      name: 'default constraints use the owners\' selector for pods without constraints',
      pod: makePod('p', { labels: { foo: '' } }),
      nodes: fourNodes, pods: [ep('p-a1', 'node-a'), ep('p-b1', 'node-b', { labels: { bar: '' } })],
      args: { defaultingType: 'List', defaultConstraints: [sc(1, 'zone', 'DoNotSchedule'), sc(2, 'node', 'ScheduleAnyway')], __lister: lister({ matchLabels: { foo: '' } }) },
      wantCounts: [{ zone1: 1, zone2: 0 }], wantMin: [['zone2', 0]],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const all = infos(tc.nodes, tc.pods ?? []);
      const pl = plugin(all, tc.args);
      const state = newState();
      expect(pl.preFilter(state, tc.pod, all).status).toBeNull();
      const s = state.read<PreFilterState>('PreFilterPodTopologySpread')!;
      expect(s.tpValueToMatchNum.map((m) => Object.fromEntries(m))).toEqual(tc.wantCounts);
      s.criticalPaths.forEach((p, i) => {
        expect(p.paths[0].matchNum).toBe(tc.wantMin[i]![1]);
        if (tc.wantMin[i]![0]) expect(p.paths[0].topologyValue).toBe(tc.wantMin[i]![0]);
        expect(p.paths[1].matchNum).toBeGreaterThanOrEqual(p.paths[0].matchNum);
      });
    });
  }

  it('skips pods without hard constraints', () => {
    const all = infos([zn('node-a', 'zone1')], []);
    expect(plugin(all).preFilter(newState(), incoming({ foo: '' }, [sc(1, 'zone', 'ScheduleAnyway', fooSelector)]), all).status?.code).toBe(Code.Skip);
    expect(plugin(all).preFilter(newState(), makePod('p'), all).status?.code).toBe(Code.Skip);
  });

  it('default constraints skip a pod no owner selects (no lister)', () => {
    const all = infos([zn('node-a', 'zone1')], []);
    const pl = plugin(all, { defaultingType: 'List', defaultConstraints: [sc(1, 'zone', 'DoNotSchedule')] });
    expect(pl.preFilter(newState(), makePod('p', { labels: { foo: '' } }), all).status?.code).toBe(Code.Skip);
  });
});

describe('PodTopologySpread Filter (upstream TestSingleConstraint / TestMultipleConstraints)', () => {
  const fourNodes = [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2'), zn('node-y', 'zone2')];
  const S = Code.Success;
  const U = Code.Unschedulable;
  const UU = Code.UnschedulableAndUnresolvable;
  const nodes2_1_0_3 = [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-y1', 'node-y'), ep('p-y2', 'node-y'), ep('p-y3', 'node-y')];
  const cases: Array<{ name: string; pod: Pod; nodes: Node[]; pods?: Pod[]; want: Record<string, Code> }> = [
    { name: 'no existing pods', pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]), nodes: fourNodes, want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S } },
    { name: "no existing pods, incoming pod doesn't match itself", pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', barSelector)]), nodes: fourNodes, want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S } },
    {
      name: 'existing pods in a different namespace do not count', pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]), nodes: fourNodes,
      pods: [ep('p-a1', 'node-a', { namespace: 'ns1' }), ep('p-b1', 'node-a', { namespace: 'ns2' }), ep('p-x1', 'node-x'), ep('p-y1', 'node-y')],
      want: { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
    },
    {
      name: 'existing pods do not match null selector', pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule')]), nodes: fourNodes,
      pods: [ep('p-x1', 'node-x'), ep('p-y1', 'node-y')], want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
    },
    {
      name: 'pods spread across zones as 3/3, all nodes fit', pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]), nodes: fourNodes,
      pods: nodes2_1_0_3, want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
    },
    {
      name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b", pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]),
      nodes: [zn('node-a', 'zone1'), node('node-b', { zon: 'zone1', node: 'node-b' }), zn('node-x', 'zone2'), zn('node-y', 'zone2')],
      pods: [ep('p-a1', 'node-a'), ep('p-b1', 'node-b'), ep('p-x1', 'node-x'), ep('p-y1', 'node-y')],
      want: { 'node-a': S, 'node-b': UU, 'node-x': U, 'node-y': U },
    },
    {
      name: "pod cannot be scheduled as all nodes don't have label 'rack'", pod: incoming({ foo: '' }, [sc(1, 'rack', 'DoNotSchedule', fooSelector)]),
      nodes: [zn('node-a', 'zone1'), zn('node-x', 'zone2')], want: { 'node-a': UU, 'node-x': UU },
    },
    { name: 'pods spread across nodes as 2/1/0/3, only node-x fits', pod: incoming({ foo: '' }, [sc(1, 'node', 'DoNotSchedule', fooSelector)]), nodes: fourNodes, pods: nodes2_1_0_3, want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U } },
    { name: 'pods spread across nodes as 2/1/0/3, maxSkew is 2', pod: incoming({ foo: '' }, [sc(2, 'node', 'DoNotSchedule', fooSelector)]), nodes: fourNodes, pods: nodes2_1_0_3, want: { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U } },
    { name: "2/1/0/3, but pod doesn't match itself", pod: incoming({ bar: '' }, [sc(1, 'node', 'DoNotSchedule', fooSelector)]), nodes: fourNodes, pods: nodes2_1_0_3, want: { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U } },
    {
      name: 'incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits',
      pod: incoming({ foo: '' }, [sc(1, 'node', 'DoNotSchedule', fooSelector)], { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node', operator: 'In', values: ['node-a', 'node-y'] }] }] } } } }),
      nodes: fourNodes, pods: nodes2_1_0_3, want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': U },
    },
    {
      name: 'terminating Pods should be excluded', pod: incoming({ foo: '' }, [sc(1, 'node', 'DoNotSchedule', fooSelector)]),
      nodes: [node('node-a', { node: 'node-a' }), node('node-b', { node: 'node-b' })],
      pods: [ep('p-a', 'node-a', { terminating: true }), ep('p-b', 'node-b')], want: { 'node-a': S, 'node-b': U },
    },
    {
      name: 'incoming pod has nodeAffinity NotIn, pods spread as 0/~2~/0/1',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)], { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node', operator: 'NotIn', values: ['node-b'] }] }] } } } }),
      nodes: fourNodes, pods: [ep('p-b1', 'node-b'), ep('p-b2', 'node-b'), ep('p-y1', 'node-y')], want: { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
    },
    {
      name: 'pods spread as 2/2/1, maxSkew 2, fewer domains than minDomains: only the third node fits',
      pod: incoming({ foo: '' }, [sc(2, 'node', 'DoNotSchedule', fooSelector, { minDomains: 4 })]),
      nodes: [node('node-a', { node: 'node-a' }), node('node-b', { node: 'node-b' }), node('node-c', { node: 'node-c' })],
      pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-b2', 'node-b'), ep('p-c1', 'node-c')], want: { 'node-a': U, 'node-b': U, 'node-c': S },
    },
    {
      name: 'pods spread as 2/2/1, maxSkew 2, more domains than minDomains: all fit',
      pod: incoming({ foo: '' }, [sc(2, 'node', 'DoNotSchedule', fooSelector, { minDomains: 2 })]),
      nodes: [node('node-a', { node: 'node-a' }), node('node-b', { node: 'node-b' }), node('node-c', { node: 'node-c' })],
      pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-b2', 'node-b'), ep('p-c1', 'node-c')], want: { 'node-a': S, 'node-b': S, 'node-c': S },
    },
    {
      name: 'two constraints on zone and node, spreads = [3/3, 2/1/0/3]: only node-x fits',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector), sc(1, 'node', 'DoNotSchedule', fooSelector)]),
      nodes: fourNodes, pods: nodes2_1_0_3, want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
    },
    {
      name: 'two constraints, spreads = [3/4, 2/1/0/4]: zone2 is too full for node-x, node-b too full per node: none fits',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector), sc(1, 'node', 'DoNotSchedule', fooSelector)]),
      nodes: fourNodes, pods: [...nodes2_1_0_3, ep('p-y4', 'node-y')], want: { 'node-a': U, 'node-b': U, 'node-x': U, 'node-y': U },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const all = infos(tc.nodes, tc.pods ?? []);
      const pl = plugin(all);
      const state = newState();
      expect(pl.preFilter(state, tc.pod, all).status).toBeNull();
      const got: Record<string, Code> = {};
      for (const ni of all) {
        const s = pl.filter(state, tc.pod, ni);
        got[ni.name] = s ? s.code : Code.Success;
        if (s?.code === Code.Unschedulable) expect(s.reasons).toEqual([ErrReasonConstraintsNotMatch]);
        if (s?.code === Code.UnschedulableAndUnresolvable) expect(s.reasons).toEqual([ErrReasonNodeLabelNotMatch]);
      }
      expect(got).toEqual(tc.want);
    });
  }

  it('Filter without PreFilter state is an error', () => {
    const all = infos([zn('node-a', 'zone1')], []);
    expect(plugin(all).filter(newState(), incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]), all[0]!)?.code).toBe(Code.Error);
  });
});

describe('PodTopologySpread AddPod/RemovePod (preemption)', () => {
  const nodes = [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2')];
  const pod = incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector), sc(1, 'node', 'DoNotSchedule', fooSelector)]);

  it('removing a matching pod lowers its domains and may make the node fit', () => {
    const victim = ep('p-a2', 'node-a');
    const all = infos(nodes, [ep('p-a1', 'node-a'), victim, ep('p-b1', 'node-b')]);
    const pl = plugin(all);
    const state = newState();
    pl.preFilter(state, pod, all);
    expect(pl.filter(state, pod, all[0]!)?.code).toBe(Code.Unschedulable);
    // Preemption works on a clone per node: the original state stays untouched.
    const sim = state.clone();
    expect(pl.removePod(sim, pod, new PodInfo(victim), all[0]!)).toBeNull();
    const s = sim.read<PreFilterState>('PreFilterPodTopologySpread')!;
    expect(Object.fromEntries(s.tpValueToMatchNum[0]!)).toEqual({ zone1: 2, zone2: 0 });
    expect(Object.fromEntries(s.tpValueToMatchNum[1]!)).toEqual({ 'node-a': 1, 'node-b': 1, 'node-x': 0 });
    expect(Object.fromEntries(state.read<PreFilterState>('PreFilterPodTopologySpread')!.tpValueToMatchNum[0]!)).toEqual({ zone1: 3, zone2: 0 });
  });

  it('adding a matching pod raises the minimum', () => {
    const all = infos(nodes, [ep('p-a1', 'node-a'), ep('p-b1', 'node-b')]);
    const pl = plugin(all);
    const state = newState();
    pl.preFilter(state, pod, all);
    pl.addPod(state, pod, new PodInfo(ep('new', 'node-x')), all[2]!);
    const s = state.read<PreFilterState>('PreFilterPodTopologySpread')!;
    expect(Object.fromEntries(s.tpValueToMatchNum[1]!)).toEqual({ 'node-a': 1, 'node-b': 1, 'node-x': 1 });
    expect(s.criticalPaths[1]!.paths[0].matchNum).toBe(1);
  });

  it('ignores pods in other namespaces and non-matching pods', () => {
    const all = infos(nodes, [ep('p-a1', 'node-a')]);
    const pl = plugin(all);
    const state = newState();
    pl.preFilter(state, pod, all);
    pl.addPod(state, pod, new PodInfo(ep('other-ns', 'node-x', { namespace: 'ns1' })), all[2]!);
    pl.addPod(state, pod, new PodInfo(ep('no-match', 'node-x', { labels: { bar: '' } })), all[2]!);
    expect(Object.fromEntries(state.read<PreFilterState>('PreFilterPodTopologySpread')!.tpValueToMatchNum[0]!)).toEqual({ zone1: 1, zone2: 0 });
  });
});

describe('PodTopologySpread Score (upstream TestPodTopologySpreadScore)', () => {
  const pods4_3_2_1 = [
    ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-a3', 'node-a'), ep('p-a4', 'node-a'),
    ep('p-b1', 'node-b'), ep('p-b2', 'node-b'), ep('p-b3', 'node-b'), ep('p-c1', 'node-c'), ep('p-c2', 'node-c'), ep('p-d1', 'node-d'),
  ];
  const pods2_1_0_3 = [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-d1', 'node-d'), ep('p-d2', 'node-d'), ep('p-d3', 'node-d')];
  const pods4_2_1_3 = [
    ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-a3', 'node-a'), ep('p-a4', 'node-a'), ep('p-b1', 'node-b'), ep('p-b2', 'node-b'),
    ep('p-x1', 'node-x'), ep('p-y1', 'node-y'), ep('p-y2', 'node-y'), ep('p-y3', 'node-y'),
  ];
  const abcd = [hn('node-a'), hn('node-b'), hn('node-c'), hn('node-d')];
  const hostSc = (maxSkew: number, sel: LabelSelector | null = fooSelector): Pod => incoming({ foo: '' }, [sc(maxSkew, HOST, 'ScheduleAnyway', sel ?? undefined)]);
  const cases: Array<{ name: string; pod: Pod; nodes: Node[]; failed?: Node[]; pods?: Pod[]; want: number[]; args?: Record<string, unknown> }> = [
    { name: 'one constraint on node, no existing pods', pod: hostSc(1), nodes: [hn('node-a'), hn('node-b')], want: [100, 100] },
    { name: 'only one candidate node', pod: hostSc(1), nodes: [hn('node-a')], failed: [hn('node-b')], pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b')], want: [100] },
    { name: 'all nodes have the same number of matching pods', pod: hostSc(1), nodes: [hn('node-a'), hn('node-b')], pods: [ep('p-a1', 'node-a'), ep('p-b1', 'node-b')], want: [100, 100] },
    { name: '2/1/0/3, all 4 nodes are candidates', pod: hostSc(1), nodes: abcd, pods: pods2_1_0_3, want: [20, 60, 100, 0] },
    { name: 'null selector', pod: hostSc(1, null), nodes: abcd, pods: pods2_1_0_3, want: [100, 100, 100, 100] },
    { name: '2/1/0/3, maxSkew=2', pod: hostSc(2), nodes: abcd, pods: pods2_1_0_3, want: [33, 66, 100, 16] },
    { name: '4/3/2/1, maxSkew=3', pod: hostSc(3), nodes: abcd, pods: pods4_3_2_1, want: [44, 66, 77, 100] },
    {
      name: "system defaulting, nodes don't have zone, pods match service", pod: makePod('p', { labels: { foo: '' } }), nodes: abcd, pods: pods4_3_2_1,
      args: { __lister: lister({ matchLabels: { foo: '' } }) }, want: [44, 66, 77, 100],
    },
    { name: '4/2/1/~3~: 3 out of 4 nodes are candidates', pod: hostSc(1), nodes: [hn('node-a'), hn('node-b'), hn('node-x')], failed: [hn('node-y')], pods: pods4_2_1_3, want: [33, 83, 100] },
    {
      name: "4/?2?/1/~3~: one node doesn't match the topology key", pod: hostSc(1),
      nodes: [hn('node-a'), node('node-b', { n: 'node-b' }), hn('node-x')], failed: [hn('node-y')], pods: pods4_2_1_3, want: [16, 0, 100],
    },
    {
      name: 'one constraint on zone, 3 out of 4 nodes are candidates', pod: incoming({ foo: '' }, [sc(1, 'zone', 'ScheduleAnyway', fooSelector)]),
      nodes: [hn('node-a', { zone: 'zone1' }), hn('node-b', { zone: 'zone1' }), hn('node-x', { zone: 'zone2' })], failed: [hn('node-y', { zone: 'zone2' })], pods: pods4_2_1_3, want: [75, 75, 100],
    },
    {
      name: 'two constraints on zone and node, 2 out of 4 nodes are candidates',
      pod: incoming({ foo: '' }, [sc(1, 'zone', 'ScheduleAnyway', fooSelector), sc(1, HOST, 'ScheduleAnyway', fooSelector)]),
      nodes: [hn('node-a', { zone: 'zone1' }), hn('node-x', { zone: 'zone2' })], failed: [hn('node-b', { zone: 'zone1' }), hn('node-y', { zone: 'zone2' })],
      pods: [ep('p-a1', 'node-a'), ep('p-a2', 'node-a'), ep('p-b1', 'node-b'), ep('p-x1', 'node-x'), ep('p-x2', 'node-x'), ep('p-y1', 'node-y'), ep('p-y2', 'node-y'), ep('p-y3', 'node-y'), ep('p-y4', 'node-y')],
      want: [100, 63],
    },
    {
      // hostname: log(5) per pod + 2; zone: log(4) per pod + 4 -> raw 10, 10, 6.
      name: 'system default constraints spread over zones too', pod: makePod('p', { labels: { foo: '' } }),
      nodes: [hn('node-a', { [ZONE]: 'z1' }), hn('node-b', { [ZONE]: 'z1' }), hn('node-c', { [ZONE]: 'z2' })],
      pods: [ep('p-a1', 'node-a'), ep('p-b1', 'node-b')], args: { __lister: lister({ matchLabels: { foo: '' } }) }, want: [60, 60, 100],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const all = infos([...tc.nodes, ...(tc.failed ?? [])], tc.pods ?? []);
      const filtered = all.slice(0, tc.nodes.length);
      const pl = plugin(all, tc.args ?? { defaultingType: 'List' });
      const state = newState();
      expect(pl.preScore(state, tc.pod, filtered)).toBeNull();
      const scores: NodeScore[] = filtered.map((ni) => {
        const r = pl.score(state, tc.pod, ni);
        expect(r.status).toBeNull();
        return { name: ni.name, score: r.score };
      });
      expect(pl.normalizeScore(state, tc.pod, scores)).toBeNull();
      expect(scores.map((s) => s.score)).toEqual(tc.want);
    });
  }

  it('PreScore skips pods without soft constraints (upstream TestPreScoreSkip)', () => {
    const all = infos([hn('node-a'), hn('node-b')], []);
    expect(plugin(all).preScore(newState(), makePod('p'), all)?.code).toBe(Code.Skip);
    // Default constraints but the pod's owner selects nothing.
    const pl = plugin(infos([node('node-a', { planet: 'mars' })], []), { defaultingType: 'List', defaultConstraints: [sc(2, 'planet', 'ScheduleAnyway')], __lister: lister() });
    expect(pl.preScore(newState(), makePod('p', { labels: { foo: 'bar' } }), all)?.code).toBe(Code.Skip);
    // No candidate nodes.
    expect(plugin(all).preScore(newState(), hostSc(1), [])?.code).toBe(Code.Skip);
  });
});

describe('PodTopologySpread args (upstream ValidatePodTopologySpreadArgs)', () => {
  const mk = (args: Record<string, unknown> | undefined): (() => unknown) => () => PodTopologySpreadFactory(args, fakeHandle());
  it('defaults to System defaulting', () => expect(mk(undefined)).not.toThrow());
  it('accepts List with constraints', () => expect(mk({ defaultingType: 'List', defaultConstraints: [sc(1, HOST, 'ScheduleAnyway'), sc(2, ZONE, 'DoNotSchedule')] })).not.toThrow());
  it('rejects constraints with System defaulting (also when defaultingType is left to its default)', () => {
    expect(mk({ defaultConstraints: [sc(1, HOST, 'ScheduleAnyway')] })).toThrow('defaultingType: Invalid value: "System": when .defaultConstraints are not empty');
  });
  it('rejects an unknown defaulting type', () => expect(mk({ defaultingType: 'Foo' })).toThrow('defaultingType: Unsupported value: "Foo": supported values: "System", "List"'));
  it('collects every constraint error', () => {
    const args = {
      defaultingType: 'List',
      defaultConstraints: [
        sc(0, HOST, 'ScheduleAnyway'),
        sc(1, '', 'DoNotSchedule'),
        sc(1, ZONE, 'Wait' as TopologySpreadConstraint['whenUnsatisfiable']),
        sc(1, 'rack', 'ScheduleAnyway', fooSelector),
        sc(2, HOST, 'ScheduleAnyway'),
      ],
    };
    expect(mk(args)).toThrow([
      '[defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)',
      'defaultConstraints[1].topologyKey: Required value: can not be empty',
      'defaultConstraints[2].whenUnsatisfiable: Unsupported value: "Wait": supported values: "DoNotSchedule", "ScheduleAnyway"',
      'defaultConstraints[3].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod',
      'defaultConstraints[4]: Duplicate value: "{kubernetes.io/hostname, ScheduleAnyway}"]',
    ].join(', '));
  });
  it('rejects an invalid topology key', () => {
    expect(mk({ defaultingType: 'List', defaultConstraints: [sc(1, 'a/b/c', 'ScheduleAnyway')] })).toThrow(/^defaultConstraints\[0\]\.topologyKey: Invalid value: "a\/b\/c": a qualified name must consist of/);
  });
});

describe('PodTopologySpread queueing hints', () => {
  const all = infos([zn('node-a', 'zone1')], []);
  const pl = plugin(all);
  const [podEvent, nodeEvent] = pl.eventsToRegister();
  const target = incoming({ foo: '' }, [sc(1, 'zone', 'DoNotSchedule', fooSelector)]);
  const assigned = (labels: Record<string, string>, ns?: string): Pod => ep('other', 'node-a', { labels, ...(ns ? { namespace: ns } : {}) });
  it('queues an added assigned pod that matches', () => expect(podEvent!.hint!(target, undefined, assigned({ foo: '' }))).toBe('Queue'));
  it('skips an added pod that does not match', () => expect(podEvent!.hint!(target, undefined, assigned({ bar: '' }))).toBe('QueueSkip'));
  it('skips pods of other namespaces', () => expect(podEvent!.hint!(target, undefined, assigned({ foo: '' }, 'ns1'))).toBe('QueueSkip'));
  it('skips unassigned pods', () => expect(podEvent!.hint!(target, undefined, makePod('u', { labels: { foo: '' } }))).toBe('QueueSkip'));
  it('queues a deleted matching pod', () => expect(podEvent!.hint!(target, assigned({ foo: '' }), undefined)).toBe('Queue'));
  it('queues a label change that flips matching', () => {
    const before = assigned({ foo: '' });
    expect(podEvent!.hint!(target, before, { ...before, metadata: { ...before.metadata, labels: { bar: '' } } })).toBe('Queue');
  });
  it('skips a label change that keeps matching', () => {
    const before = assigned({ foo: '' });
    expect(podEvent!.hint!(target, before, { ...before, metadata: { ...before.metadata, labels: { foo: '', x: 'y' } } })).toBe('QueueSkip');
  });
  it('queues an added node with the topology keys', () => expect(nodeEvent!.hint!(target, undefined, zn('n', 'zone3'))).toBe('Queue'));
  it('skips an added node without them', () => expect(nodeEvent!.hint!(target, undefined, node('n', {}))).toBe('QueueSkip'));
  it('queues a topology value change', () => expect(nodeEvent!.hint!(target, zn('n', 'zone1'), zn('n', 'zone2'))).toBe('Queue'));
  it('skips an unrelated label change', () => expect(nodeEvent!.hint!(target, zn('n', 'zone1'), node('n', { zone: 'zone1', node: 'n', x: 'y' }))).toBe('QueueSkip'));
  it('queues a deleted matching node', () => expect(nodeEvent!.hint!(target, zn('n', 'zone1'), undefined)).toBe('Queue'));
});
