import { describe, expect, it } from 'vitest';
import type { Node, Pod, Taint, Toleration } from '@kube-ts/client/types';
import { TaintTolerationFactory, type TaintToleration } from '../../../src/plugins/tainttoleration.js';
import { Code } from '../../../src/framework/status.js';
import type { NodeScore } from '../../../src/framework/interface.js';
import { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { fakeHandle, makePod, newState } from '../fixtures.js';

function nodeWithTaints(name: string, taints: Taint[]): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: {} }, spec: { taints }, status: {} };
}
function podWithTolerations(tolerations: Toleration[], uid?: string): Pod {
  return makePod('pod1', { spec: { tolerations }, ...(uid ? { uid } : {}) });
}
const plugin = (): TaintToleration => TaintTolerationFactory(undefined, fakeHandle()) as TaintToleration;

describe('TaintToleration Score (upstream TestTaintTolerationScore)', () => {
  const pns = 'PreferNoSchedule' as const;
  const cases: Array<{ name: string; tolerations: Toleration[]; nodes: Array<[string, Taint[]]>; want: number[] }> = [
    {
      name: 'node with taints tolerated by the pod gets a higher score',
      tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: pns }],
      nodes: [['nodeA', [{ key: 'foo', value: 'bar', effect: pns }]], ['nodeB', [{ key: 'foo', value: 'blah', effect: pns }]]],
      want: [100, 0],
    },
    {
      name: 'the number of tolerated taints does not matter',
      tolerations: [{ key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: pns }, { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: pns }],
      nodes: [
        ['nodeA', []],
        ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: pns }]],
        ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: pns }, { key: 'disk-type', value: 'ssd', effect: pns }]],
      ],
      want: [100, 100, 100],
    },
    {
      name: 'the more intolerable taints, the lower the score',
      tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: pns }],
      nodes: [
        ['nodeA', []],
        ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: pns }]],
        ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: pns }, { key: 'disk-type', value: 'ssd', effect: pns }]],
      ],
      want: [100, 50, 0],
    },
    {
      name: 'only PreferNoSchedule taints and tolerations are counted',
      tolerations: [{ key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'NoSchedule' }, { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' }],
      nodes: [
        ['nodeA', []],
        ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'NoSchedule' }]],
        ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: pns }, { key: 'disk-type', value: 'ssd', effect: pns }]],
      ],
      want: [100, 100, 0],
    },
    {
      name: 'no tolerations: lands on the node without taints',
      tolerations: [],
      nodes: [['nodeA', []], ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: pns }]]],
      want: [100, 0],
    },
    {
      name: 'a toleration with an empty effect tolerates PreferNoSchedule',
      tolerations: [{ key: 'foo', operator: 'Exists' }],
      nodes: [['nodeA', [{ key: 'foo', value: 'x', effect: pns }]], ['nodeB', [{ key: 'bar', value: 'x', effect: pns }]]],
      want: [100, 0],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const pl = plugin();
      const state = newState();
      const p = podWithTolerations(tc.tolerations);
      const infos = tc.nodes.map(([n, t]) => new NodeInfo(nodeWithTaints(n, t)));
      expect(pl.preScore(state, p)).toBeNull();
      const scores: NodeScore[] = infos.map((ni) => {
        const r = pl.score(state, p, ni);
        expect(r.status).toBeNull();
        return { name: ni.name, score: r.score };
      });
      expect(pl.normalizeScore(state, p, scores)).toBeNull();
      expect(scores.map((s) => s.score)).toEqual(tc.want);
    });
  }

  it('Score without PreScore is an error', () => {
    expect(plugin().score(newState(), podWithTolerations([]), new NodeInfo(nodeWithTaints('n', []))).status?.code).toBe(Code.Error);
  });
});

describe('TaintToleration Filter (upstream TestTaintTolerationFilter, 1.32 message)', () => {
  const untolerated = (kv: string): { code: Code; reasons: string[] } => ({ code: Code.UnschedulableAndUnresolvable, reasons: [`node(s) had untolerated taint {${kv}}`] });
  const cases: Array<{ name: string; tolerations: Toleration[]; taints: Taint[]; want?: { code: Code; reasons: string[] } }> = [
    { name: 'no tolerations, tainted node', tolerations: [], taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], want: untolerated('dedicated: user1') },
    { name: 'tolerated dedicated node', tolerations: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }] },
    { name: 'toleration for another value', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }], taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], want: untolerated('dedicated: user1') },
    { name: 'Exists toleration', tolerations: [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }] },
    {
      name: 'all of several taints tolerated',
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }, { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
      taints: [{ key: 'dedicated', value: 'user2', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    },
    { name: 'effect mismatch', tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }], want: untolerated('foo: bar') },
    { name: 'empty toleration effect matches all', tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar' }], taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }] },
    { name: 'PreferNoSchedule taint never filters', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }], taints: [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }] },
    { name: 'no toleration, PreferNoSchedule taint', tolerations: [], taints: [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }] },
    { name: 'NoExecute taint filters', tolerations: [], taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], want: untolerated('node.kubernetes.io/not-ready: ') },
    { name: 'control-plane taint without value', tolerations: [], taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], want: untolerated('node-role.kubernetes.io/control-plane: ') },
    {
      name: 'reports the first untolerated taint',
      tolerations: [{ key: 'a', operator: 'Exists' }],
      taints: [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'c', value: '3', effect: 'NoExecute' }],
      want: untolerated('dedicated: gpu'),
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = plugin().filter(newState(), podWithTolerations(tc.tolerations), new NodeInfo(nodeWithTaints('nodeA', tc.taints)));
      expect(s ? { code: s.code, reasons: s.reasons } : null).toEqual(tc.want ?? null);
    });
  }
});

describe('TaintToleration queueing hints', () => {
  const pl = plugin();
  const [nodeEvent, podEvent] = pl.eventsToRegister();
  const p = podWithTolerations([{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }], 'me');
  const bad: Taint = { key: 'bar', value: 'x', effect: 'NoSchedule' };
  it('queues an added node without untolerated taints', () => expect(nodeEvent!.hint!(p, undefined, nodeWithTaints('n', []))).toBe('Queue'));
  it('skips an added node with an untolerated taint', () => expect(nodeEvent!.hint!(p, undefined, nodeWithTaints('n', [bad]))).toBe('QueueSkip'));
  it('queues a node whose untolerated taint was removed', () => expect(nodeEvent!.hint!(p, nodeWithTaints('n', [bad]), nodeWithTaints('n', []))).toBe('Queue'));
  it('skips a node that was already tolerated', () => expect(nodeEvent!.hint!(p, nodeWithTaints('n', []), nodeWithTaints('n', [{ key: 'foo', effect: 'NoSchedule' }]))).toBe('QueueSkip'));
  it('queues on the pod\'s own toleration update', () => expect(podEvent!.hint!(p, p, podWithTolerations([], 'me'))).toBe('Queue'));
  it('skips another pod\'s toleration update', () => expect(podEvent!.hint!(p, p, podWithTolerations([], 'other'))).toBe('QueueSkip'));
  it('registers unscheduled pod toleration updates', () => expect(podEvent!.event.resource).toBe('UnscheduledPod'));
});
