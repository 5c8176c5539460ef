// SchedulingQueue: ported from upstream internal/queue/scheduling_queue_test.go (TestPriorityQueue_Add,
// _Pop, _AddUnschedulableIfNotPresent_Backoff, _MoveAllToActiveOrBackoffQueue, _Update, _Delete,
// _NominatedPodsForNode, TestBackOffFlow, TestHighPriorityFlushUnschedulablePodsLeftover) and the
// SchedulingGates PreEnqueue behaviour.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '@kube-ts/client/types';
import { FakeClock, flushMicrotasks } from '@kube-ts/client/clock';
import { isPodUpdated, SchedulingQueue, SCHEDULING_GATES, type QueueName, type QueueOptions } from '../../src/backend/queue.js';
import { ActionType, type ClusterEvent, type ClusterEventWithHint } from '../../src/framework/events.js';
import { PodInfo, type QueuedPodInfo } from '../../src/framework/podinfo.js';
import { PrioritySort } from '../../src/plugins/prioritysort.js';
import { makeNode, makePod } from './fixtures.js';

const sort = new PrioritySort();
const WILDCARD: ClusterEvent = { resource: '*', actionType: ActionType.All, label: 'WildCard' };
const NODE_ADD: ClusterEvent = { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' };

function newQueue(o: Partial<QueueOptions> = {}): { q: SchedulingQueue; clock: FakeClock } {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ less: (a, b) => sort.less(a, b), clock, ...o });
  return { q, clock };
}

async function popNow(q: SchedulingQueue): Promise<QueuedPodInfo> {
  const got = await q.pop();
  if (!got) throw new Error('queue closed');
  return got;
}

/** Pops `pod` (which must be next) and returns it as rejected by `plugins` in that cycle. */
async function attemptAndFail(q: SchedulingQueue, pod: Pod, plugins: string[]): Promise<{ qp: QueuedPodInfo; cycle: number }> {
  const qp = await popNow(q);
  expect(qp.podInfo.pod.metadata.name).toBe(pod.metadata.name);
  qp.unschedulablePlugins = new Set(plugins);
  return { qp, cycle: q.schedulingCycle() };
}

/** Puts `pod` straight into the unschedulable pool (one failed attempt, rejected by `plugins`). */
async function makeUnschedulable(q: SchedulingQueue, pod: Pod, plugins: string[]): Promise<QueuedPodInfo> {
  q.add(pod);
  const { qp, cycle } = await attemptAndFail(q, pod, plugins);
  q.addUnschedulableIfNotPresent(qp, cycle);
  expect(q.whereIs(pod)).toBe('unschedulable');
  return qp;
}

const withLabels = (p: Pod, labels: Record<string, string>): Pod => ({ ...p, metadata: { ...p.metadata, labels } });
const withGates = (p: Pod, gates: string[]): Pod => ({ ...p, spec: { ...p.spec, schedulingGates: gates.map((name) => ({ name })) } });

describe('activeQ order (PrioritySort)', () => {
  it('pops higher priority first, then FIFO within a priority (TestPriorityQueue_Add)', async () => {
    const { q, clock } = newQueue();
    const names = [['low', 0], ['high', 100], ['mid1', 50], ['mid2', 50], ['mid3', 50], ['unset', undefined]] as const;
    for (const [name, priority] of names) {
      q.add(makePod(name, priority === undefined ? {} : { priority }));
      await clock.step(1); // distinct timestamps make the FIFO order well defined
    }
    const got: string[] = [];
    for (let i = 0; i < names.length; i++) got.push((await popNow(q)).podInfo.pod.metadata.name!);
    expect(got).toEqual(['high', 'mid1', 'mid2', 'mid3', 'low', 'unset']);
  });

  it('ignores a second add of a pod already queued or in flight', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    q.add(p);
    q.add(p);
    expect(q.counts().active).toBe(1);
    await popNow(q);
    q.add(p);
    expect(q.whereIs(p)).toBe('inFlight');
    expect(q.counts().active).toBe(0);
  });

  it('counts attempts and scheduling cycles on pop', async () => {
    const { q } = newQueue();
    q.add(makePod('a'));
    q.add(makePod('b'));
    expect(q.schedulingCycle()).toBe(0);
    const a = await popNow(q);
    expect(a.attempts).toBe(1);
    expect(q.schedulingCycle()).toBe(1);
    await popNow(q);
    expect(q.schedulingCycle()).toBe(2);
  });
});

