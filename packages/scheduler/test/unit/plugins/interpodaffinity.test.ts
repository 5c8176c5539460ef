// InterPodAffinity, ported from upstream filtering_test.go / scoring_test.go (expected statuses and
// normalized scores are upstream's).
import { describe, expect, it } from 'vitest';
import type { Affinity, LabelSelector, Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '@kube-ts/client/types';
import { ActionType } from '../../../src/framework/events.js';
import type { NodeScore } from '../../../src/framework/interface.js';
import { PodInfo } from '../../../src/framework/podinfo.js';
import { Code, type MaybeStatus } from '../../../src/framework/status.js';
import {
  ErrReasonAffinityRulesNotMatch as AFF, ErrReasonAntiAffinityRulesNotMatch as ANTI, ErrReasonExistingAntiAffinityRulesNotMatch as EXISTING,
  InterPodAffinity, InterPodAffinityFactory,
} from '../../../src/plugins/interpodaffinity/index.js';
import { fakeHandle, makeNodeInfo, makePod, newState } from '../fixtures.js';

type Op = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
const sel = (key: string, op: Op, values?: string[]): LabelSelector => ({ matchExpressions: [{ key, operator: op, ...(values ? { values } : {}) }] });
const term = (key: string, op: Op, values: string[] | undefined, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm =>
  ({ labelSelector: sel(key, op, values), topologyKey, ...extra });
const weighted = (weight: number, t: PodAffinityTerm): WeightedPodAffinityTerm => ({ weight, podAffinityTerm: t });

interface AffOpts { req?: PodAffinityTerm[]; anti?: PodAffinityTerm[]; prefAff?: WeightedPodAffinityTerm[]; prefAnti?: WeightedPodAffinityTerm[] }
function affinity(o: AffOpts): Affinity {
  const a: Affinity = {};
  if (o.req || o.prefAff) a.podAffinity = { ...(o.req ? { requiredDuringSchedulingIgnoredDuringExecution: o.req } : {}), ...(o.prefAff ? { preferredDuringSchedulingIgnoredDuringExecution: o.prefAff } : {}) };
  if (o.anti || o.prefAnti) a.podAntiAffinity = { ...(o.anti ? { requiredDuringSchedulingIgnoredDuringExecution: o.anti } : {}), ...(o.prefAnti ? { preferredDuringSchedulingIgnoredDuringExecution: o.prefAnti } : {}) };
  return a;
}

function pod(labels: Record<string, string>, o: AffOpts & { node?: string; ns?: string } = {}): Pod {
  return makePod('p', { labels, ...(o.node ? { nodeName: o.node } : {}), ...(o.ns ? { namespace: o.ns } : {}), spec: { affinity: affinity(o) } });
}

// Nodes without the fixture's hostname label, as upstream's test nodes.
function node(name: string, labels: Record<string, string>): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, status: { allocatable: { cpu: '4', pods: '110' } } };
}

const namespaceLabels = {
  'subteam1.team1': { team: 'team1' }, 'subteam2.team1': { team: 'team1' },
  'subteam1.team2': { team: 'team2' }, 'subteam2.team2': { team: 'team2' },
};

function setup(pods: Pod[], nodes: Node[], args?: Record<string, unknown>) {
  const infos = nodes.map((n) => makeNodeInfo(n, pods.filter((p) => p.spec.nodeName === n.metadata.name)));
  const handle = fakeHandle({ nodes: infos, namespaceLabels });
  return { infos, handle, pl: InterPodAffinityFactory(args, handle) as InterPodAffinity };
}

const st = (s: MaybeStatus): { code: Code; reasons: string[] } | null => (s ? { code: s.code, reasons: s.reasons } : null);
const unres = (r: string) => ({ code: Code.UnschedulableAndUnresolvable, reasons: [r] });
const unsched = (r: string) => ({ code: Code.Unschedulable, reasons: [r] });
const SKIP = { code: Code.Skip, reasons: [] };

function runFilter(incoming: Pod, pods: Pod[], nodes: Node[]) {
  const { infos, pl } = setup(pods, nodes);
  const state = newState();
  const pre = pl.preFilter(state, incoming, infos).status;
  if (pre) return { pre: st(pre), filter: [] };
  return { pre: null, filter: infos.map((ni) => st(pl.filter(state, incoming, ni))) };
}

