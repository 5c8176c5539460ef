// NodePorts: ported from upstream node_ports_test.go (TestNodePorts, TestPreFilterDisabled,
// Test_isSchedulableAfterPodDeleted).
import { describe, expect, it } from 'vitest';
import type { ContainerPort, Pod } from '@kube-ts/client/types';
import { ActionType } from '../../../src/framework/events.js';
import { Code } from '../../../src/framework/status.js';
import { ERR_REASON, NodePorts, NodePortsFactory } from '../../../src/plugins/nodeports.js';
import { fakeHandle, makeNode, makeNodeInfo, newState } from '../fixtures.js';

/** upstream newPod(host ...string): ports as "PROTO/IP/PORT". */
function portPod(name: string, ports: string[], o: { nodeName?: string; nominated?: string } = {}): Pod {
  const cps: ContainerPort[] = ports.map((s) => {
    const [protocol, hostIP, port] = s.split('/');
    return { containerPort: Number(port), hostPort: Number(port), hostIP: hostIP!, protocol: protocol as ContainerPort['protocol'] };
  });
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [{ name: 'c', ports: cps }], ...(o.nodeName ? { nodeName: o.nodeName } : {}) },
    status: o.nominated ? { nominatedNodeName: o.nominated } : {},
  };
}

const plugin = (): NodePorts => NodePortsFactory(undefined, fakeHandle()) as NodePorts;

describe('NodePorts Filter (TestNodePorts)', () => {
  it.each([
    { name: 'other port', pod: ['UDP/127.0.0.1/8080'], node: ['UDP/127.0.0.1/9090'], fits: true },
    { name: 'same udp port', pod: ['UDP/127.0.0.1/8080'], node: ['UDP/127.0.0.1/8080'], fits: false },
    { name: 'same tcp port', pod: ['TCP/127.0.0.1/8080'], node: ['TCP/127.0.0.1/8080'], fits: false },
    { name: 'different host ip', pod: ['TCP/127.0.0.1/8080'], node: ['TCP/127.0.0.2/8080'], fits: true },
    { name: 'different protocol', pod: ['UDP/127.0.0.1/8080'], node: ['TCP/127.0.0.1/8080'], fits: true },
    { name: 'second udp port conflict', pod: ['UDP/127.0.0.1/8000', 'UDP/127.0.0.1/8080'], node: ['UDP/127.0.0.1/8080'], fits: false },
    { name: 'first tcp port conflict', pod: ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8080'], node: ['TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8081'], fits: false },
    { name: 'first tcp port conflict due to 0.0.0.0 hostIP', pod: ['TCP/0.0.0.0/8001'], node: ['TCP/127.0.0.1/8001'], fits: false },
    { name: 'TCP hostPort conflict due to 0.0.0.0 hostIP', pod: ['TCP/10.0.10.10/8001', 'TCP/0.0.0.0/8001'], node: ['TCP/127.0.0.1/8001'], fits: false },
    { name: 'second tcp port conflict to 0.0.0.0 hostIP', pod: ['TCP/127.0.0.1/8001'], node: ['TCP/0.0.0.0/8001'], fits: false },
    { name: 'second different protocol', pod: ['UDP/127.0.0.1/8001'], node: ['TCP/0.0.0.0/8001'], fits: true },
    { name: 'UDP hostPort conflict due to 0.0.0.0 hostIP', pod: ['UDP/127.0.0.1/8001'], node: ['TCP/0.0.0.0/8001', 'UDP/0.0.0.0/8001'], fits: false },
    { name: 'empty hostIP and protocol mean 0.0.0.0 and TCP', pod: ['/127.0.0.1/8001'], node: ['TCP//8001'], fits: false },
  ])('$name', ({ pod, node, fits }) => {
    const p = plugin();
    const state = newState();
    const pp = portPod('p', pod);
    expect(p.preFilter(state, pp).status).toBeNull();
    const s = p.filter(state, pp, makeNodeInfo(makeNode('n'), [portPod('e', node, { nodeName: 'n' })]));
    if (fits) expect(s).toBeNull();
    else expect(s && { code: s.code, reasons: s.reasons }).toEqual({ code: Code.Unschedulable, reasons: [ERR_REASON] });
  });

  it('skips pods without host ports', () => {
    expect(plugin().preFilter(newState(), portPod('p', [])).status?.code).toBe(Code.Skip);
    const noHostPort: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } };
    expect(plugin().preFilter(newState(), noHostPort).status?.code).toBe(Code.Skip);
  });

  it('counts sidecar (restartable init container) ports', () => {
    const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], initContainers: [{ name: 's', restartPolicy: 'Always', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'i', ports: [{ containerPort: 81, hostPort: 8081 }] }] } };
    const p = plugin();
    const state = newState();
    expect(p.preFilter(state, pod).status).toBeNull();
    expect(p.filter(state, pod, makeNodeInfo(makeNode('n'), [portPod('e', ['TCP/0.0.0.0/8080'], { nodeName: 'n' })]))?.reasons).toEqual([ERR_REASON]);
    expect(p.filter(state, pod, makeNodeInfo(makeNode('n'), [portPod('e', ['TCP/0.0.0.0/8081'], { nodeName: 'n' })]))).toBeNull();
  });

  it('Filter without PreFilter is an Error (TestPreFilterDisabled)', () => {
    const s = plugin().filter(newState(), portPod('p', ['TCP/0.0.0.0/80']), makeNodeInfo(makeNode('n')));
    expect(s?.code).toBe(Code.Error);
    expect(s?.message()).toBe('reading "PreFilterNodePorts" from cycleState: not found');
  });
});

describe('NodePorts events', () => {
  const [podEv, nodeEv] = plugin().eventsToRegister();
  const target = portPod('target', ['TCP/0.0.0.0/8080']);

  it('registers pod delete and node add', () => {
    expect(podEv!.event).toMatchObject({ resource: 'Pod', actionType: ActionType.Delete });
    expect(nodeEv!.event).toMatchObject({ resource: 'Node', actionType: ActionType.Add });
  });

  it.each([
    { name: 'deleted scheduled pod held the port', deleted: portPod('d', ['TCP/0.0.0.0/8080'], { nodeName: 'n' }), want: 'Queue' },
    { name: 'deleted nominated pod held the port', deleted: portPod('d', ['TCP/127.0.0.1/8080'], { nominated: 'n' }), want: 'Queue' },
    { name: 'deleted pod was unscheduled', deleted: portPod('d', ['TCP/0.0.0.0/8080']), want: 'QueueSkip' },
    { name: 'deleted pod had no host ports', deleted: portPod('d', [], { nodeName: 'n' }), want: 'QueueSkip' },
    { name: 'deleted pod held another port', deleted: portPod('d', ['TCP/0.0.0.0/9090'], { nodeName: 'n' }), want: 'QueueSkip' },
    { name: 'deleted pod held the port on another protocol', deleted: portPod('d', ['UDP/0.0.0.0/8080'], { nodeName: 'n' }), want: 'QueueSkip' },
  ])('$name', ({ deleted, want }) => expect(podEv!.hint!(target, deleted, undefined)).toBe(want));
});
