// NodeResourcesFit: ported from upstream fit_test.go (TestEnoughRequests, TestNotEnoughRequests,
// TestStorageRequests), least/most_allocated_test.go, requested_to_capacity_ratio_test.go and
// validation_pluginargs_test.go, with upstream's expected reasons and scores.
import { describe, expect, it } from 'vitest';
import type { Node, Pod, ResourceList } from '@kube-ts/client/types';
import { ActionType } from '../../../src/framework/events.js';
import type { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { Code } from '../../../src/framework/status.js';
import { brokenLinearFunction, NodeResourcesFit, NodeResourcesFitFactory } from '../../../src/plugins/noderesourcesfit/index.js';
import { fakeHandle, makeNode, makeNodeInfo, newState } from '../fixtures.js';

interface ResPodOpts { nodeName?: string; init?: ResourceList[]; overhead?: ResourceList; uid?: string }

/** A pod with one container per request list (none: a pod with no containers, as st.MakePod()). */
function resPod(name: string, reqs: ResourceList[], o: ResPodOpts = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}` },
    spec: {
      containers: reqs.map((r, i) => ({ name: `c${i}`, resources: { requests: r } })),
      ...(o.init ? { initContainers: o.init.map((r, i) => ({ name: `i${i}`, resources: { requests: r } })) } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.overhead ? { overhead: o.overhead } : {}),
    },
  };
}

function fit(args?: Record<string, unknown>): NodeResourcesFit {
  return NodeResourcesFitFactory(args, fakeHandle()) as NodeResourcesFit;
}

function runFilter(p: NodeResourcesFit, pod: Pod, ni: NodeInfo): { code: Code; reasons: string[] } | null {
  const state = newState();
  expect(p.preFilter(state, pod).status).toBeNull();
  const s = p.filter(state, pod, ni);
  return s && { code: s.code, reasons: s.reasons };
}

// upstream makeAllocatableResources(10, 20, 32, 5, 20, 5)
const ALLOC: ResourceList = { cpu: '10m', memory: '20', pods: '32', 'example.com/aaa': '5', 'ephemeral-storage': '20', 'hugepages-2Mi': '5' };
const cm = (cpu: number, mem: number, extra: ResourceList = {}): ResourceList => ({ cpu: `${cpu}m`, memory: `${mem}`, ...extra });

describe('NodeResourcesFit Filter (TestEnoughRequests)', () => {
  const cases: Array<{ name: string; pod: Pod; existing: ResourceList; args?: Record<string, unknown>; want: string[] | null }> = [
    { name: 'no resources requested always fits', pod: resPod('p', []), existing: cm(10, 20), want: null },
    { name: 'too many resources fails', pod: resPod('p', [cm(1, 1)]), existing: cm(10, 20), want: ['Insufficient cpu', 'Insufficient memory'] },
    { name: 'too many resources fails due to init container cpu', pod: resPod('p', [cm(1, 1)], { init: [cm(3, 1)] }), existing: cm(8, 19), want: ['Insufficient cpu'] },
    { name: 'too many resources fails due to highest init container cpu', pod: resPod('p', [cm(1, 1)], { init: [cm(3, 1), cm(2, 1)] }), existing: cm(8, 19), want: ['Insufficient cpu'] },
    { name: 'too many resources fails due to init container memory', pod: resPod('p', [cm(1, 1)], { init: [cm(1, 3)] }), existing: cm(9, 19), want: ['Insufficient memory'] },
    { name: 'too many resources fails due to highest init container memory', pod: resPod('p', [cm(1, 1)], { init: [cm(1, 3), cm(1, 2)] }), existing: cm(9, 19), want: ['Insufficient memory'] },
    { name: "init container fits because it's the max, not sum, of containers and init containers", pod: resPod('p', [cm(1, 1)], { init: [cm(1, 1)] }), existing: cm(9, 19), want: null },
    { name: 'multiple init containers fit because it is the max', pod: resPod('p', [cm(1, 1)], { init: [cm(1, 1), cm(1, 1)] }), existing: cm(9, 19), want: null },
    { name: 'both resources fit', pod: resPod('p', [cm(1, 1)]), existing: cm(5, 5), want: null },
    { name: 'one resource memory fits', pod: resPod('p', [cm(2, 1)]), existing: cm(9, 5), want: ['Insufficient cpu'] },
    { name: 'one resource cpu fits', pod: resPod('p', [cm(1, 2)]), existing: cm(5, 19), want: ['Insufficient memory'] },
    { name: 'equal edge case', pod: resPod('p', [cm(5, 1)]), existing: cm(5, 19), want: null },
    { name: 'equal edge case for init container', pod: resPod('p', [cm(4, 1)], { init: [cm(5, 1)] }), existing: cm(5, 19), want: null },
    { name: 'extended resource fits', pod: resPod('p', [{ 'example.com/aaa': '1' }]), existing: {}, want: null },
    { name: 'extended resource fits for init container', pod: resPod('p', [{}], { init: [{ 'example.com/aaa': '1' }] }), existing: {}, want: null },
    { name: 'extended resource capacity enforced', pod: resPod('p', [cm(1, 1, { 'example.com/aaa': '10' })]), existing: cm(0, 0, { 'example.com/aaa': '0' }), want: ['Insufficient example.com/aaa'] },
    { name: 'extended resource capacity enforced for init container', pod: resPod('p', [{}], { init: [cm(1, 1, { 'example.com/aaa': '10' })] }), existing: cm(0, 0, { 'example.com/aaa': '0' }), want: ['Insufficient example.com/aaa'] },
    { name: 'extended resource allocatable enforced', pod: resPod('p', [cm(1, 1, { 'example.com/aaa': '1' })]), existing: cm(0, 0, { 'example.com/aaa': '5' }), want: ['Insufficient example.com/aaa'] },
    { name: 'extended resource allocatable enforced for multiple containers', pod: resPod('p', [cm(1, 1, { 'example.com/aaa': '3' }), cm(1, 1, { 'example.com/aaa': '3' })]), existing: cm(0, 0, { 'example.com/aaa': '2' }), want: ['Insufficient example.com/aaa'] },
    { name: 'extended resource allocatable admits multiple init containers', pod: resPod('p', [{}], { init: [cm(1, 1, { 'example.com/aaa': '3' }), cm(1, 1, { 'example.com/aaa': '3' })] }), existing: cm(0, 0, { 'example.com/aaa': '2' }), want: null },
    { name: 'extended resource allocatable enforced for multiple init containers', pod: resPod('p', [{}], { init: [cm(1, 1, { 'example.com/aaa': '6' }), cm(1, 1, { 'example.com/aaa': '3' })] }), existing: cm(0, 0, { 'example.com/aaa': '2' }), want: ['Insufficient example.com/aaa'] },
    { name: 'extended resource allocatable enforced for unknown resource', pod: resPod('p', [cm(1, 1, { 'example.com/bbb': '1' })]), existing: cm(0, 0), want: ['Insufficient example.com/bbb'] },
    { name: 'extended resource allocatable enforced for unknown resource for init container', pod: resPod('p', [{}], { init: [cm(1, 1, { 'example.com/bbb': '1' })] }), existing: cm(0, 0), want: ['Insufficient example.com/bbb'] },
    { name: 'kubernetes.io resource capacity enforced', pod: resPod('p', [cm(1, 1, { 'kubernetes.io/something': '10' })]), existing: cm(0, 0), want: ['Insufficient kubernetes.io/something'] },
    { name: 'kubernetes.io resource capacity enforced for init container', pod: resPod('p', [{}], { init: [cm(1, 1, { 'subdomain.kubernetes.io/something': '10' })] }), existing: cm(0, 0), want: ['Insufficient subdomain.kubernetes.io/something'] },
    { name: 'hugepages resource capacity enforced', pod: resPod('p', [cm(1, 1, { 'hugepages-2Mi': '10' })]), existing: cm(0, 0, { 'hugepages-2Mi': '0' }), want: ['Insufficient hugepages-2Mi'] },
    { name: 'hugepages resource allocatable enforced for multiple containers', pod: resPod('p', [cm(1, 1, { 'hugepages-2Mi': '3' }), cm(1, 1, { 'hugepages-2Mi': '3' })]), existing: cm(0, 0, { 'hugepages-2Mi': '2' }), want: ['Insufficient hugepages-2Mi'] },
    { name: 'skip checking ignored extended resource', pod: resPod('p', [cm(1, 1, { 'example.com/bbb': '1' })]), existing: cm(0, 0), args: { ignoredResources: ['example.com/bbb'] }, want: null },
    { name: 'skip checking ignored extended resource via resource groups', pod: resPod('p', [cm(1, 1, { 'example.com/bbb': '1' })]), existing: cm(0, 0), args: { ignoredResourceGroups: ['example.com'] }, want: null },
    { name: 'kubernetes.io resources are never ignored', pod: resPod('p', [cm(1, 1, { 'kubernetes.io/something': '1' })]), existing: cm(0, 0), args: { ignoredResources: ['kubernetes.io/something'] }, want: ['Insufficient kubernetes.io/something'] },
    { name: 'resources + pod overhead fits', pod: resPod('p', [cm(1, 1)], { overhead: { cpu: '3m', memory: '13' } }), existing: cm(5, 5), want: null },
    { name: 'requests + overhead does not fit for memory', pod: resPod('p', [cm(1, 1)], { overhead: { cpu: '1m', memory: '15' } }), existing: cm(5, 5), want: ['Insufficient memory'] },
    { name: 'extended resource on a node that lacks it entirely (nvidia.com/gpu)', pod: resPod('p', [cm(1, 1, { 'nvidia.com/gpu': '1' })]), existing: cm(0, 0), want: ['Insufficient nvidia.com/gpu'] },
  ];
  it.each(cases)('$name', ({ pod, existing, args, want }) => {
    const ni = makeNodeInfo(makeNode('n', { allocatable: ALLOC }), [resPod('existing', [existing], { nodeName: 'n' })]);
    const got = runFilter(fit(args), pod, ni);
    expect(got).toEqual(want === null ? null : { code: Code.Unschedulable, reasons: want });
  });
});

describe('NodeResourcesFit Filter (TestNotEnoughRequests, TestStorageRequests)', () => {
  const onePod: ResourceList = { cpu: '10m', memory: '20', pods: '1' };
  it.each([
    { name: 'even without specified resources predicate fails when there is no space for additional pod', pod: resPod('p', []), existing: cm(10, 20) },
    { name: 'even if both resources fit predicate fails when there is no space for additional pod', pod: resPod('p', [cm(1, 1)]), existing: cm(5, 5) },
    { name: 'even for equal edge case predicate fails', pod: resPod('p', [cm(5, 1)]), existing: cm(5, 19) },
    { name: 'even for equal edge case predicate fails due to init container', pod: resPod('p', [cm(5, 1)], { init: [cm(5, 1)] }), existing: cm(5, 19) },
  ])('$name', ({ pod, existing }) => {
    const ni = makeNodeInfo(makeNode('n', { allocatable: onePod }), [resPod('existing', [existing], { nodeName: 'n' })]);
    expect(runFilter(fit(), pod, ni)).toEqual({ code: Code.Unschedulable, reasons: ['Too many pods'] });
  });

  it('reports Too many pods before the resources', () => {
    const ni = makeNodeInfo(makeNode('n', { allocatable: onePod }), [resPod('existing', [cm(10, 20)], { nodeName: 'n' })]);
    expect(runFilter(fit(), resPod('p', [cm(1, 1)]), ni)?.reasons).toEqual(['Too many pods', 'Insufficient cpu', 'Insufficient memory']);
  });

  it.each([
    { name: 'due to container scratch disk', pod: resPod('p', [cm(1, 1)]), existing: cm(10, 10), want: ['Insufficient cpu'] },
    { name: 'pod fit', pod: resPod('p', [cm(1, 1)]), existing: cm(2, 10), want: null },
    { name: 'storage ephemeral local storage request exceeds allocatable', pod: resPod('p', [{ 'ephemeral-storage': '25' }]), existing: cm(2, 2), want: ['Insufficient ephemeral-storage'] },
    { name: 'pod fits', pod: resPod('p', [{ 'ephemeral-storage': '10' }]), existing: cm(2, 2), want: null },
  ])('storage: $name', ({ pod, existing, want }) => {
    const ni = makeNodeInfo(makeNode('n', { allocatable: ALLOC }), [resPod('existing', [existing], { nodeName: 'n' })]);
    expect(runFilter(fit(), pod, ni)).toEqual(want === null ? null : { code: Code.Unschedulable, reasons: want });
  });

  it('Filter without PreFilter is an Error (TestPreFilterDisabled)', () => {
    const s = fit().filter(newState(), resPod('p', []), makeNodeInfo(makeNode('n')));
    expect(s?.code).toBe(Code.Error);
    expect(s?.message()).toBe('error reading "PreFilterNodeResourcesFit" from cycleState: not found');
  });

  it('has no PreFilterExtensions and no ScoreExtensions', () => {
    expect(fit().preFilterExtensions()).toBeNull();
    expect(fit().scoreExtensions()).toBeNull();
  });
});

// st.MakeNode().Capacity(...): whole cores and bytes, as the upstream tables write them.
const node = (name: string, cpu: string, memory: string, extra: ResourceList = {}): Node =>
  makeNode(name, { allocatable: { cpu, memory, pods: '110', ...extra } });

interface ScoreCase {
  name: string;
  pod: Pod;
  nodes: Node[];
  existing?: Pod[];
  want: number[];
  args?: Record<string, unknown>;
  skipPreScore?: boolean;
}

function runScores(c: ScoreCase): number[] {
  const p = fit(c.args);
  const state = newState();
  const infos = c.nodes.map((n) => makeNodeInfo(n, (c.existing ?? []).filter((e) => e.spec.nodeName === n.metadata.name)));
  if (!c.skipPreScore) expect(p.preScore(state, c.pod)).toBeNull();
  return infos.map((ni) => {
    const r = p.score(state, c.pod, ni);
    expect(r.status).toBeNull();
    return r.score;
  });
}

const reqPod = resPod('req', [{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }]);
const extendedResourceSet = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'abc.com/xyz', weight: 1 }];

describe('NodeResourcesFit Score: LeastAllocated (least_allocated_test.go)', () => {
  const cases: ScoreCase[] = [
    { name: 'nothing scheduled, nothing requested', pod: resPod('p', []), nodes: [node('node1', '4000', '10000'), node('node2', '4000', '10000')], want: [100, 100] },
    { name: 'nothing scheduled, resources requested, differently sized nodes', pod: reqPod, nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')], want: [37, 50] },
    {
      name: 'no resources requested, pods scheduled', pod: resPod('p', []), nodes: [node('node1', '4000', '10000'), node('node2', '4000', '10000')],
      existing: [resPod('e1', [], { nodeName: 'node1' }), resPod('e2', [], { nodeName: 'node1' }), resPod('e3', [], { nodeName: 'node2' }), resPod('e4', [], { nodeName: 'node2' })], want: [100, 100],
    },
    {
      name: 'no resources requested, pods scheduled with resources', pod: resPod('p', []), nodes: [node('node1', '10000', '20000'), node('node2', '10000', '20000')],
      existing: [
        resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }),
        resPod('e3', [{ cpu: '3000', memory: '0' }], { nodeName: 'node2' }), resPod('e4', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' }),
      ],
      want: [70, 57],
    },
    {
      name: 'resources requested, pods scheduled with resources', pod: reqPod, nodes: [node('node1', '10000', '20000'), node('node2', '10000', '20000')],
      existing: [resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' })], want: [57, 45],
    },
    {
      name: 'resources requested, pods scheduled with resources, differently sized nodes', pod: reqPod, nodes: [node('node1', '10000', '20000'), node('node2', '10000', '50000')],
      existing: [resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' })], want: [57, 60],
    },
    {
      name: 'requested resources exceed node capacity', pod: resPod('p', [{ cpu: '3000', memory: '0' }]), nodes: [node('node1', '4000', '10000'), node('node2', '4000', '10000')],
      existing: [resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' })], want: [50, 25],
    },
    {
      name: 'zero node resources, pods scheduled with resources', pod: resPod('p', []), nodes: [node('node1', '0', '0'), node('node2', '0', '0')],
      existing: [resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' })], want: [0, 0],
    },
    {
      name: 'nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes', pod: reqPod,
      nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')], want: [41, 50],
      args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }] } },
    },
    {
      name: 'bypass extended resource if the pod does not request', pod: reqPod,
      nodes: [node('node1', '6000', '10000'), node('node2', '6000', '10000', { 'abc.com/xyz': '4' })], want: [50, 50],
      args: { scoringStrategy: { type: 'LeastAllocated', resources: extendedResourceSet } },
    },
    {
      name: 'honor extended resource if the pod requests', pod: resPod('p', [{ cpu: '3000', memory: '5000', 'abc.com/xyz': '2' }]),
      nodes: [node('node1', '6000', '10000', { 'abc.com/xyz': '4' }), node('node2', '6000', '10000', { 'abc.com/xyz': '10' })], want: [50, 60],
      args: { scoringStrategy: { type: 'LeastAllocated', resources: extendedResourceSet } },
    },
    {
      name: "if the node doesn't have a resource", pod: resPod('p', [{ cpu: '3000', memory: '4000' }]),
      nodes: [node('node1', '6000', '10000'), node('node2', '6000', '10000', { 'abc.com/xyz': '4' })], want: [55, 55],
      args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'abc.com/xyz', weight: 2 }, { name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } },
    },
    {
      name: 'Score without PreScore computes the requests itself', pod: reqPod, nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')], want: [37, 50], skipPreScore: true,
    },
    {
      // The pod's own containers without requests count 100m / 200Mi when scoring.
      name: 'pod without requests scores with the non-zero defaults', pod: resPod('p', [{}]),
      // cpu (1000 - 100) * 100 / 1000 = 90, memory (1000Mi - 200Mi) * 100 / 1000Mi = 80 -> 85
      nodes: [makeNode('node1', { allocatable: { cpu: '1', memory: '1000Mi', pods: '110' } })], want: [85],
    },
  ];
  it.each(cases)('$name', (c) => expect(runScores(c)).toEqual(c.want));

  it('existing pods without requests count the non-zero defaults (NodeInfo.nonZeroRequested)', () => {
    // Explicit zero requests stay zero; the existing pod's empty container counts 100m / 200Mi:
    // cpu 90, memory 80 -> 85 (100 if the existing pod counted nothing).
    const n = makeNode('node1', { allocatable: { cpu: '1', memory: '1000Mi', pods: '110' } });
    expect(runScores({ name: '', pod: resPod('p', [{ cpu: '0', memory: '0' }]), nodes: [n], existing: [resPod('e', [{}], { nodeName: 'node1' })], want: [] })).toEqual([85]);
  });
});

describe('NodeResourcesFit Score: MostAllocated (most_allocated_test.go)', () => {
  const most = (resources?: Array<{ name: string; weight: number }>) => ({ scoringStrategy: { type: 'MostAllocated', ...(resources ? { resources } : {}) } });
  const cases: ScoreCase[] = [
    { name: 'nothing scheduled, nothing requested', pod: resPod('p', []), nodes: [node('node1', '4000', '10000'), node('node2', '4000', '10000')], want: [0, 0], args: most() },
    { name: 'nothing scheduled, resources requested, differently sized nodes', pod: reqPod, nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')], want: [62, 50], args: most() },
    {
      name: 'no resources requested, pods scheduled with resources', pod: resPod('p', []), nodes: [node('node1', '10000', '20000'), node('node2', '10000', '20000')],
      existing: [
        resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }),
        resPod('e3', [{ cpu: '3000', memory: '0' }], { nodeName: 'node2' }), resPod('e4', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' }),
      ],
      want: [30, 42], args: most(),
    },
    {
      name: 'resources requested, pods scheduled with resources', pod: reqPod, nodes: [node('node1', '10000', '20000'), node('node2', '10000', '20000')],
      existing: [resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' })], want: [42, 55], args: most(),
    },
    {
      // cpu is capped at capacity: node1 cpu 100, memory 60 -> 80; node2 cpu 66, memory 60 -> 63.
      name: 'resources requested with more than the node, pods scheduled with resources', pod: resPod('p', [{ cpu: '2000', memory: '6000' }]),
      nodes: [node('node1', '1000', '10000'), node('node2', '3000', '10000')], want: [80, 63], args: most(),
    },
    {
      name: 'nothing scheduled, resources requested, differently sized nodes, weighted', pod: reqPod, nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')],
      // node1: (75*1 + 50*2) / 3 = 58; node2: (50 + 100) / 3 = 50
      want: [58, 50], args: most([{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }]),
    },
    {
      name: 'honor extended resource if the pod requests', pod: resPod('p', [{ cpu: '3000', memory: '5000', 'abc.com/xyz': '2' }]),
      // node1: (50 + 50 + 50) / 3 = 50; node2: (50 + 50 + 20) / 3 = 40
      nodes: [node('node1', '6000', '10000', { 'abc.com/xyz': '4' }), node('node2', '6000', '10000', { 'abc.com/xyz': '10' })], want: [50, 40], args: most(extendedResourceSet),
    },
  ];
  it.each(cases)('$name', (c) => expect(runScores(c)).toEqual(c.want));
});

describe('NodeResourcesFit Score: RequestedToCapacityRatio (requested_to_capacity_ratio_test.go)', () => {
  const rtcr = (shape: Array<{ utilization: number; score: number }>, resources?: Array<{ name: string; weight: number }>) =>
    ({ scoringStrategy: { type: 'RequestedToCapacityRatio', ...(resources ? { resources } : {}), requestedToCapacityRatio: { shape } } });
  const spread = rtcr([{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }]);
  const pack = rtcr([{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }]);
  const cases: ScoreCase[] = [
    { name: 'nothing scheduled, nothing requested', pod: resPod('p', []), nodes: [node('node1', '4000', '10000'), node('node2', '4000', '10000')], want: [100, 100], args: spread },
    { name: 'nothing scheduled, resources requested, differently sized nodes', pod: reqPod, nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')], want: [38, 50], args: spread },
    {
      name: 'no resources requested, pods scheduled with resources', pod: resPod('p', []), nodes: [node('node1', '4000', '10000'), node('node2', '4000', '10000')],
      existing: [resPod('e1', [{ cpu: '3000', memory: '0' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '3000', memory: '5000' }], { nodeName: 'node2' })],
      // node1: cpu 75% -> 25, memory 0% -> 100: round(62.5) = 63; node2: 25, 50 -> round(37.5) = 38
      want: [63, 38], args: spread,
    },
    {
      // fit_test.go "test case for ScoringStrategy RequestedToCapacityRatio case1": node1's cpu is over capacity (score 0, left out).
      name: 'over-capacity resource scores 0 and leaves the weight sum', pod: resPod('p', [{ cpu: '3000', memory: '5000' }]),
      nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')],
      existing: [resPod('e1', [{ cpu: '2000', memory: '4000' }], { nodeName: 'node1' }), resPod('e2', [{ cpu: '1000', memory: '2000' }], { nodeName: 'node2' })],
      want: [10, 32], args: spread,
    },
    {
      // bin packing: node1 cpu 75% -> 75, memory 50% -> 50: round(62.5) = 63; node2: 50, 50 -> 50.
      name: 'bin packing shape', pod: reqPod, nodes: [node('node1', '4000', '10000'), node('node2', '6000', '10000')], want: [63, 50], args: pack,
    },
    {
      // extended resource weight 3: node1 gpu 2/4 = 50 -> 50; (75 + 50 + 150) / 5 = 55. node2 gpu 2/8 = 25: (75 + 50 + 75) / 5 = 40.
      name: 'weighted extended resource', pod: resPod('p', [{ cpu: '3000', memory: '5000', 'nvidia.com/gpu': '2' }]),
      nodes: [node('node1', '4000', '10000', { 'nvidia.com/gpu': '4' }), node('node2', '4000', '10000', { 'nvidia.com/gpu': '8' })],
      want: [55, 40], args: rtcr([{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }], [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'nvidia.com/gpu', weight: 3 }]),
    },
  ];
  it.each(cases)('$name', (c) => expect(runScores(c)).toEqual(c.want));

  it.each([
    { points: [{ utilization: 10, score: 1 }, { utilization: 90, score: 9 }], examples: [[-10, 1], [0, 1], [9, 1], [10, 1], [15, 1], [20, 2], [89, 8], [90, 9], [99, 9], [100, 9], [110, 9]] },
    { points: [{ utilization: 0, score: 2 }, { utilization: 40, score: 10 }, { utilization: 100, score: 0 }], examples: [[-10, 2], [0, 2], [20, 6], [30, 8], [40, 10], [70, 5], [100, 0], [110, 0]] },
    { points: [{ utilization: 0, score: 2 }, { utilization: 40, score: 2 }, { utilization: 100, score: 2 }], examples: [[-10, 2], [0, 2], [20, 2], [30, 2], [40, 2], [70, 2], [100, 2], [110, 2]] },
  ])('BuildBrokenLinearFunction %#', ({ points, examples }) => {
    const f = brokenLinearFunction(points);
    for (const [p, want] of examples) expect(f(p!)).toBe(want);
  });
});

describe('NodeResourcesFit args: defaults and validation', () => {
  it('defaults to LeastAllocated over cpu and memory with weight 1', () => {
    expect(fit().args.scoringStrategy).toEqual({ type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] });
    expect(fit({ scoringStrategy: { type: 'MostAllocated' } }).args.scoringStrategy.resources).toEqual([{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }]);
    expect(fit({ scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'nvidia.com/gpu' }] } }).args.scoringStrategy.resources).toEqual([{ name: 'nvidia.com/gpu', weight: 1 }]);
  });

  const QNAME = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  it.each([
    { name: 'invalid ignoredResources', args: { ignoredResources: ['-foo'] }, err: `ignoredResources[0]: Invalid value: "-foo": ${QNAME}` },
    { name: 'resource group with a slash', args: { ignoredResourceGroups: ['example.com/aaa'] }, err: `ignoredResourceGroups[0]: Invalid value: "example.com/aaa": resource group name can't contain '/'` },
    {
      name: 'unknown strategy', args: { scoringStrategy: { type: 'Foo' } },
      err: 'scoringStrategy.type: Unsupported value: "Foo": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"',
    },
    {
      name: 'weight out of range', args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'memory', weight: 1 }, { name: 'cpu', weight: 101 }] } },
      err: 'scoringStrategy.resources[1].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]',
    },
    {
      name: 'negative weight', args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'memory', weight: -1 }] } },
      err: 'scoringStrategy.resources[0].weight: Invalid value: -1: resource weight of memory not in valid range (0, 100]',
    },
    {
      name: 'RequestedToCapacityRatio without its parameters', args: { scoringStrategy: { type: 'RequestedToCapacityRatio' } },
      err: 'scoringStrategy.requestedToCapacityRatio: Required value: must be specified when type is RequestedToCapacityRatio',
    },
    {
      name: 'requestedToCapacityRatio with another type', args: { scoringStrategy: { type: 'MostAllocated', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }] } } },
      err: 'scoringStrategy.requestedToCapacityRatio: Forbidden: must be nil when type is not RequestedToCapacityRatio',
    },
    {
      name: 'empty shape', args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [] } } },
      err: 'scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified',
    },
    {
      name: 'unsorted shape', args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 10, score: 1 }, { utilization: 10, score: 2 }] } } },
      err: 'scoringStrategy.requestedToCapacityRatio.shape[1].utilization: Invalid value: 10: values must be sorted in increasing order',
    },
    {
      name: 'several errors are aggregated', args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 101, score: 11 }] } } },
      err: '[scoringStrategy.requestedToCapacityRatio.shape[0].utilization: Invalid value: 101: not in valid range [0, 100], scoringStrategy.requestedToCapacityRatio.shape[0].score: Invalid value: 11: not in valid range [0, 10]]',
    },
    { name: 'malformed args', args: { ignoredResources: 'cpu' }, err: 'decoding NodeResourcesFitArgs: ignoredResources: expected a list of strings' },
  ])('$name', ({ args, err }) => {
    let msg = '';
    try { fit(args); } catch (e) { msg = (e as Error).message; }
    expect(msg).toBe(err);
  });

  it('accepts valid ignored names', () => {
    expect(() => fit({ ignoredResources: ['example.com/aaa', 'foo'], ignoredResourceGroups: ['example.com'] })).not.toThrow();
  });
});

