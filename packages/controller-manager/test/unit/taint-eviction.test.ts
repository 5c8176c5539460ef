// Taint computation (TaintNodesByCondition, swaps) and taint-eviction timing: untolerated taints
// evict now, tolerationSeconds count from the taint's timeAdded (the smallest wins), forever
// tolerations never evict, and cancelled work never fires.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kube-ts/client/clock';
import type { Node, Taint, Toleration } from '@kube-ts/client/types';
import { decideEviction, matchingTolerations, minTolerationMs } from '../../src/controllers/nodelifecycle/eviction.js';
import { RateLimitedTimedQueue } from '../../src/controllers/nodelifecycle/ratelimitedqueue.js';
import { applyTaintChanges, desiredNoScheduleTaints, managedNoScheduleTaints, taintSetDiff } from '../../src/controllers/nodelifecycle/taints.js';
import { TimedWorkerQueue } from '../../src/controllers/nodelifecycle/timedworkers.js';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const unreachable = (added = T0): Taint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(added) });
const notReady = (added = T0): Taint => ({ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(added) });
const tol = (key: string, secs?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', ...(secs === undefined ? {} : { tolerationSeconds: secs }) });

function nodeWith(conds: Array<[string, 'True' | 'False' | 'Unknown']>, o: { unschedulable?: boolean; taints?: Taint[] } = {}): Node {
  return { metadata: { name: 'n' }, spec: { unschedulable: o.unschedulable, taints: o.taints }, status: { conditions: conds.map(([type, status]) => ({ type, status })) } };
}

describe('NoSchedule taints by condition', () => {
  it.each([
    [[['Ready', 'True']], false, []],
    [[['Ready', 'False']], false, ['node.kubernetes.io/not-ready']],
    [[['Ready', 'Unknown']], false, ['node.kubernetes.io/unreachable']],
    [[['Ready', 'True'], ['MemoryPressure', 'True'], ['DiskPressure', 'True'], ['PIDPressure', 'True'], ['NetworkUnavailable', 'True']], false,
      ['node.kubernetes.io/memory-pressure', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/pid-pressure', 'node.kubernetes.io/network-unavailable']],
    [[['Ready', 'True'], ['MemoryPressure', 'False'], ['DiskPressure', 'Unknown']], false, []],
    [[['Ready', 'True']], true, ['node.kubernetes.io/unschedulable']],
  ] as const)('%j unschedulable=%s', (conds, unschedulable, keys) => {
    const t = desiredNoScheduleTaints(nodeWith(conds.map((c) => [...c]), { unschedulable }));
    expect(t.map((x) => x.key)).toEqual(keys);
    expect(t.every((x) => x.effect === 'NoSchedule')).toBe(true);
  });

  it('diffs only the taints this controller manages', () => {
    const n = nodeWith([['Ready', 'Unknown']], { taints: [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'dedicated', effect: 'NoSchedule', value: 'gpu' },
    ] });
    const { add, remove } = taintSetDiff(desiredNoScheduleTaints(n), managedNoScheduleTaints(n));
    expect(add).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
    expect(remove).toEqual([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  });

  it('swaps not-ready for unreachable in one change, keeping other taints', () => {
    const next = applyTaintChanges([notReady(T0), { key: 'x', effect: 'NoSchedule' }], [unreachable(T0 + 5000)], [notReady()]);
    expect(next).toEqual([{ key: 'x', effect: 'NoSchedule' }, unreachable(T0 + 5000)]);
  });

  it('re-adding a present taint keeps its timeAdded (no change), a new value replaces it', () => {
    expect(applyTaintChanges([unreachable(T0)], [unreachable(T0 + 9000)], [])).toBeUndefined();
    expect(applyTaintChanges([{ key: 'k', value: 'a', effect: 'NoExecute' }], [{ key: 'k', value: 'b', effect: 'NoExecute' }], [])).toEqual([{ key: 'k', value: 'b', effect: 'NoExecute' }]);
    expect(applyTaintChanges([], [], [unreachable()])).toBeUndefined();
  });
});

describe('eviction timing', () => {
  const since = (t: Taint): number => Date.parse(t.timeAdded!);

  it('getMinTolerationTime', () => {
    expect(minTolerationMs([])).toBe(0);
    expect(minTolerationMs([tol('a')])).toBe(-1);
    expect(minTolerationMs([tol('a', 10), tol('b', 3)])).toBe(3000);
    expect(minTolerationMs([tol('a', 10), tol('b', 0)])).toBe(0);
    expect(minTolerationMs([tol('a', -5)])).toBe(0);
  });

  it('GetMatchingTolerations takes the first toleration of each taint', () => {
    expect(matchingTolerations([unreachable()], [tol('other')])).toBeUndefined();
    expect(matchingTolerations([unreachable()], [tol('node.kubernetes.io/unreachable'), tol('node.kubernetes.io/unreachable', 5)])![0]!.toleration.tolerationSeconds).toBeUndefined();
    // An empty key with Exists tolerates everything.
    expect(matchingTolerations([unreachable(), notReady()], [{ operator: 'Exists' }])).toHaveLength(2);
  });

  it.each([
    ['no taints', [], [tol('x', 1)], { kind: 'cancel' }],
    ['untolerated: now', [unreachable()], undefined, { kind: 'delete', atMs: T0 + 7000 }],
    ['one of two taints untolerated: now', [unreachable(), notReady()], [tol('node.kubernetes.io/unreachable')], { kind: 'delete', atMs: T0 + 7000 }],
    ['tolerationSeconds from timeAdded', [unreachable()], [tol('node.kubernetes.io/unreachable', 3)], { kind: 'delete', atMs: T0 + 3000 }],
    ['forever', [unreachable()], [tol('node.kubernetes.io/unreachable')], { kind: 'cancel' }],
    ['smallest of two taints wins', [unreachable(T0), notReady(T0 + 1000)], [tol('node.kubernetes.io/unreachable', 300), tol('node.kubernetes.io/not-ready', 2)], { kind: 'delete', atMs: T0 + 3000 }],
    ['forever plus bounded: bounded', [unreachable(), notReady()], [tol('node.kubernetes.io/unreachable'), tol('node.kubernetes.io/not-ready', 60)], { kind: 'delete', atMs: T0 + 60_000 }],
    ['zero seconds: now', [unreachable()], [tol('node.kubernetes.io/unreachable', 0)], { kind: 'delete', atMs: T0 }],
    ['timeAdded in the future counts from now', [unreachable(T0 + 60_000)], [tol('node.kubernetes.io/unreachable', 3)], { kind: 'delete', atMs: T0 + 10_000 }],
  ] as const)('%s', (_name, taints, tolerations, want) => {
    expect(decideEviction([...taints], tolerations && [...tolerations], T0 + 7000, since)).toEqual(want);
  });
});

describe('TimedWorkerQueue', () => {
  it('fires at its time, not before; cancelled work never fires; done work blocks re-adding', async () => {
    const clock = new FakeClock(T0);
    const fired: string[] = [];
    const q = new TimedWorkerQueue(clock, async (k) => { fired.push(k); });
    q.addWork('ns/a', T0, T0 + 3000);
    q.addWork('ns/b', T0, T0 + 1000);
    q.addWork('ns/a', T0, T0 + 10); // already scheduled: ignored
    await clock.step(999);
    expect(fired).toEqual([]);
    expect(q.cancelWork('ns/b')).toBe(true);
    await clock.step(2000);
    expect(fired).toEqual([]);
    await clock.step(1);
    expect(fired).toEqual(['ns/a']);
    expect(q.get('ns/a')).toMatchObject({ pending: false });
    q.addWork('ns/a', T0, T0);
    await clock.step(10);
    expect(fired).toEqual(['ns/a']);
    // Cancelling done work is not a cancellation (no event) but forgets the key.
    expect(q.cancelWork('ns/a')).toBe(false);
    expect(q.get('ns/a')).toBeUndefined();
  });

  it('a failed run forgets the key so it can be scheduled again', async () => {
    const clock = new FakeClock(T0);
    let n = 0;
    const q = new TimedWorkerQueue(clock, async () => { n++; throw new Error('boom'); });
    q.addWork('ns/a', T0, T0);
    await clock.step(1);
    expect(n).toBe(1);
    expect(q.get('ns/a')).toBeUndefined();
  });
});

describe('RateLimitedTimedQueue', () => {
  it('taints one node per 10 s at 0.1 qps, none at 0, and processed nodes are not queued again until removed', async () => {
    const clock = new FakeClock(T0);
    const q = new RateLimitedTimedQueue(0.1, clock);
    const done: string[] = [];
    const act = async (v: { value: string }): Promise<{ done: boolean }> => { done.push(v.value); return { done: true }; };
    expect(q.add('a', '1')).toBe(true);
    expect(q.add('b', '2')).toBe(true);
    expect(q.add('a', '1')).toBe(false);
    await q.try(act);
    expect(done).toEqual(['a']);
    await clock.step(9_000);
    await q.try(act);
    expect(done).toEqual(['a']);
    await clock.step(1_000);
    await q.try(act);
    expect(done).toEqual(['a', 'b']);
    expect(q.add('a', '1')).toBe(false);
    expect(q.remove('a')).toBe(true);
    expect(q.add('a', '1')).toBe(true);
    q.swapLimiter(0);
    await clock.step(60_000);
    await q.try(act);
    expect(done).toEqual(['a', 'b']);
    // Leaving a stopped limiter starts drained (the old one had no token), as upstream.
    q.swapLimiter(0.1);
    await q.try(act);
    expect(done).toEqual(['a', 'b']);
    await clock.step(10_000);
    await q.try(act);
    expect(done).toEqual(['a', 'b', 'a']);
  });

  it('a failed action is retried after its wait', async () => {
    const clock = new FakeClock(T0);
    const q = new RateLimitedTimedQueue(1000, clock);
    let calls = 0;
    q.add('a', '1');
    await q.try(async () => { calls++; return { done: false, retryAfterMs: 50 }; });
    expect(calls).toBe(1);
    expect(q.queued()).toEqual(['a']);
    await clock.step(52);
    await q.try(async () => { calls++; return { done: true }; });
    expect(calls).toBe(2);
    expect(q.queued()).toEqual([]);
  });
});
