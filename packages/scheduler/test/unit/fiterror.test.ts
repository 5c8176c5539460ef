// FitError: ported from upstream framework/types_test.go (TestFitError_Error), plus
// Scheduler.schedulePod over the in-tree default profile (schedule_one_test.go style): the
// "0/N nodes are available: ..." message users see in FailedScheduling events.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import { defaultConfig } from '../../src/config/load.js';
import type { KubeSchedulerConfiguration } from '../../src/config/types.js';
import { CycleState } from '../../src/framework/cyclestate.js';
import type { NodeInfo } from '../../src/framework/nodeinfo.js';
import { PodInfo } from '../../src/framework/podinfo.js';
import { Framework } from '../../src/framework/runtime.js';
import { Snapshot } from '../../src/framework/snapshot.js';
import { Code, Status } from '../../src/framework/status.js';
import { inTreeRegistry } from '../../src/plugins/registry.js';
import { FitError, NO_NODES_MSG, Scheduler, type Diagnosis } from '../../src/scheduler.js';
import { fakeHandle, makeNode, makeNodeInfo, makePod } from './fixtures.js';

function diagnosis(statuses: Record<string, Status>, o: Partial<Diagnosis> = {}): Diagnosis {
  return { nodeToStatus: new Map(Object.entries(statuses)), unschedulablePlugins: new Set(), pendingPlugins: new Set(), preFilterMsg: '', postFilterMsg: '', ...o };
}
const u = (...reasons: string[]): Status => Status.unschedulable(...reasons);
const pod = makePod('p');

describe('FitError.describe (TestFitError_Error)', () => {
  const preFilter = 'Node(s) failed PreFilter plugin FalsePreFilter';
  const preFilterStatuses = { node1: u(preFilter), node2: u(preFilter), node3: u(preFilter) };
  const f1 = 'Node(s) failed Filter plugin FalseFilter-1';
  const f2 = 'Node(s) failed Filter plugin FalseFilter-2';

  it.each([
    {
      name: 'nodes failed Prefilter plugin',
      n: 3, d: diagnosis(preFilterStatuses, { preFilterMsg: preFilter }),
      want: '0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter.',
    },
    {
      // Upstream appends the PostFilter message as is; here it always ends with one period.
      name: 'nodes failed Prefilter plugin and the preemption also failed',
      n: 3, d: diagnosis(preFilterStatuses, { preFilterMsg: preFilter, postFilterMsg: 'Error running PostFilter plugin FailedPostFilter' }),
      want: '0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. Error running PostFilter plugin FailedPostFilter.',
    },
    {
      name: 'nodes failed one Filter plugin with an empty PostFilterMsg',
      n: 3, d: diagnosis({ node1: u(f1), node2: u(f1), node3: u(f1) }),
      want: '0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.',
    },
    {
      name: 'nodes failed one Filter plugin with a non-empty PostFilterMsg',
      n: 3, d: diagnosis({ node1: u(f1), node2: u(f1), node3: u(f1) }, { postFilterMsg: 'Error running PostFilter plugin FailedPostFilter' }),
      want: '0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter.',
    },
    {
      name: 'nodes failed two Filter plugins with an empty PostFilterMsg',
      n: 3, d: diagnosis({ node1: u(f1), node2: u(f1), node3: u(f2) }),
      want: '0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1.',
    },
    {
      name: 'nodes failed two Filter plugins with a non-empty PostFilterMsg',
      n: 3, d: diagnosis({ node1: u(f1), node2: u(f1), node3: u(f2) }, { postFilterMsg: 'Error running PostFilter plugin FailedPostFilter' }),
      want: '0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter.',
    },
    {
      name: 'failed to Permit on node',
      n: 1, d: diagnosis({ node1: u('Node failed Permit plugin Permit-1') }),
      want: '0/1 nodes are available: 1 Node failed Permit plugin Permit-1.',
    },
    {
      name: 'failed to Reserve on node',
      n: 1, d: diagnosis({ node1: u('Node failed Reserve plugin Reserve-1') }),
      want: '0/1 nodes are available: 1 Node failed Reserve plugin Reserve-1.',
    },
    {
      name: 'every reason of a status is counted; the histogram is sorted as strings',
      n: 12,
      d: diagnosis({
        ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, u('Insufficient memory')])),
        b1: u('Insufficient cpu', 'Insufficient memory'),
        b2: u('Insufficient cpu', 'Too many pods'),
      }),
      // Byte order as Go's sort.Strings: "1 " < "11" < "2".
      want: '0/12 nodes are available: 1 Too many pods, 11 Insufficient memory, 2 Insufficient cpu.',
    },
    {
      name: 'the preemption message keeps a single closing period',
      n: 3, d: diagnosis({ node1: u('Insufficient cpu'), node2: u('Insufficient cpu'), node3: u('Insufficient cpu') }, {
        postFilterMsg: 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      }),
      want: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    },
    {
      name: 'no reasons at all',
      n: 0, d: diagnosis({}),
      want: '0/0 nodes are available:',
    },
  ])('$name', ({ n, d, want }) => {
    const e = new FitError(pod, n, d);
    expect(e.describe()).toBe(want);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('FitError');
    expect(e.message).toBe(`0/${n} nodes are available`);
  });
});

