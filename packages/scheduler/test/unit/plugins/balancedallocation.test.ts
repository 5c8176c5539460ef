// NodeResourcesBalancedAllocation: ported from upstream balanced_allocation_test.go (1.32 scores).
import { describe, expect, it } from 'vitest';
import type { Node, Pod, ResourceList } from '@kube-ts/client/types';
import { NodeResourcesBalancedAllocation, NodeResourcesBalancedAllocationFactory } from '../../../src/plugins/balancedallocation.js';
import { fakeHandle, makeNode, makeNodeInfo, newState } from '../fixtures.js';

function resPod(name: string, reqs: ResourceList[], nodeName?: string): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: reqs.map((r, i) => ({ name: `c${i}`, resources: { requests: r } })), ...(nodeName ? { nodeName } : {}) },
  };
}

// upstream makeNode(name, milliCPU, memory, extendedResource)
const node = (name: string, milliCPU: number, memory: number, extra: ResourceList = {}): Node =>
  makeNode(name, { allocatable: { cpu: `${milliCPU}m`, memory: `${memory}`, pods: '110', ...extra } });

const cpuOnly: ResourceList[] = [{ cpu: '1000m', memory: '0' }, { cpu: '2000m', memory: '0' }];
const cpuAndMemory: ResourceList[] = [{ cpu: '1000m', memory: '2000' }, { cpu: '2000m', memory: '3000' }];
const cpuAndMemoryAndGPU: ResourceList[] = [{ cpu: '1000m', memory: '2000' }, { cpu: '2000m', memory: '3000', 'nvidia.com/gpu': '3' }];
const withGPU = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'nvidia.com/gpu', weight: 1 }];

function plugin(args?: Record<string, unknown>): NodeResourcesBalancedAllocation {
  return NodeResourcesBalancedAllocationFactory(args, fakeHandle()) as NodeResourcesBalancedAllocation;
}

describe('NodeResourcesBalancedAllocation Score', () => {
  it.each([
    { name: 'nothing scheduled, nothing requested', pod: resPod('p', []), nodes: [node('node1', 4000, 10000), node('node2', 4000, 10000)], pods: [], want: [100, 100] },
    {
      name: 'nothing scheduled, resources requested, differently sized nodes', pod: resPod('p', cpuAndMemory),
      nodes: [node('node1', 4000, 10000), node('node2', 6000, 10000)], pods: [], want: [87, 100],
    },
    {
      name: 'resources requested, pods scheduled with resources', pod: resPod('p', cpuAndMemory),
      nodes: [node('node1', 10000, 20000), node('node2', 10000, 20000)], pods: [resPod('a', cpuOnly, 'node1'), resPod('b', cpuAndMemory, 'node2')], want: [82, 95],
    },
    {
      name: 'resources requested, pods scheduled with resources, differently sized nodes', pod: resPod('p', cpuAndMemory),
      nodes: [node('node1', 10000, 20000), node('node2', 10000, 50000)], pods: [resPod('a', cpuOnly, 'node1'), resPod('b', cpuAndMemory, 'node2')], want: [82, 80],
    },
    {
      name: 'requested resources at node capacity', pod: resPod('p', cpuOnly),
      nodes: [node('node1', 6000, 10000), node('node2', 6000, 10000)], pods: [resPod('a', cpuOnly, 'node1'), resPod('b', cpuAndMemory, 'node2')], want: [50, 75],
    },
    {
      name: 'include scalar resource on a node for balanced resource allocation', pod: resPod('p', [{ memory: '0', 'nvidia.com/gpu': '1' }]),
      nodes: [node('node1', 3500, 40000, { 'nvidia.com/gpu': '8' }), node('node2', 3500, 40000, { 'nvidia.com/gpu': '8' })],
      pods: [resPod('a', cpuAndMemory, 'node2'), resPod('b', cpuAndMemoryAndGPU, 'node1')], args: { resources: withGPU }, want: [70, 65],
    },
    {
      name: 'node without the scalar resource should skip the scalar resource', pod: resPod('p', cpuAndMemory),
      nodes: [node('node1', 3500, 40000, { 'nvidia.com/gpu': '8' }), node('node2', 3500, 40000)], pods: [], args: { resources: withGPU }, want: [63, 63],
    },
    {
      name: 'resources requested, pods scheduled with resources if PreScore not called', pod: resPod('p', cpuAndMemory), skipPreScore: true,
      nodes: [node('node1', 10000, 20000), node('node2', 10000, 20000)], pods: [resPod('a', cpuOnly, 'node1'), resPod('b', cpuAndMemory, 'node2')], want: [82, 95],
    },
    {
      // Real requests, no 100m/200Mi defaults: a container without requests adds nothing.
      name: 'containers without requests count as zero', pod: resPod('p', [{}]),
      nodes: [node('node1', 4000, 10000)], pods: [resPod('a', [{ cpu: '2000m', memory: '0' }], 'node1')], want: [75],
    },
  ])('$name', ({ pod, nodes, pods, args, want, skipPreScore }: { pod: Pod; nodes: Node[]; pods: Pod[]; args?: Record<string, unknown>; want: number[]; skipPreScore?: boolean }) => {
    const p = plugin(args);
    const state = newState();
    if (!skipPreScore) expect(p.preScore(state, pod)).toBeNull();
    const got = nodes.map((n) => {
      const r = p.score(state, pod, makeNodeInfo(n, pods.filter((x) => x.spec.nodeName === n.metadata.name)));
      expect(r.status).toBeNull();
      return r.score;
    });
    expect(got).toEqual(want);
    expect(p.scoreExtensions()).toBeNull();
  });
});

describe('NodeResourcesBalancedAllocation args', () => {
  it('defaults to cpu and memory, weight 1', () => {
    expect(plugin().resources).toEqual([{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }]);
    expect(plugin({ resources: [{ name: 'nvidia.com/gpu' }] }).resources).toEqual([{ name: 'nvidia.com/gpu', weight: 1 }]);
  });

  it.each([
    { args: { resources: [{ name: 'cpu', weight: 1 }, { name: 'cpu', weight: 1 }] }, err: 'resources[1].name: Duplicate value: "cpu"' },
    { args: { resources: [{ name: 'cpu', weight: 2 }] }, err: 'resources[0].weight: Invalid value: 2: must be 1' },
    { args: { resources: [{ name: 'cpu', weight: 2 }, { name: 'cpu', weight: 1 }] }, err: '[resources[0].weight: Invalid value: 2: must be 1, resources[1].name: Duplicate value: "cpu"]' },
    { args: { resources: 'cpu' }, err: 'decoding NodeResourcesBalancedAllocationArgs: resources: expected a list' },
  ])('rejects $err', ({ args, err }) => {
    let msg = '';
    try { plugin(args); } catch (e) { msg = (e as Error).message; }
    expect(msg).toBe(err);
  });
});