describe('InterPodAffinity Filter: single node (TestRequiredAffinitySingleNode)', () => {
  const podLabel = { service: 'securityscan' };
  const podLabel2 = { security: 'S1' };
  const node1 = node('node1', { region: 'r1', zone: 'z11' });
  const existing = pod(podLabel, { node: 'node1' });
  const nsSel = { matchExpressions: [{ key: 'team', operator: 'In' as const, values: ['team1'] }] };
  const cases: Array<{ name: string; pod: Pod; pods: Pod[]; pre?: unknown; filter?: unknown }> = [
    { name: 'no required affinity: PreFilter skips', pod: pod({}), pods: [], pre: SKIP },
    { name: 'affinity In matches existing pod', pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], 'region')] }), pods: [existing], filter: null },
    { name: 'affinity NotIn matches existing pod', pod: pod(podLabel2, { req: [term('service', 'NotIn', ['securityscan3', 'value3'], 'region')] }), pods: [existing], filter: null },
    {
      name: 'affinity does not match a pod in another namespace',
      pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], '', { namespaces: ['DiffNameSpace'] })] }),
      pods: [pod(podLabel, { node: 'node1', ns: 'ns' })], filter: unres(AFF),
    },
    { name: 'unmatching labelSelector', pod: pod(podLabel, { req: [term('service', 'In', ['antivirusscan', 'value2'], '')] }), pods: [existing], filter: unres(AFF) },
    {
      name: 'several terms with different operators all match',
      pod: pod(podLabel2, { req: [
        { labelSelector: { matchExpressions: [{ key: 'service', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }] }, topologyKey: 'region' },
        { labelSelector: { matchExpressions: [{ key: 'service', operator: 'In', values: ['securityscan'] }, { key: 'service', operator: 'NotIn', values: ['WrongValue'] }] }, topologyKey: 'region' },
      ] }),
      pods: [existing], filter: null,
    },
    {
      name: 'requirements are ANDed: one fails',
      pod: pod(podLabel2, { req: [
        { labelSelector: { matchExpressions: [{ key: 'service', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }] }, topologyKey: 'region' },
        { labelSelector: { matchExpressions: [{ key: 'service', operator: 'In', values: ['securityscan2'] }, { key: 'service', operator: 'NotIn', values: ['WrongValue'] }] }, topologyKey: 'region' },
      ] }),
      pods: [existing], filter: unres(AFF),
    },
    {
      name: 'affinity and anti-affinity both satisfied',
      pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], 'region')], anti: [term('service', 'In', ['antivirusscan', 'value2'], 'node')] }),
      pods: [existing], filter: null,
    },
    {
      name: 'affinity, anti-affinity and the existing pod anti-affinity symmetry satisfied',
      pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], 'region')], anti: [term('service', 'In', ['antivirusscan', 'value2'], 'node')] }),
      pods: [pod(podLabel, { node: 'node1', anti: [term('service', 'In', ['antivirusscan', 'value2'], 'node')] })], filter: null,
    },
    {
      name: 'affinity satisfied but anti-affinity not',
      pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], 'region')], anti: [term('service', 'In', ['securityscan', 'value2'], 'zone')] }),
      pods: [existing], filter: unsched(ANTI),
    },
    {
      name: 'existing pod anti-affinity symmetry not satisfied',
      pod: pod(podLabel, { req: [term('service', 'In', ['securityscan', 'value2'], 'region')], anti: [term('service', 'In', ['antivirusscan', 'value2'], 'node')] }),
      pods: [pod(podLabel, { node: 'node1', anti: [term('service', 'In', ['securityscan', 'value2'], 'zone')] })], filter: unsched(EXISTING),
    },
    {
      name: 'pod matching only its own NotIn term is not the first of its group',
      pod: pod(podLabel, { req: [term('service', 'NotIn', ['securityscan', 'value2'], 'region')] }),
      pods: [pod({ service: 'securityscan' }, { node: 'node2' })], filter: unres(AFF),
    },
    {
      name: "existing pod's anti-affinity is respected when the pod has none",
      pod: pod(podLabel), pods: [pod(podLabel, { node: 'node1', anti: [term('service', 'In', ['securityscan', 'value2'], 'zone')] })], filter: unsched(EXISTING),
    },
    {
      name: "existing pod's non-matching anti-affinity: PreFilter skips",
      pod: pod(podLabel), pods: [pod(podLabel, { node: 'node1', anti: [term('service', 'NotIn', ['securityscan', 'value2'], 'zone')] })], pre: SKIP,
    },
    {
      name: "incoming pod's anti-affinity matches the existing pod",
      pod: pod(podLabel, { anti: [term('service', 'Exists', undefined, 'region'), term('security', 'Exists', undefined, 'region')] }),
      pods: [pod(podLabel2, { node: 'node1', anti: [term('security', 'Exists', undefined, 'zone')] })], filter: unsched(ANTI),
    },
    {
      name: 'symmetry a1',
      pod: pod(podLabel, { anti: [term('service', 'Exists', undefined, 'zone'), term('security', 'Exists', undefined, 'zone')] }),
      pods: [pod(podLabel2, { node: 'node1', anti: [term('security', 'Exists', undefined, 'zone')] })], filter: unsched(ANTI),
    },
    {
      name: 'symmetry a2',
      pod: pod(podLabel2, { anti: [term('security', 'Exists', undefined, 'zone')] }),
      pods: [pod(podLabel, { node: 'node1', anti: [term('service', 'Exists', undefined, 'zone'), term('security', 'Exists', undefined, 'zone')] })], filter: unsched(EXISTING),
    },
    {
      name: 'symmetry b1',
      pod: pod({ abc: '', xyz: '' }, { anti: [term('abc', 'Exists', undefined, 'zone'), term('def', 'Exists', undefined, 'zone')] }),
      pods: [pod({ def: '', xyz: '' }, { node: 'node1', anti: [term('abc', 'Exists', undefined, 'zone'), term('def', 'Exists', undefined, 'zone')] })], filter: unsched(ANTI),
    },
    {
      name: 'affinity with matching namespaceSelector',
      pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], 'region', { namespaceSelector: nsSel })] }),
      pods: [pod(podLabel, { node: 'node1', ns: 'subteam1.team1' })], filter: null,
    },
    {
      name: 'affinity with non-matching namespaceSelector',
      pod: pod(podLabel2, { req: [term('service', 'In', ['securityscan', 'value2'], 'region', { namespaceSelector: nsSel })] }),
      pods: [pod(podLabel, { node: 'node1', ns: 'subteam1.team2' })], filter: unres(AFF),
    },
    {
      name: 'anti-affinity with matching namespaceSelector',
      pod: pod(podLabel2, { ns: 'subteam1.team1', anti: [term('service', 'In', ['securityscan', 'value2'], 'zone', { namespaceSelector: nsSel })] }),
      pods: [pod(podLabel, { node: 'node1', ns: 'subteam2.team1' })], filter: unsched(ANTI),
    },
    {
      name: 'anti-affinity with an empty (all) namespaceSelector',
      pod: pod(podLabel2, { ns: 'subteam1.team1', anti: [term('service', 'In', ['securityscan', 'value2'], 'zone', { namespaceSelector: {} })] }),
      pods: [pod(podLabel, { node: 'node1', ns: 'subteam2.team1' })], filter: unsched(ANTI),
    },
    {
      name: 'anti-affinity with non-matching namespaceSelector',
      pod: pod(podLabel2, { ns: 'subteam1.team1', anti: [term('service', 'In', ['securityscan', 'value2'], 'zone', { namespaceSelector: nsSel })] }),
      pods: [pod(podLabel, { node: 'node1', ns: 'subteam1.team2' })], filter: null,
    },
  ];
  it.each(cases)('$name', (c) => {
    const got = runFilter(c.pod, c.pods, [node1]);
    expect(got.pre).toEqual(c.pre ?? null);
    if (c.pre === undefined) expect(got.filter[0]).toEqual(c.filter);
  });
});

