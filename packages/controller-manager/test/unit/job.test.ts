// Job controller arithmetic against upstream's tables: completed-index intervals
// (indexed_job_utils_test.go), pod-failure backoff (backoff_utils_test.go semantics), pod failure
// policy matching (pod_failure_policy_test.go), success policy and conditions.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import type { Job, PodFailurePolicyRule } from '@kube-ts/client/workloads';
import { BackoffStore, finishedTime, remainingBackoffMs } from '../../src/controllers/job/backoff.js';
import { matchPodFailurePolicy } from '../../src/controllers/job/failurepolicy.js';
import {
  duplicatedIndexPodsForRemoval, firstPendingIndexes, formatIntervals, hasIndex, parseIntervals, podGenerateNameWithIndex, total, withOrderedIndexes, type Intervals,
} from '../../src/controllers/job/indexes.js';
import { matchSuccessPolicy } from '../../src/controllers/job/successpolicy.js';
import { pastBackoffLimitOnFailure } from '../../src/controllers/job/sync.js';
import { cleanUncountedPodsWithoutFinalizers, wireStatus } from '../../src/controllers/job/tracking.js';
import { ensureCondition, isPodFailed } from '../../src/controllers/job/util.js';

const NO_INDEX = '-';
type IP = [string, NonNullable<Pod['status']>['phase']];
function pods(descs: IP[]): Pod[] {
  return descs.map(([ix, phase], i) => ({
    metadata: { name: `p${i}`, ...(ix !== NO_INDEX ? { annotations: { 'batch.kubernetes.io/job-completion-index': ix } } : {}) },
    spec: { containers: [] },
    status: { phase },
  }));
}
const phases = (ps: Pod[]): IP[] => ps.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? NO_INDEX, p.status!.phase]);
const iv = (...pairs: Array<[number, number]>): Intervals => pairs.map(([first, last]) => ({ first, last }));

/** calculateSucceededIndexes over the pure helpers, as the syncer computes it. */
function succeededIndexes(prev: string, ps: IP[], completions: number): { status: Intervals; all: Intervals } {
  const status = parseIntervals(prev, completions);
  const fresh = [...new Set(pods(ps).filter((p) => p.status?.phase === 'Succeeded')
    .map((p) => Number(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? -1))
    .filter((ix) => Number.isInteger(ix) && ix >= 0 && ix < completions))].sort((a, b) => a - b);
  return { status, all: withOrderedIndexes(status, fresh) };
}

