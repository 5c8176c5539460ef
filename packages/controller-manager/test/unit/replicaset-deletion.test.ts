// Deletion order when a ReplicaSet scales down: upstream's TestGetPodsToDelete
// (replica_set_test.go) plus the deletion-cost and log-scale rules of ActivePodsWithRanks.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import { deleteBefore, deletionCost, podsToDelete } from '../../src/controllers/replicaset/deletion.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: 'Pending' | 'Running' | 'Unknown'; ready?: boolean; readySince?: number; created?: number; restarts?: number; cost?: string; uid?: string } = {}): Pod {
  return {
    metadata: {
      name, namespace: 'default', uid: o.uid ?? name, creationTimestamp: iso(o.created ?? NOW - 3600_000),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: iso(o.readySince ?? NOW - 3600_000) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('podsToDelete (TestGetPodsToDelete)', () => {
  const unscheduledPending = pod('unscheduled-pending-pod', { phase: 'Pending' });
  const scheduledPending = pod('scheduled-pending-pod', { phase: 'Pending', node: 'fake-node' });
  const notReady = pod('scheduled-running-not-ready-pod', { node: 'fake-node', ready: false });
  const readyNode1 = pod('scheduled-running-ready-pod-on-node-1', { node: 'fake-node-1', ready: true });
  const readyNode2 = pod('scheduled-running-ready-pod-on-node-2', { node: 'fake-node-2', ready: true });
  const all = [readyNode1, readyNode2, notReady, scheduledPending, unscheduledPending];

  const cases: Array<{ name: string; pods: Pod[]; related?: Pod[]; diff: number; want: Pod[] }> = [
    { name: 'len(pods) = 0', pods: [], diff: 0, want: [] },
    { name: 'diff = len(pods)', pods: [notReady, readyNode1], diff: 2, want: [notReady, readyNode1] },
    { name: 'diff < len(pods)', pods: [readyNode1, notReady], diff: 1, want: [notReady] },
    { name: 'various phases, diff = len(pods)', pods: all, diff: 5, want: all },
    { name: 'various phases, relatedPods empty', pods: all, related: [], diff: 5, want: all },
    { name: 'scheduled vs unscheduled', pods: [scheduledPending, unscheduledPending], diff: 1, want: [unscheduledPending] },
    { name: 'ready vs not-ready', pods: [readyNode1, notReady, notReady], diff: 2, want: [notReady, notReady] },
    { name: 'colocated with another ready pod vs not', pods: [readyNode1, readyNode2], related: [readyNode1, readyNode2, readyNode2], diff: 1, want: [readyNode2] },
    { name: 'pending vs running', pods: [scheduledPending, notReady], diff: 1, want: [scheduledPending] },
    { name: 'various phases, diff < len(pods)', pods: all, diff: 3, want: [unscheduledPending, scheduledPending, notReady] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = podsToDelete(c.pods, c.related ?? c.pods, c.diff, NOW);
      expect(got.map((p) => p.metadata.name)).toEqual(c.want.map((p) => p.metadata.name));
    });
  }
});

describe('deleteBefore (ActivePodsWithRanks.Less)', () => {
  it('lower pod-deletion-cost goes first, after readiness', () => {
    const cheap = pod('cheap', { node: 'n', ready: true, cost: '-10' });
    const dear = pod('dear', { node: 'n', ready: true, cost: '100', created: NOW - 10_000 });
    expect(deleteBefore(cheap, dear, 0, 0, NOW)).toBe(true);
    expect(deleteBefore(dear, cheap, 0, 0, NOW)).toBe(false);
    // Readiness outranks cost.
    const notReadyDear = pod('nr', { node: 'n', ready: false, cost: '1000' });
    expect(deleteBefore(notReadyDear, cheap, 0, 0, NOW)).toBe(true);
  });

  it('malformed deletion cost counts as 0', () => {
    expect(deletionCost(pod('a', { cost: 'abc' }))).toBe(0);
    expect(deletionCost(pod('a', { cost: '99999999999' }))).toBe(0);
    expect(deletionCost(pod('a', { cost: '-5' }))).toBe(-5);
  });

  it('more pods on the same node (higher rank) goes first', () => {
    const a = pod('a', { node: 'n1', ready: true }); const b = pod('b', { node: 'n2', ready: true });
    expect(deleteBefore(a, b, 3, 1, NOW)).toBe(true);
    expect(deleteBefore(b, a, 1, 3, NOW)).toBe(false);
  });

  it('ready for less time goes first when the ages fall in different log2 buckets', () => {
    const young = pod('young', { node: 'n', ready: true, readySince: NOW - 60_000, uid: 'z' });
    const old = pod('old', { node: 'n', ready: true, readySince: NOW - 3600_000, uid: 'a' });
    expect(deleteBefore(young, old, 0, 0, NOW)).toBe(true);
    expect(deleteBefore(old, young, 0, 0, NOW)).toBe(false);
  });

  it('ages in the same log2 bucket tie-break on UID, not on the exact time', () => {
    // 2^45 ns ≈ 35184 s: both ages (36000 s and 40000 s) share bucket 45.
    const a = pod('a', { node: 'n', ready: true, readySince: NOW - 36_000_000, uid: 'b-uid' });
    const b = pod('b', { node: 'n', ready: true, readySince: NOW - 40_000_000, uid: 'a-uid' });
    expect(deleteBefore(b, a, 0, 0, NOW)).toBe(true);
    expect(deleteBefore(a, b, 0, 0, NOW)).toBe(false);
  });

  it('more restarts go first, then newer creation', () => {
    const crashy = pod('crashy', { node: 'n', ready: false, restarts: 5 });
    const calm = pod('calm', { node: 'n', ready: false, restarts: 0 });
    expect(deleteBefore(crashy, calm, 0, 0, NOW)).toBe(true);
    const newer = pod('newer', { node: 'n', ready: false, created: NOW - 10_000 });
    const older = pod('older', { node: 'n', ready: false, created: NOW - 86_400_000 });
    expect(deleteBefore(newer, older, 0, 0, NOW)).toBe(true);
    expect(deleteBefore(older, newer, 0, 0, NOW)).toBe(false);
  });
});
