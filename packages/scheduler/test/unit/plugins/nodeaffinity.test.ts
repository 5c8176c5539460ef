import { describe, expect, it } from 'vitest';
import type { Node, NodeAffinity as NodeAffinitySpec, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec } from '@kube-ts/client/types';
import { NodeAffinityFactory, ErrReasonConflict, ErrReasonEnforced, ErrReasonPod, type NodeAffinity } from '../../../src/plugins/nodeaffinity.js';
import { Code, type MaybeStatus } from '../../../src/framework/status.js';
import type { NodeScore } from '../../../src/framework/interface.js';
import { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { fakeHandle, makePod, newState } from '../fixtures.js';

function node(name: string, labels: Record<string, string> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: {}, status: {} };
}

function pod(spec: Partial<PodSpec> = {}): Pod { return makePod('p', { spec }); }

function required(...terms: NodeSelectorTerm[]): Partial<PodSpec> {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } };
}
const expr = (key: string, operator: NodeSelectorRequirement['operator'], values?: string[]): NodeSelectorRequirement => (values ? { key, operator, values } : { key, operator });
const nameIn = (...values: string[]): NodeSelectorRequirement => ({ key: 'metadata.name', operator: 'In', values });

function plugin(addedAffinity?: NodeAffinitySpec): NodeAffinity {
  return NodeAffinityFactory(addedAffinity ? { addedAffinity } : undefined, fakeHandle()) as NodeAffinity;
}

function st(s: MaybeStatus): { code: Code; reasons: string[] } | null { return s ? { code: s.code, reasons: s.reasons } : null; }
const unresolvable = (r: string): { code: Code; reasons: string[] } => ({ code: Code.UnschedulableAndUnresolvable, reasons: [r] });