describe('completed indexes (TestCalculateSucceededIndexes)', () => {
  it.each([
    { name: 'one index', ps: [['1', 'Succeeded']] as IP[], completions: 2, want: iv([1, 1]) },
    { name: 'two separate', ps: [['2', 'Failed'], ['5', 'Succeeded'], ['5', 'Succeeded'], ['10', 'Failed'], ['10', 'Succeeded']] as IP[], completions: 11, want: iv([5, 5], [10, 10]) },
    { name: 'two intervals', ps: [['0', 'Running'], ['1', 'Pending'], ['2', 'Succeeded'], ['3', 'Succeeded'], ['5', 'Succeeded'], ['6', 'Succeeded'], ['7', 'Succeeded']] as IP[], completions: 8, want: iv([2, 3], [5, 7]) },
    { name: 'one index and one interval', ps: [['0', 'Succeeded'], ['1', 'Failed'], ['2', 'Succeeded'], ['3', 'Succeeded'], ['4', 'Succeeded'], ['5', 'Succeeded'], [NO_INDEX, 'Succeeded'], ['-2', 'Succeeded']] as IP[], completions: 6, want: iv([0, 0], [2, 5]) },
    { name: 'out of range', ps: [['0', 'Succeeded'], ['1', 'Succeeded'], ['2', 'Succeeded'], ['3', 'Failed'], ['4', 'Succeeded'], ['5', 'Succeeded'], [NO_INDEX, 'Succeeded'], ['-2', 'Succeeded']] as IP[], completions: 5, want: iv([0, 2], [4, 4]) },
    { name: 'prev interval out of range', prev: '0-5,8-10', ps: [] as IP[], completions: 8, wantStatus: iv([0, 5]), want: iv([0, 5]) },
    { name: 'prev interval partially out of range', prev: '0-5,8-10', ps: [] as IP[], completions: 10, wantStatus: iv([0, 5], [8, 9]), want: iv([0, 5], [8, 9]) },
    { name: 'prev and new separate', prev: '0,4,5,10-12', ps: [['2', 'Succeeded'], ['7', 'Succeeded'], ['8', 'Succeeded']] as IP[], completions: 13, wantStatus: iv([0, 0], [4, 5], [10, 12]), want: iv([0, 0], [2, 2], [4, 5], [7, 8], [10, 12]) },
    { name: 'prev between new', prev: '3,4,6', ps: [['2', 'Succeeded'], ['7', 'Succeeded'], ['8', 'Succeeded']] as IP[], completions: 9, wantStatus: iv([3, 4], [6, 6]), want: iv([2, 4], [6, 8]) },
    { name: 'new between prev', prev: '2,7,8', ps: [['3', 'Succeeded'], ['4', 'Succeeded'], ['6', 'Succeeded']] as IP[], completions: 9, wantStatus: iv([2, 2], [7, 8]), want: iv([2, 4], [6, 8]) },
    { name: 'new within prev', prev: '2-7', ps: [['0', 'Succeeded'], ['3', 'Succeeded'], ['5', 'Succeeded'], ['9', 'Succeeded']] as IP[], completions: 10, wantStatus: iv([2, 7]), want: iv([0, 0], [2, 7], [9, 9]) },
    { name: 'corrupted interval', prev: '0,1-foo,bar', ps: [['3', 'Succeeded']] as IP[], completions: 4, wantStatus: iv([0, 0]), want: iv([0, 0], [3, 3]) },
  ])('$name', ({ prev, ps, completions, wantStatus, want }) => {
    const r = succeededIndexes(prev ?? '', ps, completions);
    expect(r.status).toEqual(wantStatus ?? []);
    expect(r.all).toEqual(want);
  });

  it('prints intervals as status.completedIndexes does', () => {
    expect(formatIntervals(iv([0, 0], [2, 3], [5, 7]))).toBe('0,2,3,5-7');
    expect(formatIntervals(iv([1, 1], [3, 5]))).toBe('1,3-5');
    expect(formatIntervals([])).toBe('');
    expect(total(iv([0, 0], [2, 3], [5, 7]))).toBe(6);
    expect(formatIntervals(parseIntervals('1,3-5', 10))).toBe('1,3-5');
    expect(formatIntervals(parseIntervals('1,2,3', 10))).toBe('1-3');
  });

  it.each([
    { name: 'empty', ivs: [] as Intervals, index: 4, want: false },
    { name: 'before all', ivs: iv([2, 4], [5, 7]), index: 1, want: false },
    { name: 'after all', ivs: iv([2, 4], [6, 8]), index: 9, want: false },
    { name: 'in between', ivs: iv([2, 4], [6, 8]), index: 5, want: false },
    { name: 'in first', ivs: iv([2, 4], [6, 8]), index: 2, want: true },
    { name: 'in second', ivs: iv([2, 4], [6, 8]), index: 8, want: true },
  ])('hasIndex: $name', ({ ivs, index, want }) => expect(hasIndex(ivs, index)).toBe(want));
});

describe('pending indexes and duplicates (TestFirstPendingIndexes, TestAppendDuplicatedIndexPodsForRemoval)', () => {
  it.each([
    { name: 'cnt greater than completions', active: [] as IP[], succ: [] as Intervals, cnt: 5, completions: 3, want: [0, 1, 2] },
    { name: 'cnt less than completions', active: [] as IP[], succ: [] as Intervals, cnt: 2, completions: 5, want: [0, 1] },
    { name: 'first pods active', active: [['0', 'Running'], ['1', 'Pending']] as IP[], succ: [] as Intervals, cnt: 3, completions: 10, want: [2, 3, 4] },
    { name: 'last pods active or succeeded', active: [['6', 'Pending']] as IP[], succ: iv([4, 5]), cnt: 6, completions: 6, want: [0, 1, 2, 3] },
    { name: 'mixed', active: [['3', 'Pending'], ['5', 'Running'], ['8', 'Pending'], [NO_INDEX, 'Running'], ['-3', 'Running']] as IP[], succ: iv([2, 4], [9, 9]), cnt: 5, completions: 20, want: [0, 1, 6, 7, 10] },
  ])('$name', ({ active, succ, cnt, completions, want }) => {
    expect(firstPendingIndexes(pods(active), succ, cnt, completions)).toEqual(want);
  });

  it.each([
    { name: 'all unique', ps: [[NO_INDEX, 'Pending'], ['2', 'Pending'], ['5', 'Running'], ['6', 'Running']] as IP[], rm: [[NO_INDEX, 'Pending'], ['6', 'Running']], left: [['2', 'Pending'], ['5', 'Running']] },
    {
      name: 'all with index',
      ps: [['5', 'Pending'], ['0', 'Running'], ['3', 'Pending'], ['0', 'Running'], ['3', 'Running'], ['0', 'Pending'], ['6', 'Running'], ['6', 'Pending']] as IP[],
      rm: [['0', 'Pending'], ['0', 'Running'], ['3', 'Pending'], ['6', 'Running'], ['6', 'Pending']],
      left: [['0', 'Running'], ['3', 'Running'], ['5', 'Pending']],
    },
    {
      name: 'mixed',
      ps: [[NO_INDEX, 'Pending'], ['invalid', 'Running'], ['-2', 'Running'], ['0', 'Pending'], ['1', 'Pending'], ['1', 'Pending'], ['1', 'Running']] as IP[],
      rm: [[NO_INDEX, 'Pending'], ['invalid', 'Running'], ['-2', 'Running'], ['1', 'Pending'], ['1', 'Pending']],
      left: [['0', 'Pending'], ['1', 'Running']],
    },
  ])('duplicates: $name', ({ ps, rm, left }) => {
    const r = duplicatedIndexPodsForRemoval(pods(ps), 6);
    expect(phases(r.rm)).toEqual(rm);
    expect(phases(r.left)).toEqual(left);
  });

  it.each([
    ['indexed-job', 1, 'indexed-job-1-'],
    ['hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooo', 1, 'hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhh-1-'],
    ['hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhoo', 1, 'hhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhhooooohhhhh-1-'],
  ])('generateName for %s index %d', (name, ix, want) => expect(podGenerateNameWithIndex(name, ix)).toBe(want));
});