describe('pop', () => {
  it('waits while activeQ is empty and wakes on add (TestPriorityQueue_Pop)', async () => {
    const { q } = newQueue();
    let got: QueuedPodInfo | undefined;
    const waiting = q.pop().then((v) => { got = v; });
    await flushMicrotasks();
    expect(got).toBeUndefined();
    const p = makePod('p', { priority: 10 });
    q.add(p);
    await waiting;
    expect(got?.podInfo.pod.metadata.name).toBe('p');
    expect(got?.attempts).toBe(1);
    expect(q.whereIs(p)).toBe('inFlight');
    q.done(p);
    expect(q.whereIs(p)).toBeUndefined();
  });

  it('wakes a waiter when a move makes a pod active', async () => {
    const { q, clock } = newQueue({ pluginEvents: new Map([['Fit', [{ event: NODE_ADD }]]]) });
    const p = makePod('p');
    await makeUnschedulable(q, p, ['Fit']);
    await clock.step(2000); // past the 1 s backoff
    let got: QueuedPodInfo | undefined;
    const waiting = q.pop().then((v) => { got = v; });
    await flushMicrotasks();
    expect(got).toBeUndefined();
    q.moveAllToActiveOrBackoffQueue(NODE_ADD, undefined, makeNode('n'));
    await waiting;
    expect(got?.podInfo.pod.metadata.name).toBe('p');
    expect(got?.attempts).toBe(2);
  });

  it('resolves waiters with undefined on close, and pop after close is undefined', async () => {
    const { q } = newQueue();
    const waiting = q.pop();
    q.close();
    expect(await waiting).toBeUndefined();
    q.add(makePod('p'));
    expect(await q.pop()).toBeUndefined();
  });
});

describe('backoff', () => {
  // TestBackOffFlow: each failed attempt doubles the backoff from 1 s, capped at 10 s.
  it.each([
    { initial: undefined, max: undefined, want: [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000] },
    { initial: 2000, max: 5000, want: [2000, 4000, 5000, 5000] },
    { initial: 1000, max: 1000, want: [1000, 1000, 1000] },
  ])('durations with initial=$initial max=$max', async ({ initial, max, want }) => {
    const o: Partial<QueueOptions> = {};
    if (initial !== undefined) o.podInitialBackoffMs = initial;
    if (max !== undefined) o.podMaxBackoffMs = max;
    const { q, clock } = newQueue(o);
    const p = makePod('test-pod', { priority: 1 });
    q.add(p);
    for (let i = 0; i < want.length; i++) {
      const backoff = want[i]!;
      const qp = await popNow(q);
      expect(qp.attempts).toBe(i + 1);
      qp.unschedulablePlugins = new Set(['plugin']);
      q.addUnschedulableIfNotPresent(qp, q.schedulingCycle());
      expect(q.whereIs(p)).toBe('unschedulable');
      // An event that moves every pod: the pod is still backing off, so it goes to backoffQ.
      q.moveAllToActiveOrBackoffQueue(WILDCARD, undefined, undefined);
      expect(q.whereIs(p)).toBe('backoff');
      await clock.step(backoff - 1);
      q.flushBackoffCompleted();
      expect(q.whereIs(p)).toBe('backoff');
      await clock.step(1);
      q.flushBackoffCompleted();
      expect(q.whereIs(p)).toBe('active');
    }
  });

  it('flushBackoffCompleted moves only the pods whose backoff expired, earliest first', async () => {
    const { q, clock } = newQueue();
    const a = makePod('a');
    const b = makePod('b');
    q.add(a);
    q.add(b);
    const qa = await popNow(q);
    const qb = await popNow(q);
    // Errors (no rejecting plugin) go to backoffQ directly.
    q.addUnschedulableIfNotPresent(qa, q.schedulingCycle());
    await clock.step(500);
    q.addUnschedulableIfNotPresent(qb, q.schedulingCycle());
    expect(q.counts()).toEqual({ active: 0, backoff: 2, unschedulable: 0, gated: 0 });
    await clock.step(500); // a expires at 1000, b at 1500
    q.flushBackoffCompleted();
    expect(q.whereIs(a)).toBe('active');
    expect(q.whereIs(b)).toBe('backoff');
    await clock.step(500);
    q.flushBackoffCompleted();
    expect(q.whereIs(b)).toBe('active');
  });

  it('run() flushes backoffQ every second and close() stops it', async () => {
    const { q, clock } = newQueue();
    q.run();
    const p = makePod('p');
    q.add(p);
    q.addUnschedulableIfNotPresent(await popNow(q), q.schedulingCycle());
    expect(q.whereIs(p)).toBe('backoff');
    await clock.step(2000);
    expect(q.whereIs(p)).toBe('active');
    q.close();
    expect(clock.pending()).toBe(0);
  });
});