describe('NodeAffinity Filter (upstream TestNodeAffinity)', () => {
  const cases: Array<{
    name: string; spec: Partial<PodSpec>; labels?: Record<string, string>; nodeName?: string; args?: NodeAffinitySpec;
    wantPreFilter?: { code: Code; reasons: string[] } | null; wantNodeNames?: string[]; want?: { code: Code; reasons: string[] } | null; runPreFilter?: boolean;
  }> = [
    { name: 'missing labels', spec: { nodeSelector: { foo: 'bar' } }, want: unresolvable(ErrReasonPod) },
    { name: 'same labels', spec: { nodeSelector: { foo: 'bar' } }, labels: { foo: 'bar' } },
    { name: 'node labels are superset', spec: { nodeSelector: { foo: 'bar' } }, labels: { foo: 'bar', baz: 'blah' } },
    { name: 'node labels are subset', spec: { nodeSelector: { foo: 'bar', baz: 'blah' } }, labels: { foo: 'bar' }, want: unresolvable(ErrReasonPod) },
    { name: 'In matches', spec: required({ matchExpressions: [expr('foo', 'In', ['bar', 'value2'])] }), labels: { foo: 'bar' } },
    { name: 'Gt matches', spec: required({ matchExpressions: [expr('kernel-version', 'Gt', ['0204'])] }), labels: { 'kernel-version': '0206' } },
    { name: 'NotIn matches', spec: required({ matchExpressions: [expr('mem-type', 'NotIn', ['DDR', 'DDR2'])] }), labels: { 'mem-type': 'DDR3' } },
    { name: 'Exists matches', spec: required({ matchExpressions: [expr('GPU', 'Exists')] }), labels: { GPU: 'NVIDIA-GRID-K1' } },
    { name: "affinity that doesn't match", spec: required({ matchExpressions: [expr('foo', 'In', ['value1', 'value2'])] }), labels: { foo: 'bar' }, want: unresolvable(ErrReasonPod) },
    { name: 'empty MatchExpressions matches no objects', spec: required({ matchExpressions: [] }), labels: { foo: 'bar' }, want: unresolvable(ErrReasonPod) },
    { name: 'no Affinity: PreFilter skips', spec: {}, labels: { foo: 'bar' }, wantPreFilter: { code: Code.Skip, reasons: [] } },
    { name: 'Affinity with nil NodeSelector: PreFilter skips', spec: { affinity: { nodeAffinity: {} } }, labels: { foo: 'bar' }, wantPreFilter: { code: Code.Skip, reasons: [] } },
    { name: 'ANDed expressions match', spec: required({ matchExpressions: [expr('GPU', 'Exists'), expr('GPU', 'NotIn', ['AMD', 'INTER'])] }), labels: { GPU: 'NVIDIA-GRID-K1' } },
    { name: "ANDed expressions don't match", spec: required({ matchExpressions: [expr('GPU', 'Exists'), expr('GPU', 'In', ['AMD', 'INTER'])] }), labels: { GPU: 'NVIDIA-GRID-K1' }, want: unresolvable(ErrReasonPod) },
    { name: 'ORed terms match', spec: required({ matchExpressions: [expr('foo', 'In', ['bar', 'value2'])] }, { matchExpressions: [expr('diffkey', 'In', ['wrong', 'value2'])] }), labels: { foo: 'bar' } },
    { name: 'affinity and nodeSelector both satisfied', spec: { nodeSelector: { foo: 'bar' }, ...required({ matchExpressions: [expr('foo', 'Exists')] }) }, labels: { foo: 'bar' } },
    { name: 'affinity matches but nodeSelector not', spec: { nodeSelector: { foo: 'bar' }, ...required({ matchExpressions: [expr('foo', 'Exists')] }) }, labels: { foo: 'barrrrrr' }, want: unresolvable(ErrReasonPod) },
    { name: 'invalid value in a term matches nothing', spec: required({ matchExpressions: [expr('foo', 'NotIn', ['invalid value: ___@#$%^'])] }), labels: { foo: 'bar' }, want: unresolvable(ErrReasonPod) },
    { name: 'matchFields In matches', spec: required({ matchFields: [nameIn('node1')] }), nodeName: 'node1', wantNodeNames: ['node1'] },
    { name: "matchFields In doesn't match", spec: required({ matchFields: [nameIn('node1')] }), nodeName: 'node2', wantNodeNames: ['node1'], want: unresolvable(ErrReasonPod) },
    { name: 'two terms: matchFields no, matchExpressions yes', spec: required({ matchFields: [nameIn('node1'), nameIn('node2')] }, { matchExpressions: [expr('foo', 'In', ['bar'])] }), nodeName: 'node2', labels: { foo: 'bar' } },
    { name: 'one term: matchFields no, matchExpressions yes', spec: required({ matchFields: [nameIn('node1')], matchExpressions: [expr('foo', 'In', ['bar'])] }), nodeName: 'node2', labels: { foo: 'bar' }, wantNodeNames: ['node1'], want: unresolvable(ErrReasonPod) },
    { name: 'one term: both match', spec: required({ matchFields: [nameIn('node1')], matchExpressions: [expr('foo', 'In', ['bar'])] }), nodeName: 'node1', labels: { foo: 'bar' }, wantNodeNames: ['node1'] },
    { name: 'two terms: neither matches', spec: required({ matchFields: [nameIn('node1')] }, { matchExpressions: [expr('foo', 'In', ['not-match-to-bar'])] }), nodeName: 'node2', labels: { foo: 'bar' }, want: unresolvable(ErrReasonPod) },
    { name: 'two terms of node.Name affinity', spec: required({ matchFields: [nameIn('node1')] }, { matchFields: [nameIn('node2')] }), nodeName: 'node2', wantNodeNames: ['node1', 'node2'] },
    { name: 'two conflicting matchFields requirements', spec: required({ matchFields: [nameIn('node1'), nameIn('node2')] }), nodeName: 'node2', labels: { foo: 'bar' }, wantPreFilter: unresolvable(ErrReasonConflict), want: unresolvable(ErrReasonPod) },
    {
      name: "matches added affinity and pod's", spec: required({ matchExpressions: [expr('zone', 'In', ['foo'])] }), nodeName: 'node2', labels: { zone: 'foo' },
      args: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [nameIn('node2')] }] } },
    },
    {
      name: "matches added affinity but not pod's", spec: required({ matchExpressions: [expr('zone', 'In', ['bar'])] }), nodeName: 'node2', labels: { zone: 'foo' },
      args: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [nameIn('node2')] }] } }, want: unresolvable(ErrReasonPod),
    },
    {
      name: "doesn't match added affinity", spec: {}, nodeName: 'node2', labels: { zone: 'foo' },
      args: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr('zone', 'In', ['bar'])] }] } }, want: unresolvable(ErrReasonEnforced),
    },
    { name: 'nodeSelector without PreFilter', spec: { nodeSelector: { foo: 'bar' } }, labels: { foo: 'bar', baz: 'blah' }, runPreFilter: false },
    { name: 'affinity without PreFilter', spec: required({ matchExpressions: [expr('GPU', 'Exists'), expr('GPU', 'NotIn', ['AMD', 'INTER'])] }), labels: { GPU: 'NVIDIA-GRID-K1' }, runPreFilter: false },
    { name: 'non-matching affinity without PreFilter', spec: required({ matchExpressions: [expr('GPU', 'In', ['AMD'])] }), labels: { GPU: 'NVIDIA-GRID-K1' }, runPreFilter: false, want: unresolvable(ErrReasonPod) },
  ];

  for (const tc of cases) {
    it(tc.name, () => {
      const pl = plugin(tc.args);
      const state = newState();
      const p = pod(tc.spec);
      const ni = new NodeInfo(node(tc.nodeName ?? 'n', tc.labels ?? {}));
      if (tc.runPreFilter !== false) {
        const { result, status } = pl.preFilter(state, p);
        expect(st(status)).toEqual(tc.wantPreFilter ?? null);
        expect(result?.nodeNames ? [...result.nodeNames].sort() : undefined).toEqual(tc.wantNodeNames);
      }
      expect(st(pl.filter(state, p, ni))).toEqual(tc.want ?? null);
    });
  }
});