describe('InterPodAffinity Filter: multiple nodes (TestRequiredAffinityMultipleNodes)', () => {
  const china = { region: 'China' };
  const chinaAz1 = { region: 'China', az: 'az1' };
  const india = { region: 'India' };
  const cases: Array<{ name: string; pod: Pod; pods: Pod[]; nodes: Node[]; pre?: unknown; want?: unknown[] }> = [
    {
      name: 'all nodes sharing the matching pod topology value fit',
      pod: pod({}, { req: [term('foo', 'In', ['bar'], 'region')] }), pods: [pod({ foo: 'bar' }, { node: 'node1' })],
      nodes: [node('node1', china), node('node2', chinaAz1), node('node3', india)], want: [null, null, unres(AFF)],
    },
    {
      name: 'the first pod of a collection is not blocked anywhere',
      pod: pod({ foo: 'bar', service: 'securityscan' }, { req: [term('foo', 'In', ['bar'], 'zone'), term('service', 'In', ['securityscan'], 'zone')] }),
      pods: [pod({ foo: 'bar' }, { node: 'nodeA' })],
      nodes: [node('nodeA', { zone: 'az1', hostname: 'h1' }), node('nodeB', { zone: 'az2', hostname: 'h2' })], want: [null, null],
    },
    {
      name: 'the first pod of a collection still needs the topology keys',
      pod: pod({ foo: 'bar', service: 'securityscan' }, { req: [term('foo', 'In', ['bar'], 'zone'), term('service', 'In', ['securityscan'], 'zone')] }),
      pods: [pod({ foo: 'bar' }, { node: 'nodeA' })],
      nodes: [node('nodeA', { zoneLabel: 'az1', hostname: 'h1' }), node('nodeB', { zoneLabel: 'az2', hostname: 'h2' })], want: [unres(AFF), unres(AFF)],
    },
    {
      name: 'anti-affinity blocks every node of the matching topology',
      pod: pod({}, { anti: [term('foo', 'In', ['abc'], 'region')] }), pods: [pod({ foo: 'abc' }, { node: 'nodeA' })],
      nodes: [node('nodeA', { region: 'r1', hostname: 'nodeA' }), node('nodeB', { region: 'r1', hostname: 'nodeB' })], want: [unsched(ANTI), unsched(ANTI)],
    },
    {
      name: 'anti-affinity: other topology values fit',
      pod: pod({}, { anti: [term('foo', 'In', ['abc'], 'region')] }), pods: [pod({ foo: 'abc' }, { node: 'nodeA' })],
      nodes: [node('nodeA', china), node('nodeB', chinaAz1), node('nodeC', india)], want: [unsched(ANTI), unsched(ANTI), null],
    },
    {
      name: 'anti-affinity only in the pod namespace',
      pod: pod({ foo: '123' }, { ns: 'NS1', anti: [term('foo', 'In', ['bar'], 'region')] }),
      pods: [pod({ foo: 'bar' }, { node: 'nodeA', ns: 'NS1' }), pod({}, { node: 'nodeC', ns: 'NS2', anti: [term('foo', 'In', ['123'], 'region')] })],
      nodes: [node('nodeA', china), node('nodeB', chinaAz1), node('nodeC', india)], want: [unsched(ANTI), unsched(ANTI), null],
    },
    {
      name: "existing pod's term with a topology key no node has: PreFilter skips",
      pod: pod({ foo: '' }), pods: [pod({}, { node: 'nodeA', anti: [term('foo', 'Exists', undefined, 'invalid-node-label')] })],
      nodes: [node('nodeA', { region: 'r1', zone: 'z1' }), node('nodeB', { region: 'r1', zone: 'z1' })], pre: SKIP,
    },
    {
      name: "incoming pod's anti-affinity needs the topology key on the node",
      pod: pod({}, { anti: [term('foo', 'Exists', undefined, 'invalid-node-label')] }), pods: [pod({ foo: '' }, { node: 'nodeA' })],
      nodes: [node('nodeA', { region: 'r1', zone: 'z1' }), node('nodeB', { region: 'r1', zone: 'z1' })], want: [null, null],
    },
    {
      name: 'two existing pods with anti-affinity on different keys',
      pod: pod({ foo: '', bar: '' }),
      pods: [pod({}, { node: 'nodeA', anti: [term('foo', 'Exists', undefined, 'zone')] }), pod({}, { node: 'nodeA', anti: [term('bar', 'Exists', undefined, 'region')] })],
      nodes: [node('nodeA', { region: 'r1', zone: 'z1' }), node('nodeB', { region: 'r1', zone: 'z2' })], want: [unsched(EXISTING), unsched(EXISTING)],
    },
  ];
  it.each(cases)('$name', (c) => {
    const got = runFilter(c.pod, c.pods, c.nodes);
    expect(got.pre).toEqual(c.pre ?? null);
    if (c.want) expect(got.filter).toEqual(c.want);
  });
});