describe('addUnschedulableIfNotPresent', () => {
  it('puts a pod rejected by a plugin into the unschedulable pool when no move happened', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    await makeUnschedulable(q, p, ['NodeAffinity']);
    expect(q.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 1, gated: 0 });
  });

  it('puts a pod that failed with an error (no rejecting plugin) into backoffQ', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    q.add(p);
    const qp = await popNow(q);
    q.addUnschedulableIfNotPresent(qp, q.schedulingCycle());
    expect(q.whereIs(p)).toBe('backoff');
  });

  // TestPriorityQueue_AddUnschedulableIfNotPresent_Backoff.
  it('puts pods into backoffQ when a move request happened during their scheduling cycle', async () => {
    const { q } = newQueue();
    const total = 10;
    const pods = Array.from({ length: total }, (_, i) => makePod(`pod${i}`, { namespace: `ns${i}`, priority: i }));
    for (const p of pods) q.add(p);
    const popped: QueuedPodInfo[] = [];
    for (let i = total - 1; i > 0; i--) {
      const qp = await popNow(q);
      expect(qp.podInfo.pod.metadata.name).toBe(`pod${i}`);
      popped.push(qp);
    }
    q.moveAllToActiveOrBackoffQueue(WILDCARD, undefined, undefined);
    const oldCycle = q.schedulingCycle();
    const first = await popNow(q);
    expect(first.podInfo.pod.metadata.name).toBe('pod0');
    for (const qp of popped) {
      qp.unschedulablePlugins = new Set(['plugin']);
      q.addUnschedulableIfNotPresent(qp, oldCycle);
    }
    for (let i = 1; i < total; i++) expect(q.whereIs(pods[i]!)).toBe('backoff');
  });

  it('a move request in an earlier cycle does not count', async () => {
    const { q } = newQueue();
    const a = makePod('a', { priority: 2 });
    const b = makePod('b', { priority: 1 });
    q.add(a);
    q.add(b);
    const fa = await attemptAndFail(q, a, ['plugin']);
    q.moveAllToActiveOrBackoffQueue(NODE_ADD, undefined, makeNode('n')); // during a's cycle
    const fb = await attemptAndFail(q, b, ['plugin']);
    q.addUnschedulableIfNotPresent(fb.qp, fb.cycle);
    q.addUnschedulableIfNotPresent(fa.qp, fa.cycle);
    expect(q.whereIs(a)).toBe('backoff');
    expect(q.whereIs(b)).toBe('unschedulable');
  });

  it('does nothing when the pod is already queued again (e.g. re-added by an update)', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    q.add(p);
    const qp = await popNow(q);
    q.activate(qp);
    qp.unschedulablePlugins = new Set(['plugin']);
    q.addUnschedulableIfNotPresent(qp, q.schedulingCycle());
    expect(q.whereIs(p)).toBe('active');
    expect(q.counts()).toEqual({ active: 1, backoff: 0, unschedulable: 0, gated: 0 });
  });
});