describe('NodeAffinity Score (upstream TestNodeAffinityPriority)', () => {
  const label1 = { foo: 'bar' };
  const label2 = { key: 'value' };
  const label3 = { az: 'az1' };
  const label4 = { abc: 'az11', def: 'az22' };
  const label5 = { foo: 'bar', key: 'value', az: 'az1' };
  const affinity1: NodeAffinitySpec = { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 2, preference: { matchExpressions: [expr('foo', 'In', ['bar'])] } }] };
  const affinity2: NodeAffinitySpec = {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 2, preference: { matchExpressions: [expr('foo', 'In', ['bar'])] } },
      { weight: 4, preference: { matchExpressions: [expr('key', 'In', ['value'])] } },
      { weight: 5, preference: { matchExpressions: [expr('foo', 'In', ['bar']), expr('key', 'In', ['value']), expr('az', 'In', ['az1'])] } },
    ],
  };
  const cases: Array<{ name: string; affinity?: NodeAffinitySpec; nodes: Array<[string, Record<string, string>]>; want: number[]; args?: NodeAffinitySpec; runPreScore?: boolean }> = [
    { name: 'all nodes same priority as NodeAffinity is nil', nodes: [['node1', label1], ['node2', label2], ['node3', label3]], want: [0, 0, 0] },
    { name: 'no node matches preferred terms', affinity: affinity1, nodes: [['node1', label4], ['node2', label2], ['node3', label3]], want: [0, 0, 0] },
    { name: 'only node1 matches', affinity: affinity1, nodes: [['node1', label1], ['node2', label2], ['node3', label3]], want: [100, 0, 0] },
    { name: 'all match with different priorities', affinity: affinity2, nodes: [['node1', label1], ['node5', label5], ['node2', label2]], want: [18, 100, 36] },
    { name: 'added affinity', nodes: [['node1', label1], ['node2', label2]], want: [100, 0], args: affinity1 },
    {
      name: 'added affinity and pod has default affinity', affinity: affinity1, nodes: [['node1', label1], ['node2', label2], ['node3', label5]], want: [40, 60, 100],
      args: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 3, preference: { matchExpressions: [expr('key', 'In', ['value'])] } }] },
    },
    { name: 'correct even if PreScore is not called', affinity: affinity2, nodes: [['node1', label1], ['node5', label5], ['node2', label2]], want: [18, 100, 36], runPreScore: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const pl = plugin(tc.args);
      const state = newState();
      const p = pod(tc.affinity ? { affinity: { nodeAffinity: tc.affinity } } : {});
      const infos = tc.nodes.map(([n, l]) => new NodeInfo(node(n, l)));
      if (tc.runPreScore !== false) {
        const s = pl.preScore(state, p, infos);
        if (s && s.code === Code.Skip) {
          // Skipped scoring leaves every node at 0 (upstream's expected list for nil affinity).
          expect(tc.want.every((w) => w === 0)).toBe(true);
          return;
        }
        expect(s).toBeNull();
      }
      const scores: NodeScore[] = infos.map((ni) => {
        const r = pl.score(state, p, ni);
        expect(r.status).toBeNull();
        return { name: ni.name, score: r.score };
      });
      expect(pl.normalizeScore(state, p, scores)).toBeNull();
      expect(scores.map((s) => s.score)).toEqual(tc.want);
    });
  }

  it('PreScore skips a pod without preferred terms when no added affinity', () => {
    expect(plugin().preScore(newState(), pod(), [new NodeInfo(node('n'))])?.code).toBe(Code.Skip);
  });

  it('PreScore reports an invalid preferred term as an error', () => {
    const p = pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [expr('foo', 'In', [])] } }] } } });
    const s = plugin().preScore(newState(), p, [new NodeInfo(node('n'))]);
    expect(s?.code).toBe(Code.Error);
    expect(s?.message()).toBe(`[0].matchExpressions[0].values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`);
  });
});