describe('InterPodAffinity PreFilterExtensions', () => {
  it('removePod/addPod update the counts, and clones are independent', () => {
    const victim = pod({ foo: 'abc' }, { node: 'nodeA' });
    const blocker = pod({ app: 'x' }, { node: 'nodeB', anti: [term('app', 'In', ['web'], 'region')] });
    const { infos, pl } = setup([victim, blocker], [node('nodeA', { region: 'r1' }), node('nodeB', { region: 'r2' })]);
    const incoming = pod({ app: 'web' }, { anti: [term('foo', 'In', ['abc'], 'region')] });
    const state = newState();
    expect(pl.preFilter(state, incoming, infos).status).toBeNull();
    expect(st(pl.filter(state, incoming, infos[0]!))).toEqual(unsched(ANTI));
    expect(st(pl.filter(state, incoming, infos[1]!))).toEqual(unsched(EXISTING));

    const copy = state.clone();
    expect(pl.removePod(copy, incoming, infos[0]!.pods[0]!, infos[0]!)).toBeNull();
    expect(pl.removePod(copy, incoming, infos[1]!.pods[0]!, infos[1]!)).toBeNull();
    expect(pl.filter(copy, incoming, infos[0]!)).toBeNull();
    expect(pl.filter(copy, incoming, infos[1]!)).toBeNull();
    // The original state is untouched.
    expect(st(pl.filter(state, incoming, infos[0]!))).toEqual(unsched(ANTI));

    expect(pl.addPod(copy, incoming, new PodInfo(victim), infos[0]!)).toBeNull();
    expect(st(pl.filter(copy, incoming, infos[0]!))).toEqual(unsched(ANTI));
  });

  it('addPod without PreFilter state is an error unless PreFilter skipped', () => {
    const { infos, pl } = setup([], [node('n', { region: 'r' })]);
    const state = newState();
    const p = pod({});
    expect(pl.addPod(state, p, new PodInfo(pod({ a: 'b' })), infos[0]!)?.code).toBe(Code.Error);
    expect(pl.filter(state, p, infos[0]!)?.code).toBe(Code.Error);
    state.skipFilterPlugins.add('InterPodAffinity');
    expect(pl.addPod(state, p, new PodInfo(pod({ a: 'b' })), infos[0]!)).toBeNull();
  });
});