describe('moveAllToActiveOrBackoffQueue', () => {
  const bigNode = makeNode('big', { allocatable: { cpu: '64', memory: '256Gi', pods: '110' } });
  const smallNode = makeNode('small');
  const pluginEvents = (): Map<string, ClusterEventWithHint[]> => new Map<string, ClusterEventWithHint[]>([
    ['NodeAffinity', [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } }]],
    ['NodeResourcesFit', [{
      event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable },
      hint: (_pod, _old, n) => ((n as Node).metadata.name === 'big' ? 'Queue' : 'QueueSkip'),
    }]],
    ['InterPodAffinity', [{ event: { resource: 'Pod', actionType: ActionType.Add | ActionType.Delete } }]],
    ['Broken', [{ event: { resource: 'Node', actionType: ActionType.UpdateNodeTaint }, hint: () => { throw new Error('boom'); } }]],
  ]);

  async function setup(): Promise<{ q: SchedulingQueue; clock: FakeClock; pods: Record<string, Pod> }> {
    const { q, clock } = newQueue({ pluginEvents: pluginEvents() });
    const pods = {
      affinity: makePod('affinity', { priority: 5 }),
      fit: makePod('fit', { priority: 4 }),
      podAffinity: makePod('podAffinity', { priority: 3 }),
      unknown: makePod('unknown', { priority: 2 }),
      broken: makePod('broken', { priority: 1 }),
    };
    for (const p of Object.values(pods)) q.add(p);
    const rejectedBy: Record<string, string[]> = {
      affinity: ['NodeAffinity'], fit: ['NodeResourcesFit'], podAffinity: ['InterPodAffinity'], unknown: ['NoEvents'], broken: ['Broken'],
    };
    const failed: Array<{ qp: QueuedPodInfo; cycle: number }> = [];
    for (const [k, p] of Object.entries(pods)) failed.push(await attemptAndFail(q, p, rejectedBy[k]!));
    for (const f of failed) q.addUnschedulableIfNotPresent(f.qp, f.cycle);
    expect(q.counts().unschedulable).toBe(5);
    await clock.step(2000); // backoff (1 s) over: moved pods go to activeQ
    return { q, clock, pods };
  }

  const where = (q: SchedulingQueue, pods: Record<string, Pod>): Record<string, QueueName | 'inFlight' | undefined> =>
    Object.fromEntries(Object.entries(pods).map(([k, p]) => [k, q.whereIs(p)]));

  it('moves only pods whose rejecting plugin registered a matching event, honouring hints', async () => {
    const { q, pods } = await setup();
    // UpdateNodeTaint: only "Broken" registered it; its hint throws, which must not strand the pod.
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.UpdateNodeTaint }, smallNode, smallNode);
    expect(where(q, pods)).toEqual({ affinity: 'unschedulable', fit: 'unschedulable', podAffinity: 'unschedulable', unknown: 'unschedulable', broken: 'active' });

    // NodeAdd of a small node: NodeAffinity matches without a hint; NodeResourcesFit's hint says QueueSkip.
    q.moveAllToActiveOrBackoffQueue(NODE_ADD, undefined, smallNode);
    expect(where(q, pods)).toEqual({ affinity: 'active', fit: 'unschedulable', podAffinity: 'unschedulable', unknown: 'unschedulable', broken: 'active' });

    // NodeAdd of a big node: the hint says Queue.
    q.moveAllToActiveOrBackoffQueue(NODE_ADD, undefined, bigNode);
    expect(q.whereIs(pods.fit!)).toBe('active');

    // A registered "Pod" event covers AssignedPod events.
    q.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', actionType: ActionType.Delete }, makePod('gone', { nodeName: 'n' }), undefined);
    expect(q.whereIs(pods.podAffinity!)).toBe('active');

    // Nothing registered by "NoEvents": only the wildcard event moves it.
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.All }, undefined, bigNode);
    expect(q.whereIs(pods.unknown!)).toBe('unschedulable');
    q.moveAllToActiveOrBackoffQueue(WILDCARD, undefined, undefined);
    expect(q.whereIs(pods.unknown!)).toBe('active');
    expect(q.counts()).toEqual({ active: 5, backoff: 0, unschedulable: 0, gated: 0 });
  });

  it('an event that does not match the registered action type moves nothing', async () => {
    const { q, pods } = await setup();
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.UpdateNodeCondition }, smallNode, smallNode);
    q.moveAllToActiveOrBackoffQueue({ resource: 'PersistentVolume', actionType: ActionType.Add }, undefined, {});
    expect(Object.values(where(q, pods)).every((w) => w === 'unschedulable')).toBe(true);
  });

  it('a moved pod still backing off goes to backoffQ', async () => {
    const { q } = newQueue({ pluginEvents: pluginEvents() });
    const p = makePod('p');
    await makeUnschedulable(q, p, ['NodeAffinity']);
    q.moveAllToActiveOrBackoffQueue(NODE_ADD, undefined, smallNode);
    expect(q.whereIs(p)).toBe('backoff');
  });

  it('preCheck can veto pods', async () => {
    const { q, pods } = await setup();
    q.moveAllToActiveOrBackoffQueue(WILDCARD, undefined, undefined, (pod) => pod.metadata.name === 'fit');
    expect(q.whereIs(pods.fit!)).toBe('active');
    expect(q.whereIs(pods.affinity!)).toBe('unschedulable');
  });
});