// ---- schedulePod over the default profile -------------------------------------------------------

function defaultFramework(snapshot: Snapshot, nominated: Record<string, PodInfo[]> = {}): Framework {
  const h = fakeHandle();
  return new Framework({ schedulerName: 'default-scheduler' }, inTreeRegistry(), {
    snapshot: () => snapshot,
    api: h.api,
    recorder: h.recorder,
    nominatedPodsForNode: (n) => nominated[n] ?? [],
    pdbs: () => [],
    priorityClass: () => undefined,
    namespaceLabels: (ns) => ({ 'kubernetes.io/metadata.name': ns }),
  });
}

/** A Scheduler with only what schedulePod reads (config, the cycle's snapshot, the start index). */
function scheduler(snapshot: Snapshot, config: KubeSchedulerConfiguration = defaultConfig()): Scheduler {
  const s = Object.create(Scheduler.prototype) as Scheduler;
  Object.assign(s, { opts: { config }, snapshot, nextStartNodeIndex: 0 });
  return s;
}

function schedule(nodes: NodeInfo[], p: Pod): { host?: string; error?: unknown } {
  const snap = new Snapshot(nodes);
  try {
    return { host: scheduler(snap).schedulePod(defaultFramework(snap), new CycleState(), p, snap) };
  } catch (error) {
    return { error };
  }
}

function fitError(r: { error?: unknown }): FitError {
  expect(r.error).toBeInstanceOf(FitError);
  return r.error as FitError;
}

const small = (name: string, o: Parameters<typeof makeNode>[1] = {}): NodeInfo => makeNodeInfo(makeNode(name, { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, ...o }));