// ---- scoring -----------------------------------------------------------------------------------

const s1 = { security: 'S1' };
const s2 = { security: 'S2' };
const chinaL = { region: 'China' };
const indiaL = { region: 'India' };
const az1 = { az: 'az1' };
const az2 = { az: 'az2' };
const chinaAz1L = { region: 'China', az: 'az1' };
const nsSel1 = { matchExpressions: [{ key: 'team', operator: 'In' as const, values: ['team1'] }] };

const stayWithS1InRegion: AffOpts = { prefAff: [weighted(5, term('security', 'In', ['S1'], 'region'))] };
const stayWithS2InRegion: AffOpts = { prefAff: [weighted(6, term('security', 'In', ['S2'], 'region'))] };
const affinity3: AffOpts = { prefAff: [
  weighted(8, { labelSelector: { matchExpressions: [{ key: 'security', operator: 'NotIn', values: ['S1'] }, { key: 'security', operator: 'In', values: ['S2'] }] }, topologyKey: 'region' }),
  weighted(2, { labelSelector: { matchExpressions: [{ key: 'security', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }] }, topologyKey: 'region' }),
] };
const hardAffinity: AffOpts = { req: [
  term('security', 'In', ['S1', 'value2'], 'region'),
  { labelSelector: { matchExpressions: [{ key: 'security', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }] }, topologyKey: 'region' },
] };
const awayFromS1InAz: AffOpts = { prefAnti: [weighted(5, term('security', 'In', ['S1'], 'az'))] };
const awayFromS2InAz: AffOpts = { prefAnti: [weighted(5, term('security', 'In', ['S2'], 'az'))] };
const stayWithS1AwayFromS2: AffOpts = { prefAff: [weighted(8, term('security', 'In', ['S1'], 'region'))], prefAnti: [weighted(5, term('security', 'In', ['S2'], 'az'))] };
const affinityNsSel: AffOpts = { prefAff: [weighted(5, term('security', 'In', ['S1'], 'region', { namespaces: ['subteam2.team2'], namespaceSelector: nsSel1 }))] };
const antiAffinityNsSel: AffOpts = { prefAnti: [weighted(5, term('security', 'In', ['S1'], 'region', { namespaces: ['subteam2.team2'], namespaceSelector: nsSel1 }))] };