describe('flushUnschedulableLeftover', () => {
  it('moves pods unschedulable for longer than 5 minutes (TestHighPriorityFlushUnschedulablePodsLeftover)', async () => {
    const { q, clock } = newQueue();
    const high = makePod('high', { priority: 100 });
    const mid = makePod('mid', { priority: 50 });
    await makeUnschedulable(q, mid, ['plugin']);
    await makeUnschedulable(q, high, ['plugin']);
    await clock.step(5 * 60_000 - 1);
    q.flushUnschedulableLeftover();
    expect(q.whereIs(high)).toBe('unschedulable');
    await clock.step(2);
    q.flushUnschedulableLeftover();
    expect(q.whereIs(high)).toBe('active');
    expect(q.whereIs(mid)).toBe('active');
    expect((await popNow(q)).podInfo.pod.metadata.name).toBe('high');
    expect((await popNow(q)).podInfo.pod.metadata.name).toBe('mid');
  });

  // Upstream flushUnschedulablePodsLeftover moves a pod only when now - timestamp is strictly
  it('keeps a pod that has been unschedulable for exactly 5 minutes (upstream uses ">")', async () => {
    const { q, clock } = newQueue();
    const p = makePod('p');
    await makeUnschedulable(q, p, ['plugin']);
    await clock.step(5 * 60_000);
    q.flushUnschedulableLeftover();
    expect(q.whereIs(p)).toBe('unschedulable');
  });

  it('honours podMaxInUnschedulablePodsDurationMs and runs every 30 s under run()', async () => {
    const { q, clock } = newQueue({ podMaxInUnschedulablePodsDurationMs: 60_000 });
    q.run();
    await clock.step(1);
    const p = makePod('p');
    await makeUnschedulable(q, p, ['plugin']);
    await clock.step(60_000);
    expect(q.whereIs(p)).toBe('unschedulable'); // the tick at 60 s sees it 59.999 s old
    await clock.step(30_000);
    expect(q.whereIs(p)).toBe('active');
    q.close();
  });
});

