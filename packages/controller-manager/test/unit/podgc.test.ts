// PodGC selection (upstream gc_controller_test.go cases) and one controller pass against fakes:
// the terminated-pod threshold, out-of-service nodes, unscheduled terminating pods, and orphans
// deleted only after the node quarantine, marked Failed with DisruptionTarget first.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock } from '@kube-ts/client/clock';
import { ApiError } from '@kube-ts/client/errors';
import type { ResourceType } from '@kube-ts/client/resources';
import type { Node, Pod } from '@kube-ts/client/types';
import { DEFAULT_OPTIONS, type ControllerContext } from '../../src/context.js';
import { PodGCController } from '../../src/controllers/podgc/controller.js';
import { terminatedPodsToDelete, terminatingPodsOnOutOfServiceNodes, unscheduledTerminatingPods } from '../../src/controllers/podgc/select.js';

const pod = (name: string, phase: string, created: number, extra: { node?: string; deleting?: boolean; reason?: string } = {}): Pod => ({
  metadata: { name, namespace: 'default', creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, created)).toISOString(), ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [], ...(extra.node ? { nodeName: extra.node } : {}) },
  status: { phase: phase as 'Running', ...(extra.reason ? { reason: extra.reason } : {}) },
});
const node = (name: string, ready: boolean, taints: Array<{ key: string; effect: 'NoExecute' }> = []): Node => ({
  metadata: { name }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('podgc selection', () => {
  // upstream TestGCTerminated: threshold 1 over a, b (terminated) and c (running) deletes the oldest.
  it.each([
    { name: 'threshold = 0 disables', threshold: 0, pods: [['a', 'Failed', 0], ['b', 'Succeeded', 1]], deleted: [] },
    { name: 'threshold = 1 deletes the oldest', threshold: 1, pods: [['a', 'Failed', 0], ['b', 'Succeeded', 1], ['c', 'Running', 2]], deleted: ['a'] },
    { name: 'under the threshold', threshold: 5, pods: [['a', 'Failed', 0], ['b', 'Succeeded', 1]], deleted: [] },
    { name: 'names break creation ties', threshold: 1, pods: [['b', 'Failed', 0], ['a', 'Failed', 0], ['c', 'Failed', 0]], deleted: ['a', 'b'] },
    { name: 'only terminated phases count', threshold: 1, pods: [['a', 'Pending', 0], ['b', 'Unknown', 1], ['c', 'Running', 2], ['d', 'Failed', 3], ['e', 'Succeeded', 4]], deleted: ['d'] },
  ])('$name', ({ threshold, pods, deleted }) => {
    const list = pods.map(([n, p, t]) => pod(n as string, p as string, t as number));
    expect(terminatedPodsToDelete(list, threshold).map((p) => p.metadata.name)).toEqual(deleted);
  });

  it('evicted pods go first, whatever their age', () => {
    const list = [pod('old', 'Failed', 0), pod('evicted', 'Failed', 9, { reason: 'Evicted' }), pod('mid', 'Succeeded', 5)];
    expect(terminatedPodsToDelete(list, 1).map((p) => p.metadata.name)).toEqual(['evicted', 'old']);
  });

  it('terminating pods only on NotReady nodes with the out-of-service taint', () => {
    const nodes = new Map([
      ['oos', node('oos', false, [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }])],
      ['oos-ready', node('oos-ready', true, [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }])],
      ['down', node('down', false)],
    ]);
    const list = [
      pod('a', 'Running', 0, { node: 'oos', deleting: true }), pod('b', 'Running', 0, { node: 'oos' }),
      pod('c', 'Running', 0, { node: 'oos-ready', deleting: true }), pod('d', 'Running', 0, { node: 'down', deleting: true }),
    ];
    expect(terminatingPodsOnOutOfServiceNodes(list, (n) => nodes.get(n)).map((p) => p.metadata.name)).toEqual(['a']);
  });

  it('unscheduled terminating pods', () => {
    const list = [pod('a', 'Pending', 0, { deleting: true }), pod('b', 'Pending', 0), pod('c', 'Running', 0, { node: 'n', deleting: true })];
    expect(unscheduledTerminatingPods(list).map((p) => p.metadata.name)).toEqual(['a']);
  });
});

describe('podgc controller pass', () => {
  function fakeCtx(pods: Pod[], nodes: Node[], threshold: number, clock: FakeClock) {
    const actions: string[] = [];
    const storeOf = <T extends { metadata: { name?: string } }>(items: T[]) => ({ list: () => items, get: (k: string) => items.find((i) => i.metadata.name === k) });
    const informers = {
      informerFor: (t: ResourceType) => ({ store: t.plural === 'pods' ? storeOf(pods) : storeOf(nodes), waitForSync: async () => true }),
    };
    const rest = {
      resource: (t: ResourceType) => ({
        get: async (name: string) => {
          actions.push(`get ${t.plural}/${name}`);
          const n = nodes.find((x) => x.metadata.name === name);
          if (!n) throw new ApiError({ status: 'Failure', code: 404, reason: 'NotFound' }, 404);
          return n;
        },
        patch: async (name: string, _ns: string, body: { status: unknown }, type: string, o: { subresource?: string; fieldManager?: string; force?: boolean }) => {
          actions.push(`${type} ${t.plural}/${name}/${o.subresource} ${o.fieldManager} force=${o.force} ${JSON.stringify(body.status)}`);
        },
        delete: async (name: string, _ns: string, o: { gracePeriodSeconds?: number }) => { actions.push(`delete ${t.plural}/${name} grace=${o.gracePeriodSeconds}`); },
      }),
    };
    const ctx = { informers, rest, clock, logger: pino({ level: 'silent' }), options: { ...DEFAULT_OPTIONS, terminatedPodGCThreshold: threshold } } as unknown as ControllerContext;
    return { ctx, actions };
  }

  it('orphans go after the quarantine, marked Failed with DisruptionTarget (DeletionByPodGC); terminal pods beyond the threshold at once', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const pods = [pod('orphan', 'Running', 0, { node: 'gone' }), pod('fine', 'Running', 0, { node: 'here' }), pod('t1', 'Succeeded', 1, { node: 'here' }), pod('t2', 'Failed', 2, { node: 'here' })];
    const { ctx, actions } = fakeCtx(pods, [node('here', true)], 1, clock);
    const gc = new PodGCController(ctx, { quarantineMs: 40_000 });
    await gc.gc();
    expect(actions).toEqual(['delete pods/t1 grace=0']);
    actions.length = 0;
    await clock.step(39_000);
    await gc.gc();
    expect(actions).toEqual(['delete pods/t1 grace=0']); // the cache still shows it; no orphan yet
    actions.length = 0;
    await clock.step(1_000);
    await gc.gc();
    const ts = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    expect(actions).toEqual([
      'delete pods/t1 grace=0',
      'get nodes/gone',
      `strategic pods/orphan/status PodGC force=undefined {"phase":"Failed","conditions":[{"type":"DisruptionTarget","status":"True","reason":"DeletionByPodGC","message":"PodGC: node no longer exists","lastTransitionTime":"${ts}"}]}`,
      'delete pods/orphan grace=0',
    ]);
  });

  it('a node that reappears within the quarantine keeps its pods', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const nodes: Node[] = [];
    const { ctx, actions } = fakeCtx([pod('p', 'Running', 0, { node: 'late' })], nodes, 0, clock);
    const gc = new PodGCController(ctx, { quarantineMs: 1_000 });
    await gc.gc();
    nodes.push(node('late', true));
    await clock.step(1_000);
    await gc.gc();
    expect(actions).toEqual([]);
  });
});