describe('Scheduler.schedulePod', () => {
  it('fails with "no nodes available" when the cluster has no nodes', () => {
    const r = schedule([], pod);
    expect((r.error as Error).message).toBe(NO_NODES_MSG);
  });

  it('reports one reason per node, sorted', () => {
    const nodes = [
      small('n1'),
      small('n2', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      small('n3', { unschedulable: true }),
    ];
    const e = fitError(schedule(nodes, makePod('big', { requests: { cpu: '3' } })));
    expect(e.describe()).toBe('0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.');
    expect([...e.diagnosis.unschedulablePlugins].sort()).toEqual(['NodeResourcesFit', 'NodeUnschedulable', 'TaintToleration']);
    expect(e.diagnosis.nodeToStatus.get('n1')?.code).toBe(Code.Unschedulable);
    expect(e.diagnosis.nodeToStatus.get('n2')?.code).toBe(Code.UnschedulableAndUnresolvable);
  });

  it('the same reason on every node is counted', () => {
    const e = fitError(schedule([small('n1'), small('n2'), small('n3')], makePod('big', { requests: { cpu: '3', memory: '5Gi' } })));
    expect(e.describe()).toBe('0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.');
  });

  it('picks the feasible node; with several, the best scored one', () => {
    const busy = makeNodeInfo(makeNode('busy'), [makePod('hog', { nodeName: 'busy', requests: { cpu: '3', memory: '6Gi' } })]);
    const idle = makeNodeInfo(makeNode('idle'));
    const tainted = makeNodeInfo(makeNode('tainted', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }));
    for (let i = 0; i < 5; i++) expect(schedule([busy, idle, tainted], makePod(`p${i}`, { requests: { cpu: '500m', memory: '1Gi' } })).host).toBe('idle');
    expect(schedule([busy, tainted], makePod('one', { requests: { cpu: '500m' } })).host).toBe('busy');
  });

  it('a pod whose nominated node fits goes there first', () => {
    const a = makeNodeInfo(makeNode('a'));
    const b = makeNodeInfo(makeNode('b'));
    const p = makePod('preemptor', { requests: { cpu: '1' } });
    p.status = { ...p.status, nominatedNodeName: 'b' };
    expect(schedule([a, b], p).host).toBe('b');
  });

  it('a higher-priority pod nominated to the only node makes it not fit', () => {
    const n = small('n1');
    const snap = new Snapshot([n]);
    const nominated = new PodInfo(makePod('nominated', { priority: 100, requests: { cpu: '1500m' } }));
    const fwk = defaultFramework(snap, { n1: [nominated] });
    let err: unknown;
    try { scheduler(snap).schedulePod(fwk, new CycleState(), makePod('low', { priority: 1, requests: { cpu: '1' } }), snap); } catch (e) { err = e; }
    expect(fitError({ error: err }).describe()).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    // The same pod fits when the nominated pod has a lower priority.
    const fwk2 = defaultFramework(snap, { n1: [new PodInfo(makePod('nominated', { priority: 0, requests: { cpu: '1500m' } }))] });
    expect(scheduler(snap).schedulePod(fwk2, new CycleState(), makePod('low', { priority: 1, requests: { cpu: '1' } }), snap)).toBe('n1');
  });

  const pinnedTo = (name: string, node: string, cpu: string): Pod => makePod(name, {
    requests: { cpu },
    spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } } },
  });

  it('nodes left out by a PreFilter node set are UnschedulableAndUnresolvable', () => {
    const e = fitError(schedule([small('n1'), small('n2'), small('n3')], pinnedTo('pinned', 'n1', '3')));
    expect(e.diagnosis.nodeToStatus.get('n2')?.code).toBe(Code.UnschedulableAndUnresolvable);
    expect(e.diagnosis.nodeToStatus.get('n3')?.code).toBe(Code.UnschedulableAndUnresolvable);
    expect(e.describe()).toMatch(/^0\/3 nodes are available: 1 Insufficient cpu, 2 node\(s\) didn't satisfy plugin/);
  });

  // Upstream findNodesThatFitPod gives nodes outside the PreFilter result the status
  // "node(s) didn't satisfy plugin(s) [<plugins that narrowed the set>]" (here [NodeAffinity]).
  it('names the plugin whose PreFilter result left nodes out (upstream findNodesThatFitPod)', () => {
    const e = fitError(schedule([small('n1'), small('n2'), small('n3')], pinnedTo('pinned', 'n1', '3')));
    expect(e.describe()).toBe('0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn\'t satisfy plugin(s) [NodeAffinity].');
  });

  it('a PreFilter rejection is reported once with the preFilterMsg form', () => {
    const p = makePod('conflict', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }, { key: 'metadata.name', operator: 'In', values: ['n2'] }] }],
            },
          },
        },
      },
    });
    const e = fitError(schedule([small('n1'), small('n2')], p));
    expect(e.diagnosis.preFilterMsg).not.toBe('');
    expect(e.describe()).toBe(`0/2 nodes are available: ${e.diagnosis.preFilterMsg}.`);
    expect([...e.diagnosis.unschedulablePlugins]).toEqual(['NodeAffinity']);
    for (const s of e.diagnosis.nodeToStatus.values()) expect(s.code).toBe(Code.UnschedulableAndUnresolvable);
  });
});