describe('scheduling gates', () => {
  it('keeps a gated pod out of activeQ until an update removes every gate', async () => {
    const { q } = newQueue();
    const gated = withGates(makePod('gated'), ['example.com/a', 'example.com/b']);
    q.add(gated);
    expect(q.whereIs(gated)).toBe('gated');
    expect(q.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 0, gated: 1 });

    // Events never release a gated pod, nor does the leftover flush.
    q.moveAllToActiveOrBackoffQueue(WILDCARD, undefined, undefined);
    q.flushUnschedulableLeftover();
    expect(q.whereIs(gated)).toBe('gated');

    const oneGate = withGates(gated, ['example.com/b']);
    q.update(gated, oneGate);
    expect(q.whereIs(gated)).toBe('gated');

    const relabelled = withLabels(oneGate, { a: 'b' });
    q.update(oneGate, relabelled);
    expect(q.whereIs(gated)).toBe('gated');

    const open = withGates(relabelled, []);
    q.update(relabelled, open);
    expect(q.whereIs(gated)).toBe('active');
    const got = await popNow(q);
    expect(got.podInfo.pod.spec.schedulingGates).toEqual([]);
    expect(got.unschedulablePlugins.has(SCHEDULING_GATES)).toBe(false);
    expect(got.attempts).toBe(1); // gating is not a scheduling attempt: no backoff
  });

  it('an ungated pod is added to activeQ directly', () => {
    const { q } = newQueue();
    const p = withGates(makePod('p'), []);
    q.add(p);
    expect(q.whereIs(p)).toBe('active');
  });
});

describe('update', () => {
  it('requeues an unschedulable pod whose spec changed (TestPriorityQueue_Update)', async () => {
    const { q, clock } = newQueue();
    const p = makePod('p');
    const qp = await makeUnschedulable(q, p, ['plugin']);
    await clock.step(2000);
    // A status-only change does not requeue it.
    const statusOnly: Pod = { ...qp.podInfo.pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] }, metadata: { ...p.metadata, resourceVersion: '7' } };
    q.update(p, statusOnly);
    expect(q.whereIs(p)).toBe('unschedulable');
    const changed = withLabels(statusOnly, { app: 'x' });
    q.update(statusOnly, changed);
    expect(q.whereIs(p)).toBe('active');
    expect((await popNow(q)).podInfo.pod.metadata.labels).toEqual({ app: 'x' });
  });

  it('sends an updated unschedulable pod that is still backing off to backoffQ', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    await makeUnschedulable(q, p, ['plugin']);
    q.update(p, withLabels(p, { app: 'x' }));
    expect(q.whereIs(p)).toBe('backoff');
  });

  it('updates a pod in activeQ in place and re-sorts it', async () => {
    const { q, clock } = newQueue();
    const a = makePod('a', { priority: 10 });
    const b = makePod('b', { priority: 5 });
    q.add(a);
    await clock.step(1);
    q.add(b);
    const bHigh: Pod = { ...b, spec: { ...b.spec, priority: 20 } };
    q.update(b, bHigh);
    expect(q.counts().active).toBe(2);
    const first = await popNow(q);
    expect(first.podInfo.pod.metadata.name).toBe('b');
    expect(first.podInfo.pod.spec.priority).toBe(20);
  });

  it('updates the in-flight copy and adds unknown pods', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    q.add(p);
    const qp = await popNow(q);
    q.update(p, withLabels(p, { v: '2' }));
    expect(qp.podInfo.pod.metadata.labels).toEqual({ v: '2' });
    expect(q.whereIs(p)).toBe('inFlight');
    const fresh = makePod('fresh');
    q.update(fresh, fresh);
    expect(q.whereIs(fresh)).toBe('active');
  });

  it.each([
    { name: 'identical', change: (p: Pod): Pod => ({ ...p }), want: false },
    { name: 'resourceVersion and status only', change: (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, resourceVersion: '9', generation: 3 }, status: { phase: 'Pending', nominatedNodeName: 'n' } }), want: false },
    { name: 'label', change: (p: Pod): Pod => withLabels(p, { x: 'y' }), want: true },
    { name: 'tolerations', change: (p: Pod): Pod => ({ ...p, spec: { ...p.spec, tolerations: [{ key: 'k', operator: 'Exists' }] } }), want: true },
  ])('isPodUpdated: $name -> $want', ({ change, want }) => {
    const p = makePod('p');
    expect(isPodUpdated(p, change(p))).toBe(want);
  });
});