describe('NodeAffinity args (upstream ValidateNodeAffinityArgs)', () => {
  it('accepts valid added affinity', () => {
    expect(() => plugin({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr('foo', 'In', ['bar'])] }] } })).not.toThrow();
  });

  it('rejects invalid keys and matchFields with the field paths upstream reports', () => {
    const bad: NodeAffinitySpec = {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr('invalid/label/key', 'Exists')] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchFields: [nameIn('node-1', 'node-2')] } }],
    };
    let msg = '';
    try { plugin(bad); } catch (e) { msg = (e as Error).message; }
    expect(msg.startsWith('[addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: Invalid value: "invalid/label/key": a qualified name must consist of')).toBe(true);
    expect(msg).toContain(', addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].matchFields[0].values: Invalid value: []string{"node-1", "node-2"}: must have one element]');
  });

  it('rejects an unsupported operator', () => {
    expect(() => plugin({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }] } }))
      .toThrow('addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].operator: Unsupported value: "Exists": supported values: "In", "NotIn"');
  });
});

describe('NodeAffinity queueing hint', () => {
  const pl = plugin();
  const hint = pl.eventsToRegister()[0]!.hint!;
  const p = pod(required({ matchExpressions: [expr('foo', 'In', ['bar'])] }));
  it('queues an added node that matches', () => expect(hint(p, undefined, node('n', { foo: 'bar' }))).toBe('Queue'));
  it('skips an added node that does not match', () => expect(hint(p, undefined, node('n', { foo: 'baz' }))).toBe('QueueSkip'));
  it('queues an unmatch -> match update', () => expect(hint(p, node('n', {}), node('n', { foo: 'bar' }))).toBe('Queue'));
  it('skips a match -> match update', () => expect(hint(p, node('n', { foo: 'bar' }), node('n', { foo: 'bar', x: 'y' }))).toBe('QueueSkip'));
  it('skips nodes outside the added affinity', () => {
    const withAdded = plugin({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr('pool', 'In', ['a'])] }] } });
    expect(withAdded.eventsToRegister()[0]!.hint!(p, undefined, node('n', { foo: 'bar' }))).toBe('QueueSkip');
  });
});