function runScore(incoming: Pod, pods: Pod[], nodes: Node[], args?: Record<string, unknown>): { status: unknown; scores?: number[] } {
  const { infos, pl } = setup(pods, nodes, args);
  const state = newState();
  const status = pl.preScore(state, incoming, infos);
  if (status) return { status: st(status) };
  const list: NodeScore[] = infos.map((ni) => {
    const r = pl.score(state, incoming, ni);
    expect(r.status).toBeNull();
    return { name: ni.name, score: r.score };
  });
  expect(pl.normalizeScore(state, incoming, list)).toBeNull();
  return { status: null, scores: list.map((x) => x.score) };
}

describe('InterPodAffinity Score (TestPreferredAffinity)', () => {
  const three = [node('node1', chinaL), node('node2', indiaL), node('node3', az1)];
  const cases: Array<{ name: string; pod: Pod; pods: Pod[]; nodes: Node[]; want?: number[]; status?: unknown; args?: Record<string, unknown> }> = [
    { name: 'no affinity anywhere: Skip', pod: pod(s1), pods: [], nodes: three, status: SKIP },
    {
      name: 'matching topology key and pods scores high', pod: pod(s1, stayWithS1InRegion),
      pods: [pod(s1, { node: 'node1' }), pod(s2, { node: 'node2' }), pod(s1, { node: 'node3' })], nodes: three, want: [100, 0, 0],
    },
    {
      name: 'same topology value shares the score', pod: pod({}, stayWithS1InRegion), pods: [pod(s1, { node: 'node1' })],
      nodes: [node('node1', chinaL), node('node2', chinaAz1L), node('node3', indiaL)], want: [100, 100, 0],
    },
    {
      name: 'the region with more matches wins', pod: pod(s1, stayWithS2InRegion),
      pods: ['node1', 'node1', 'node2', 'node3', 'node4', 'node5'].map((n) => pod(s2, { node: n })),
      nodes: [node('node1', chinaL), node('node2', indiaL), node('node3', chinaL), node('node4', chinaL), node('node5', indiaL)], want: [100, 0, 100, 100, 0],
    },
    {
      name: 'different operators with some match failures', pod: pod(s1, affinity3),
      pods: [pod(s1, { node: 'node1' }), pod(s2, { node: 'node2' }), pod(s1, { node: 'node3' })], nodes: three, want: [20, 100, 0],
    },
    {
      name: 'symmetry: existing pods preferred affinity', pod: pod(s2),
      pods: [pod(s1, { node: 'node1', ...stayWithS1InRegion }), pod(s2, { node: 'node2', ...stayWithS2InRegion })], nodes: three, want: [0, 100, 0],
    },
    {
      name: 'symmetry with namespace selector', pod: pod(s1, { ns: 'subteam1.team1' }),
      pods: [pod(s1, { node: 'node1', ...affinityNsSel }), pod(s2, { node: 'node2', ...stayWithS2InRegion })], nodes: three, want: [100, 0, 0],
    },
    {
      name: 'anti-affinity symmetry with namespace selector', pod: pod(s1, { ns: 'subteam1.team1' }),
      pods: [pod(s1, { node: 'node1', ...antiAffinityNsSel }), pod(s2, { node: 'node2', ...stayWithS2InRegion })], nodes: three, want: [0, 100, 100],
    },
    {
      name: 'symmetry: existing pods required affinity at hardPodAffinityWeight', pod: pod(s1),
      pods: [pod(s1, { node: 'node1', ...hardAffinity }), pod(s2, { node: 'node2', ...hardAffinity })], nodes: three, want: [100, 100, 0],
    },
    {
      name: 'anti-affinity: node without matching pods scores high', pod: pod(s1, awayFromS1InAz),
      pods: [pod(s1, { node: 'node1' }), pod(s2, { node: 'node2' })], nodes: [node('node1', az1), node('node2', chinaL)], want: [0, 100],
    },
    {
      name: 'anti-affinity: more matching pods scores lower', pod: pod(s1, awayFromS1InAz),
      pods: [pod(s1, { node: 'node1' }), pod(s1, { node: 'node1' }), pod(s2, { node: 'node2' })], nodes: [node('node1', az1), node('node2', indiaL)], want: [0, 100],
    },
    {
      name: 'anti-affinity symmetry', pod: pod(s2),
      pods: [pod(s1, { node: 'node1', ...awayFromS2InAz }), pod(s2, { node: 'node2', ...awayFromS1InAz })], nodes: [node('node1', az1), node('node2', az2)], want: [0, 100],
    },
    {
      name: 'affinity and anti-affinity', pod: pod(s1, stayWithS1AwayFromS2),
      pods: [pod(s1, { node: 'node1' }), pod(s1, { node: 'node2' })], nodes: [node('node1', chinaL), node('node2', az1)], want: [100, 0],
    },
    {
      name: 'affinity, anti-affinity and symmetry together', pod: pod(s1, stayWithS1AwayFromS2),
      pods: [pod(s1, { node: 'node1' }), pod(s2, { node: 'node2' }), pod({}, { node: 'node3', ...stayWithS1AwayFromS2 }), pod({}, { node: 'node4', ...awayFromS1InAz })],
      nodes: [node('node1', chinaL), node('node2', az1), node('node3', indiaL), node('node4', az2)], want: [100, 0, 100, 0],
    },
    {
      name: 'partial nodes in a topology with affinity pods', pod: pod(s1),
      pods: [pod(s1, { node: 'node1' }), pod({}, { node: 'node2', ...stayWithS1AwayFromS2 })], nodes: [node('node1', chinaL), node('node2', chinaL)], want: [0, 0],
    },
    {
      name: 'incoming namespaceSelector selects pods of team1 namespaces', pod: pod(s1, { ns: 'subteam1.team1', ...affinityNsSel }),
      pods: [pod(s1, { node: 'node1', ns: 'subteam1.team1' }), pod(s1, { node: 'node1', ns: 'subteam1.team1' }), pod(s1, { node: 'node1', ns: 'subteam1.team2' }), pod(s1, { node: 'node2', ns: 'subteam2.team1' })],
      nodes: [node('node1', chinaL), node('node2', indiaL)], want: [100, 0],
    },
    {
      name: 'incoming anti-affinity namespaceSelector', pod: pod(s1, { ns: 'subteam1.team1', ...antiAffinityNsSel }),
      pods: [pod(s1, { node: 'node1', ns: 'subteam1.team1' }), pod(s1, { node: 'node1', ns: 'subteam1.team1' }), pod(s1, { node: 'node1', ns: 'subteam2.team2' }), pod(s1, { node: 'node2', ns: 'subteam2.team1' })],
      nodes: [node('node1', chinaL), node('node2', indiaL)], want: [0, 100],
    },
    {
      name: 'ignorePreferredTermsOfExistingPods skips', pod: pod(s2), args: { ignorePreferredTermsOfExistingPods: true },
      pods: [pod(s1, { node: 'node1', ...stayWithS1AwayFromS2 }), pod(s2, { node: 'node2', ...stayWithS2InRegion })], nodes: [node('node1', chinaL), node('node2', indiaL)], status: SKIP,
    },
    {
      name: 'preferred terms of existing pods count by default', pod: pod(s2),
      pods: [pod(s1, { node: 'node1', ...stayWithS1AwayFromS2 }), pod(s2, { node: 'node2', ...stayWithS2InRegion })], nodes: [node('node1', chinaL), node('node2', indiaL)], want: [0, 100],
    },
    { name: 'no nodes: Skip', pod: pod(s2), pods: [], nodes: [], status: SKIP },
  ];
  it.each(cases)('$name', (c) => {
    const got = runScore(c.pod, c.pods, c.nodes, c.args);
    expect(got.status).toEqual(c.status ?? null);
    if (c.want) expect(got.scores).toEqual(c.want);
  });
});

