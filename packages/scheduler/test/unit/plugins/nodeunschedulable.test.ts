// NodeUnschedulable: ported from upstream node_unschedulable_test.go (TestNodeUnschedulable,
// TestIsSchedulableAfterNodeChange, TestIsSchedulableAfterPodTolerationChange).
import { describe, expect, it } from 'vitest';
import type { Toleration } from '@kube-ts/client/types';
import { ActionType } from '../../../src/framework/events.js';
import { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { Code } from '../../../src/framework/status.js';
import { ERR_REASON_UNKNOWN_CONDITION, ERR_REASON_UNSCHEDULABLE, NodeUnschedulable, NodeUnschedulableFactory } from '../../../src/plugins/nodeunschedulable.js';
import { fakeHandle, makeNode, makeNodeInfo, makePod, newState } from '../fixtures.js';

const plugin = (): NodeUnschedulable => NodeUnschedulableFactory(undefined, fakeHandle()) as NodeUnschedulable;
const tolerate: Toleration = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

describe('NodeUnschedulable Filter', () => {
  it.each([
    { name: 'Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)', unschedulable: true, tolerations: [] as Toleration[], want: { code: Code.UnschedulableAndUnresolvable, reasons: [ERR_REASON_UNSCHEDULABLE] } },
    { name: 'Schedule pod to normal node', unschedulable: false, tolerations: [], want: null },
    { name: 'Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)', unschedulable: true, tolerations: [tolerate], want: null },
    { name: 'a key-less Exists toleration tolerates it too', unschedulable: true, tolerations: [{ operator: 'Exists' }] as Toleration[], want: null },
    { name: 'a NoExecute toleration does not', unschedulable: true, tolerations: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoExecute' }] as Toleration[], want: { code: Code.UnschedulableAndUnresolvable, reasons: [ERR_REASON_UNSCHEDULABLE] } },
  ])('$name', ({ unschedulable, tolerations, want }) => {
    const s = plugin().filter(newState(), makePod('p', { spec: { tolerations } }), makeNodeInfo(makeNode('n', { unschedulable })));
    expect(s && { code: s.code, reasons: s.reasons }).toEqual(want);
  });

  it('a NodeInfo without a node has unknown conditions', () => {
    expect(plugin().filter(newState(), makePod('p'), new NodeInfo())?.reasons).toEqual([ERR_REASON_UNKNOWN_CONDITION]);
  });
});

describe('NodeUnschedulable events', () => {
  const [nodeEv, podEv] = plugin().eventsToRegister();

  it('registers node add/taint and unscheduled pod toleration updates', () => {
    expect(nodeEv!.event).toMatchObject({ resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint });
    expect(podEv!.event).toMatchObject({ resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations });
  });

  it.each([
    { name: 'added schedulable node', old: undefined, now: makeNode('n'), want: 'Queue' },
    { name: 'added unschedulable node', old: undefined, now: makeNode('n', { unschedulable: true }), want: 'QueueSkip' },
    { name: 'node uncordoned', old: makeNode('n', { unschedulable: true }), now: makeNode('n'), want: 'Queue' },
    { name: 'node cordoned', old: makeNode('n'), now: makeNode('n', { unschedulable: true }), want: 'QueueSkip' },
    { name: 'schedulable node changed otherwise', old: makeNode('n'), now: makeNode('n', { labels: { a: 'b' } }), want: 'QueueSkip' },
  ])('node hint: $name', ({ old, now, want }) => expect(nodeEv!.hint!(makePod('p'), old, now)).toBe(want));

  it.each([
    { name: 'the pod now tolerates the taint', modified: makePod('p', { uid: 'u1', spec: { tolerations: [tolerate] } }), want: 'Queue' },
    { name: 'the pod changed other tolerations', modified: makePod('p', { uid: 'u1', spec: { tolerations: [{ key: 'x', operator: 'Exists' }] } }), want: 'QueueSkip' },
    { name: 'another pod', modified: makePod('q', { uid: 'u2', spec: { tolerations: [tolerate] } }), want: 'QueueSkip' },
  ])('pod hint: $name', ({ modified, want }) => {
    expect(podEv!.hint!(makePod('p', { uid: 'u1' }), makePod('p', { uid: 'u1' }), modified)).toBe(want);
  });
});