describe('NodeResourcesFit EventsToRegister and queueing hints', () => {
  const p = fit();
  const [podEv, nodeEv] = p.eventsToRegister();
  const target = resPod('target', [{ cpu: '2', memory: '1Gi' }], { uid: 'target' });

  it('registers pod delete/scale-down and node add/allocatable', () => {
    expect(podEv!.event).toMatchObject({ resource: 'Pod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown });
    expect(nodeEv!.event).toMatchObject({ resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable });
  });

  it.each([
    { name: 'deleted scheduled pod', old: resPod('x', [{ cpu: '1' }], { nodeName: 'n' }), now: undefined, want: 'Queue' },
    { name: 'deleted unscheduled pod', old: resPod('x', [{ cpu: '1' }]), now: undefined, want: 'QueueSkip' },
    { name: 'scheduled pod scaled down cpu', old: resPod('x', [{ cpu: '2' }], { nodeName: 'n' }), now: resPod('x', [{ cpu: '1' }], { nodeName: 'n' }), want: 'Queue' },
    { name: 'scheduled pod scaled down a resource the target does not request', old: resPod('x', [{ 'ephemeral-storage': '2' }], { nodeName: 'n' }), now: resPod('x', [{ 'ephemeral-storage': '1' }], { nodeName: 'n' }), want: 'QueueSkip' },
    { name: 'unscheduled pod scaled down', old: resPod('x', [{ cpu: '2' }]), now: resPod('x', [{ cpu: '1' }]), want: 'QueueSkip' },
    { name: 'the target itself scaled down', old: resPod('target', [{ cpu: '4' }], { uid: 'target' }), now: target, want: 'Queue' },
  ])('pod hint: $name', ({ old, now, want }) => expect(podEv!.hint!(target, old, now)).toBe(want));

  it.each([
    { name: 'added node that fits', old: undefined, now: node('n', '4', '4Gi'), want: 'Queue' },
    { name: 'added node too small', old: undefined, now: node('n', '1', '4Gi'), want: 'QueueSkip' },
    { name: 'node grew cpu and now fits', old: node('n', '1', '4Gi'), now: node('n', '4', '4Gi'), want: 'Queue' },
    { name: 'node changed nothing the pod requests', old: node('n', '4', '4Gi', { 'example.com/x': '1' }), now: node('n', '4', '4Gi', { 'example.com/x': '2' }), want: 'QueueSkip' },
    { name: 'node grew its pod count', old: makeNode('n', { allocatable: { cpu: '4', memory: '4Gi', pods: '1' } }), now: makeNode('n', { allocatable: { cpu: '4', memory: '4Gi', pods: '2' } }), want: 'Queue' },
  ])('node hint: $name', ({ old, now, want }) => expect(nodeEv!.hint!(target, old, now)).toBe(want));
});