describe('InterPodAffinity Score with hardPodAffinityWeight (TestPreferredAffinityWithHardPodAffinitySymmetricWeight)', () => {
  const hard: AffOpts = { req: [term('service', 'In', ['S1'], 'region', { namespaces: ['default', 'subteam2.team2'], namespaceSelector: nsSel1 })] };
  const nodes = [node('node1', chinaL), node('node2', indiaL), node('node3', az1)];
  const existing = [pod({}, { node: 'node1', ...hard }), pod({}, { node: 'node2', ...hard })];
  const cases = [
    { name: 'default weight', ns: undefined, args: undefined, want: [100, 100, 0] },
    { name: 'zero weight', ns: undefined, args: { hardPodAffinityWeight: 0 }, status: SKIP },
    { name: 'no matching namespace', ns: 'subteam1.team2', args: undefined, status: SKIP },
    { name: 'matching namespaceSelector', ns: 'subteam1.team1', args: undefined, want: [100, 100, 0] },
    { name: 'matching namespaces', ns: 'subteam2.team2', args: undefined, want: [100, 100, 0] },
  ];
  it.each(cases)('$name', (c) => {
    const got = runScore(pod({ service: 'S1' }, c.ns ? { ns: c.ns } : {}), existing, nodes, c.args);
    expect(got.status).toEqual(c.status ?? null);
    if (c.want) expect(got.scores).toEqual(c.want);
  });
});

