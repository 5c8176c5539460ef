// NodeName: ported from upstream node_name_test.go plus the PreFilter narrowing and the hint.
import { describe, expect, it } from 'vitest';
import { ActionType } from '../../../src/framework/events.js';
import { Code } from '../../../src/framework/status.js';
import { ERR_REASON, NodeName, NodeNameFactory } from '../../../src/plugins/nodename.js';
import { fakeHandle, makeNode, makeNodeInfo, makePod, newState } from '../fixtures.js';

const plugin = (): NodeName => NodeNameFactory(undefined, fakeHandle()) as NodeName;

describe('NodeName', () => {
  it.each([
    { name: 'no host specified', nodeName: undefined, node: 'foo', want: null },
    { name: 'host matches', nodeName: 'foo', node: 'foo', want: null },
    { name: "host doesn't match", nodeName: 'bar', node: 'foo', want: { code: Code.UnschedulableAndUnresolvable, reasons: [ERR_REASON] } },
  ])('Filter: $name', ({ nodeName, node, want }) => {
    const s = plugin().filter(newState(), makePod('p', nodeName ? { nodeName } : {}), makeNodeInfo(makeNode(node)));
    expect(s && { code: s.code, reasons: s.reasons }).toEqual(want);
  });

  it('PreFilter narrows the cycle to spec.nodeName, or skips', () => {
    expect(plugin().preFilter(newState(), makePod('p', { nodeName: 'foo' }))).toEqual({ result: { nodeNames: new Set(['foo']) }, status: null });
    expect(plugin().preFilter(newState(), makePod('p')).status?.code).toBe(Code.Skip);
    expect(plugin().preFilterExtensions()).toBeNull();
  });

  it('requeues on a node add only for the named node', () => {
    const [ev] = plugin().eventsToRegister();
    expect(ev!.event).toMatchObject({ resource: 'Node', actionType: ActionType.Add });
    expect(ev!.hint!(makePod('p', { nodeName: 'foo' }), undefined, makeNode('foo'))).toBe('Queue');
    expect(ev!.hint!(makePod('p', { nodeName: 'foo' }), undefined, makeNode('bar'))).toBe('QueueSkip');
    expect(ev!.hint!(makePod('p'), undefined, makeNode('bar'))).toBe('Queue');
  });
});