describe('pod-failure backoff', () => {
  const S = 1000;
  it.each([
    // failures, seconds since last failure, remaining seconds (base 10 s, cap 10 min)
    [0, 0, 0], [1, 0, 10], [1, 5, 5], [1, 10, 0], [1, 11, 0], [2, 0, 20], [3, 5, 35], [4, 0, 80],
    [6, 0, 320], [7, 0, 600], [10, 0, 600], [10, 599, 1],
  ])('%d failures, %d s ago -> %d s', (failures, ago, want) => {
    const now = 1_000_000_000;
    expect(remainingBackoffMs(now, 10 * S, 600 * S, failures, now - ago * S)).toBe(want * S);
  });

  const finishedAt = (phase: 'Succeeded' | 'Failed', at: string): Pod => ({
    metadata: { name: at, creationTimestamp: '2020-01-01T00:00:00Z' }, spec: { containers: [] },
    status: { phase, containerStatuses: [{ name: 'c', state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: at } } }] },
  });
  it('counts failures after the last success (newBackoffRecord)', () => {
    const store = new BackoffStore();
    const r1 = store.newRecord('ns/j', [], [finishedAt('Failed', '2020-01-01T00:01:00Z'), finishedAt('Failed', '2020-01-01T00:00:30Z')]);
    expect(r1).toEqual({ key: 'ns/j', failuresAfterLastSuccess: 2, lastFailureTime: Date.parse('2020-01-01T00:01:00Z') });
    store.update(r1);
    const r2 = store.newRecord('ns/j', [finishedAt('Succeeded', '2020-01-01T00:02:00Z')], [finishedAt('Failed', '2020-01-01T00:03:00Z'), finishedAt('Failed', '2020-01-01T00:01:30Z')]);
    expect(r2).toEqual({ key: 'ns/j', failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2020-01-01T00:03:00Z') });
    const r3 = store.newRecord('ns/j', [finishedAt('Succeeded', '2020-01-01T00:04:00Z')], []);
    expect(r3).toEqual({ key: 'ns/j', failuresAfterLastSuccess: 0, lastFailureTime: undefined });
  });
  it('takes a pod finish time from containers, then Ready=False, then deletion, then creation', () => {
    const base: Pod = { metadata: { name: 'p', creationTimestamp: '2020-01-01T00:00:00Z' }, spec: { containers: [] } };
    expect(finishedTime(base)).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(finishedTime({ ...base, metadata: { ...base.metadata, deletionTimestamp: '2020-01-01T00:10:00Z', deletionGracePeriodSeconds: 30 } })).toBe(Date.parse('2020-01-01T00:09:30Z'));
    expect(finishedTime({ ...base, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2020-01-01T00:05:00Z' }] } })).toBe(Date.parse('2020-01-01T00:05:00Z'));
    // A container still running: no container finish time.
    expect(finishedTime({ ...base, status: { containerStatuses: [{ name: 'a', state: { terminated: { finishedAt: '2020-01-01T00:07:00Z' } } }, { name: 'b', state: { running: {} } }] } })).toBe(Date.parse('2020-01-01T00:00:00Z'));
  });
});

describe('pod failure policy (pod_failure_policy_test.go)', () => {
  const failedPod = (o: { exit?: Array<[string, number]>; init?: Array<[string, number]>; conds?: Array<[string, 'True' | 'False']> }): Pod => ({
    metadata: { name: 'mypod', namespace: 'default' }, spec: { containers: [] },
    status: {
      phase: 'Failed',
      containerStatuses: (o.exit ?? []).map(([name, exitCode]) => ({ name, state: { terminated: { exitCode } } })),
      initContainerStatuses: (o.init ?? []).map(([name, exitCode]) => ({ name, state: { terminated: { exitCode } } })),
      conditions: (o.conds ?? []).map(([type, status]) => ({ type, status })),
    },
  });
  const policy = (...rules: PodFailurePolicyRule[]): { rules: PodFailurePolicyRule[] } => ({ rules });
  const exitIn = (action: PodFailurePolicyRule['action'], values: number[], containerName?: string): PodFailurePolicyRule => ({ action, onExitCodes: { operator: 'In', values, ...(containerName ? { containerName } : {}) } });

  it.each([
    { name: 'no policy: counted', p: undefined, pod: failedPod({ exit: [['main', 5]] }), want: { countFailed: true } },
    { name: 'FailJob on exit code In', p: policy(exitIn('FailJob', [1, 2, 3])), pod: failedPod({ exit: [['main', 2]] }), want: { countFailed: true, action: 'FailJob', failJobMessage: 'Container main for pod default/mypod failed with exit code 2 matching FailJob rule at index 0' } },
    { name: 'exit code 0 never matches NotIn', p: policy({ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [5] } }), pod: failedPod({ exit: [['main', 0]] }), want: { countFailed: true } },
    { name: 'NotIn matches other codes', p: policy({ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [5] } }), pod: failedPod({ exit: [['main', 42]] }), want: { countFailed: true, action: 'FailJob', failJobMessage: 'Container main for pod default/mypod failed with exit code 42 matching FailJob rule at index 0' } },
    { name: 'container name must match', p: policy(exitIn('FailJob', [2], 'other')), pod: failedPod({ exit: [['main', 2]] }), want: { countFailed: true } },
    { name: 'init container exit code', p: policy(exitIn('FailJob', [7])), pod: failedPod({ init: [['setup', 7]] }), want: { countFailed: true, action: 'FailJob', failJobMessage: 'Container setup for pod default/mypod failed with exit code 7 matching FailJob rule at index 0' } },
    { name: 'Ignore on DisruptionTarget', p: policy({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }), pod: failedPod({ conds: [['DisruptionTarget', 'True']] }), want: { countFailed: false, action: 'Ignore' } },
    { name: 'condition status must match', p: policy({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }), pod: failedPod({ conds: [['DisruptionTarget', 'False']] }), want: { countFailed: true } },
    { name: 'FailJob on condition', p: policy({ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }), pod: failedPod({ conds: [['DisruptionTarget', 'True']] }), want: { countFailed: true, action: 'FailJob', failJobMessage: 'Pod default/mypod has condition DisruptionTarget matching FailJob rule at index 0' } },
    { name: 'first matching rule wins (Count before FailJob)', p: policy(exitIn('Count', [1]), exitIn('FailJob', [1])), pod: failedPod({ exit: [['main', 1]] }), want: { countFailed: true, action: 'Count' } },
    { name: 'later rule index in message', p: policy(exitIn('Ignore', [9]), exitIn('FailJob', [1])), pod: failedPod({ exit: [['main', 1]] }), want: { countFailed: true, action: 'FailJob', failJobMessage: 'Container main for pod default/mypod failed with exit code 1 matching FailJob rule at index 1' } },
  ])('$name', ({ p, pod, want }) => {
    expect(matchPodFailurePolicy(p, pod)).toEqual(want);
  });

  it('treats a deleted, unfinished pod as failed unless only Failed pods are replaced', () => {
    const job = (extra: Partial<Job['spec']>): Job => ({ metadata: { name: 'j' }, spec: { template: { spec: { containers: [] } }, ...extra } });
    const deleting: Pod = { metadata: { name: 'p', deletionTimestamp: '2020-01-01T00:00:00Z' }, spec: { containers: [] }, status: { phase: 'Running' } };
    expect(isPodFailed(deleting, job({}))).toBe(true);
    expect(isPodFailed(deleting, job({ podReplacementPolicy: 'Failed' }))).toBe(false);
    expect(isPodFailed(deleting, job({ podFailurePolicy: { rules: [] } }))).toBe(false);
    expect(isPodFailed({ ...deleting, status: { phase: 'Succeeded' } }, job({}))).toBe(false);
  });

  it('counts container restarts against backoffLimit with restartPolicy OnFailure', () => {
    const job = (limit: number, rp: string): Job => ({ metadata: { name: 'j' }, spec: { backoffLimit: limit, template: { spec: { containers: [], restartPolicy: rp } } } });
    const running = (restarts: number): Pod => ({ metadata: { name: 'p' }, spec: { containers: [] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: restarts }] } });
    expect(pastBackoffLimitOnFailure(job(2, 'OnFailure'), [running(1)])).toBe(false);
    expect(pastBackoffLimitOnFailure(job(2, 'OnFailure'), [running(1), running(1)])).toBe(true);
    expect(pastBackoffLimitOnFailure(job(0, 'OnFailure'), [running(1)])).toBe(true);
    expect(pastBackoffLimitOnFailure(job(2, 'Never'), [running(5)])).toBe(false);
  });
});