describe('InterPodAffinity args and events', () => {
  it('defaults and validates args', () => {
    const h = fakeHandle();
    expect((InterPodAffinityFactory(undefined, h) as InterPodAffinity).args).toEqual({ hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false });
    expect((InterPodAffinityFactory({ hardPodAffinityWeight: 100 }, h) as InterPodAffinity).args.hardPodAffinityWeight).toBe(100);
    expect(() => InterPodAffinityFactory({ hardPodAffinityWeight: 101 }, h)).toThrow('hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]');
    expect(() => InterPodAffinityFactory({ hardPodAffinityWeight: -1 }, h)).toThrow('hardPodAffinityWeight: Invalid value: -1: not in valid range [0, 100]');
  });

  it('registers pod and node events with hints', () => {
    const pl = InterPodAffinityFactory(undefined, fakeHandle()) as InterPodAffinity;
    const ev = pl.eventsToRegister();
    expect(ev.map((e) => [e.event.resource, e.event.actionType])).toEqual([
      ['Pod', ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete],
      ['Node', ActionType.Add | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint],
    ]);
    const target = pod({}, { req: [term('app', 'In', ['db'], 'zone')], anti: [term('app', 'In', ['web'], 'zone')] });
    const db = pod({ app: 'db' }, { node: 'n1' });
    const web = pod({ app: 'web' }, { node: 'n1' });
    const podHint = ev[0]!.hint!;
    expect(podHint(target, undefined, db)).toBe('Queue');
    expect(podHint(target, undefined, web)).toBe('QueueSkip');
    expect(podHint(target, undefined, pod({ app: 'db' }))).toBe('QueueSkip'); // unscheduled
    expect(podHint(target, web, undefined)).toBe('Queue');
    expect(podHint(target, db, undefined)).toBe('QueueSkip');
    expect(podHint(target, pod({ app: 'x' }, { node: 'n1' }), db)).toBe('Queue');
    expect(podHint(target, web, pod({ app: 'x' }, { node: 'n1' }))).toBe('Queue');
    expect(podHint(target, db, pod({ app: 'db', v: '2' }, { node: 'n1' }))).toBe('QueueSkip');
    const nodeHint = ev[1]!.hint!;
    expect(nodeHint(target, undefined, node('n2', { zone: 'z' }))).toBe('Queue');
    expect(nodeHint(target, undefined, node('n2', { region: 'r' }))).toBe('QueueSkip');
  });
});