describe('delete', () => {
  it('removes the pod from whichever queue holds it (TestPriorityQueue_Delete)', async () => {
    const { q } = newQueue();
    const active = makePod('active', { priority: 1 });
    const backoff = makePod('backoff', { priority: 3 });
    const unsched = makePod('unsched', { priority: 2 });
    const gated = withGates(makePod('gated'), ['g']);
    q.add(backoff);
    q.addUnschedulableIfNotPresent(await popNow(q), q.schedulingCycle());
    await makeUnschedulable(q, unsched, ['plugin']);
    q.add(active);
    q.add(gated);
    expect(q.counts()).toEqual({ active: 1, backoff: 1, unschedulable: 1, gated: 1 });
    for (const p of [active, backoff, unsched, gated]) {
      q.delete(p);
      expect(q.whereIs(p)).toBeUndefined();
    }
    expect(q.counts()).toEqual({ active: 0, backoff: 0, unschedulable: 0, gated: 0 });
    q.delete(makePod('never-added')); // no-op
  });
});

describe('nominator', () => {
  it('adds, re-nominates and deletes nominated pods (TestPriorityQueue_NominatedPodsForNode)', () => {
    const { q } = newQueue();
    const p1 = makePod('p1', { priority: 10 });
    const p2 = makePod('p2', { priority: 20 });
    const names = (n: string): string[] => q.nominatedPodsForNode(n).map((pi) => pi.pod.metadata.name!);
    q.addNominatedPod(new PodInfo(p1), 'node1');
    q.addNominatedPod(new PodInfo(p2), 'node1');
    expect(names('node1')).toEqual(['p1', 'p2']);
    expect(names('node2')).toEqual([]);

    // Re-nominating moves the pod; it is never listed twice.
    q.addNominatedPod(new PodInfo(p1), 'node2');
    q.addNominatedPod(new PodInfo(p1), 'node2');
    expect(names('node1')).toEqual(['p2']);
    expect(names('node2')).toEqual(['p1']);

    // An empty node name clears the nomination.
    q.addNominatedPod(new PodInfo(p1), '');
    expect(names('node2')).toEqual([]);

    q.deleteNominatedPodIfExists(p2);
    expect(names('node1')).toEqual([]);
    q.deleteNominatedPodIfExists(p2); // idempotent
  });

  it('delete() of a pod also drops its nomination', () => {
    const { q } = newQueue();
    const p = makePod('p');
    q.add(p);
    q.addNominatedPod(new PodInfo(p), 'node1');
    q.delete(p);
    expect(q.nominatedPodsForNode('node1')).toEqual([]);
  });
});

describe('metrics sink', () => {
  it('reports incoming events and pending counts', async () => {
    const incoming: string[] = [];
    let last: Record<QueueName, number> | undefined;
    const { q } = newQueue({ metrics: { incoming: (queue, event) => incoming.push(`${queue}/${event}`), pending: (c) => { last = c; } } });
    q.add(makePod('a'));
    q.add(withGates(makePod('g'), ['x']));
    const qa = await popNow(q);
    qa.unschedulablePlugins = new Set(['plugin']);
    q.addUnschedulableIfNotPresent(qa, q.schedulingCycle());
    expect(incoming).toEqual(['active/PodAdd', 'gated/PodAdd', 'unschedulable/ScheduleAttemptFailure']);
    expect(last).toEqual({ active: 0, backoff: 0, unschedulable: 1, gated: 1 });
  });
});