describe('success policy (success_policy_test.go)', () => {
  it.each([
    { name: 'no policy', policy: undefined, succ: iv([0, 2]), want: undefined },
    { name: 'no succeeded indexes', policy: { rules: [{ succeededCount: 1 }] }, succ: [] as Intervals, want: undefined },
    { name: 'succeededIndexes all done', policy: { rules: [{ succeededIndexes: '0-2' }] }, succ: iv([0, 3]), want: 'Matched rules at index 0' },
    { name: 'succeededIndexes not all done', policy: { rules: [{ succeededIndexes: '0,2' }] }, succ: iv([0, 1]), want: undefined },
    { name: 'succeededCount within succeededIndexes', policy: { rules: [{ succeededIndexes: '0-4', succeededCount: 2 }] }, succ: iv([1, 1], [3, 3], [7, 7]), want: 'Matched rules at index 0' },
    { name: 'succeededCount within succeededIndexes not reached', policy: { rules: [{ succeededIndexes: '0-4', succeededCount: 3 }] }, succ: iv([1, 1], [3, 3], [7, 7]), want: undefined },
    { name: 'succeededCount only', policy: { rules: [{ succeededIndexes: '8-9' }, { succeededCount: 3 }] }, succ: iv([1, 1], [3, 3], [7, 7]), want: 'Matched rules at index 1' },
    { name: 'unparseable succeededIndexes skipped', policy: { rules: [{ succeededIndexes: 'x' }] }, succ: iv([0, 9]), want: undefined },
  ])('$name', ({ policy, succ, want }) => {
    expect(matchSuccessPolicy(policy, 10, succ)).toBe(want);
  });
});

describe('status bookkeeping', () => {
  it('moves UIDs whose finalizer is gone from uncountedTerminatedPods into the counters', () => {
    const s = { succeeded: 1, failed: 2, uncountedTerminatedPods: { succeeded: ['a', 'b'], failed: ['c'] } };
    expect(cleanUncountedPodsWithoutFinalizers(s, new Set(['b']))).toBe(true);
    expect(s).toEqual({ succeeded: 2, failed: 3, uncountedTerminatedPods: { succeeded: ['b'], failed: [] } });
    expect(cleanUncountedPodsWithoutFinalizers(s, new Set(['b']))).toBe(false);
    expect(wireStatus({ ...s, active: 0, ready: 0, terminating: 0 })).toEqual({ succeeded: 2, failed: 3, ready: 0, terminating: 0, uncountedTerminatedPods: { succeeded: ['b'] } });
  });
  it('never adds a False condition, but flips an existing one (ensureJobConditionStatus)', () => {
    const now = Date.parse('2020-01-01T00:00:00Z');
    expect(ensureCondition([], 'Suspended', 'False', 'JobResumed', 'Job resumed', now)).toEqual({ conds: [], changed: false });
    const on = ensureCondition([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
    expect(on.changed).toBe(true);
    expect(on.conds).toEqual([{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: '2020-01-01T00:00:00Z', lastTransitionTime: '2020-01-01T00:00:00Z' }]);
    expect(ensureCondition(on.conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now + 1000).changed).toBe(false);
    const off = ensureCondition(on.conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', now + 5000);
    expect(off.conds[0]).toMatchObject({ status: 'False', reason: 'JobResumed', lastTransitionTime: '2020-01-01T00:00:05Z' });
  });
});
