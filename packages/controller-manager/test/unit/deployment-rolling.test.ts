// Upstream's tables for the rollout arithmetic: rolling_test.go (reconcileNewReplicaSet,
// reconcileOldReplicaSets, cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate),
// sync_test.go (TestScale, TestDeploymentController_cleanupDeployment) and progress_test.go
// (TestRequeueStuckDeployment), run against a recording fake of the API writes.
import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '@kube-ts/client/workloads';
import { cleanupUnhealthyReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets, scaleDownOldReplicaSetsForRollingUpdate } from '../../src/controllers/deployment/rolling.js';
import { DeploymentSync } from '../../src/controllers/deployment/sync.js';
import { maxSurge, setReplicasAnnotations } from '../../src/controllers/deployment/util.js';
import { iso, newDeployment, recorder, rs, sizes } from './deployment-fixtures.js';

describe('reconcileNewReplicaSet', () => {
  const cases: Array<[number, number, number, number, boolean, number?]> = [
    // deploymentReplicas, maxSurge, oldReplicas, newReplicas, scaleExpected, expectedNewReplicas
    [10, 0, 10, 0, false], [10, 2, 10, 0, true, 2], [10, 2, 5, 0, true, 7], [10, 2, 10, 2, false], [10, 2, 2, 11, true, 10],
  ];
  for (const [dr, surge, oldR, newR, expectScale, want] of cases) {
    it(`${dr} replicas, surge ${surge}, old ${oldR}, new ${newR}`, async () => {
      const rec = recorder(); const s = new DeploymentSync(rec);
      const newRS = rs('foo-v2', newR, 0); const oldRS = rs('foo-v1', oldR, 0);
      const scaled = await reconcileNewReplicaSet(s, [newRS, oldRS], newRS, newDeployment(dr, { maxSurge: surge, maxUnavailable: 0 }));
      expect(scaled).toBe(expectScale);
      expect(rec.updates).toHaveLength(expectScale ? 1 : 0);
      if (expectScale) expect(rec.updates[0]!.spec.replicas).toBe(want);
    });
  }
});

describe('reconcileOldReplicaSets', () => {
  const cases: Array<[number, number, number, number, number, number, boolean, number?]> = [
    // deploymentReplicas, maxUnavailable, oldReplicas, newReplicas, readyOld, readyNew, scaleExpected, expectedOldReplicas
    [10, 0, 10, 0, 10, 0, true, 9],
    [10, 2, 10, 0, 10, 0, true, 8],
    [10, 2, 10, 0, 8, 0, true, 8],
    [10, 2, 10, 0, 9, 0, true, 8],
    [10, 2, 8, 2, 8, 0, false],
  ];
  for (const [dr, mu, oldR, newR, readyOld, readyNew, expectScale, want] of cases) {
    it(`${dr} replicas, maxUnavailable ${mu}, old ${oldR}/${readyOld} ready, new ${newR}/${readyNew}`, async () => {
      const rec = recorder(); const s = new DeploymentSync(rec);
      const newRS = rs('foo-new', newR, 2000, { available: readyNew });
      const oldRS = rs('foo-old', oldR, 1000, { available: readyOld });
      const scaled = await reconcileOldReplicaSets(s, [oldRS, newRS], [oldRS], newRS, newDeployment(dr, { maxSurge: 0, maxUnavailable: mu }));
      expect(scaled).toBe(expectScale);
      if (expectScale) expect(sizes([oldRS], rec)['foo-old']).toBe(want);
      else expect(rec.updates).toHaveLength(0);
    });
  }
});

describe('cleanupUnhealthyReplicas', () => {
  const cases: Array<[number, number, number, number]> = [
    // oldReplicas, readyPods, maxCleanupCount, cleanupCountExpected
    [10, 8, 1, 1], [10, 8, 3, 2], [10, 8, 0, 0], [10, 10, 3, 0],
  ];
  for (const [oldR, ready, max, want] of cases) {
    it(`${oldR} replicas, ${ready} ready, max ${max}`, async () => {
      const rec = recorder(); const s = new DeploymentSync(rec);
      const out = await cleanupUnhealthyReplicas(s, [rs('foo-v2', oldR, 0, { available: ready })], newDeployment(10, { maxSurge: 2, maxUnavailable: 2 }), max);
      expect(out.count).toBe(want);
      expect(out.oldRSs[0]!.spec.replicas).toBe(oldR - want);
    });
  }
});

describe('scaleDownOldReplicaSetsForRollingUpdate', () => {
  const cases: Array<[number, number, number, number, boolean, number?]> = [
    // deploymentReplicas, maxUnavailable, readyPods, oldReplicas, scaleExpected, expectedOldReplicas
    [10, 0, 10, 10, true, 9], [10, 2, 10, 10, true, 8], [10, 2, 8, 10, false], [10, 2, 10, 0, false], [10, 2, 1, 10, false],
  ];
  for (const [dr, mu, ready, oldR, expectScale, want] of cases) {
    it(`${dr} replicas, maxUnavailable ${mu}, ${ready} ready of ${oldR}`, async () => {
      const rec = recorder(); const s = new DeploymentSync(rec);
      const oldRS = rs('foo-v2', oldR, 0, { available: ready });
      const n = await scaleDownOldReplicaSetsForRollingUpdate(s, [oldRS], [oldRS], newDeployment(dr, { maxSurge: 0, maxUnavailable: mu }));
      if (!expectScale) { expect(n).toBe(0); expect(rec.updates).toHaveLength(0); return; }
      expect(n).toBeGreaterThan(0);
      expect(rec.updates).toHaveLength(1);
      expect(rec.updates[0]!.spec.replicas).toBe(want);
    });
  }
});

describe('scale (TestScale)', () => {
  const NEW = Date.UTC(2016, 4, 20, 2); const OLD = Date.UTC(2016, 4, 20, 1); const OLDER = Date.UTC(2016, 4, 20, 0);
  interface Case { name: string; d: Deployment; oldD: Deployment; newRS?: ReplicaSet; oldRSs: ReplicaSet[]; wantNew?: number; wantOld: number[]; desired?: Record<string, number> }
  const dep = (n: number, surge?: number, unavailable?: number): Deployment => newDeployment(n, { maxSurge: surge ?? 0, maxUnavailable: unavailable ?? 0 });
  const updatedTemplate = (n: number): Deployment => { const d = dep(n); d.spec.template.metadata!.labels!.another = 'label'; return d; };
  const brokenNew = (): ReplicaSet => rs('foo-v2', 2, NEW, { available: 0 });
  const cases: Case[] = [
    { name: 'normal scaling event: 10 -> 12', d: dep(12), oldD: dep(10), newRS: rs('foo-v1', 10, NEW), oldRSs: [], wantNew: 12, wantOld: [] },
    { name: 'normal scaling event: 10 -> 5', d: dep(5), oldD: dep(10), newRS: rs('foo-v1', 10, NEW), oldRSs: [], wantNew: 5, wantOld: [] },
    { name: 'proportional scaling: 5 -> 10', d: dep(10), oldD: dep(5), newRS: rs('foo-v2', 2, NEW), oldRSs: [rs('foo-v1', 3, OLD)], wantNew: 4, wantOld: [6] },
    { name: 'proportional scaling: 5 -> 3', d: dep(3), oldD: dep(5), newRS: rs('foo-v2', 2, NEW), oldRSs: [rs('foo-v1', 3, OLD)], wantNew: 1, wantOld: [2] },
    { name: 'proportional scaling: 9 -> 4', d: dep(4), oldD: dep(9), newRS: rs('foo-v2', 8, NEW), oldRSs: [rs('foo-v1', 1, OLD)], wantNew: 4, wantOld: [0] },
    { name: 'proportional scaling: 7 -> 10', d: dep(10), oldD: dep(7), newRS: rs('foo-v3', 2, NEW), oldRSs: [rs('foo-v2', 3, OLD), rs('foo-v1', 2, OLDER)], wantNew: 3, wantOld: [4, 3] },
    { name: 'proportional scaling: 13 -> 8', d: dep(8), oldD: dep(13), newRS: rs('foo-v3', 2, NEW), oldRSs: [rs('foo-v2', 8, OLD), rs('foo-v1', 3, OLDER)], wantNew: 1, wantOld: [5, 2] },
    { name: 'leftover distribution: 3 -> 4', d: dep(4), oldD: dep(3), newRS: rs('foo-v3', 1, NEW), oldRSs: [rs('foo-v2', 1, OLD), rs('foo-v1', 1, OLDER)], wantNew: 2, wantOld: [1, 1] },
    { name: 'leftover distribution: 3 -> 2', d: dep(2), oldD: dep(3), newRS: rs('foo-v3', 1, NEW), oldRSs: [rs('foo-v2', 1, OLD), rs('foo-v1', 1, OLDER)], wantNew: 1, wantOld: [1, 0] },
    { name: 'proportional scaling (no new rs): 4 -> 5', d: dep(5), oldD: dep(4), oldRSs: [rs('foo-v2', 2, OLD), rs('foo-v1', 2, OLDER)], wantOld: [3, 2] },
    { name: 'proportional scaling: 6 -> 0', d: dep(0), oldD: dep(6), newRS: rs('foo-v3', 3, NEW), oldRSs: [rs('foo-v2', 2, OLD), rs('foo-v1', 1, OLDER)], wantNew: 0, wantOld: [0, 0] },
    { name: 'proportional scaling: 0 -> 6', d: dep(6), oldD: dep(6), newRS: rs('foo-v3', 0, NEW), oldRSs: [rs('foo-v2', 0, OLD), rs('foo-v1', 0, OLDER)], wantNew: 6, wantOld: [0, 0] },
    { name: 'failed rs update (foo-v2 sized for 3)', d: dep(5), oldD: dep(5), newRS: rs('foo-v3', 2, NEW), oldRSs: [rs('foo-v2', 1, OLD), rs('foo-v1', 1, OLDER)], wantNew: 2, wantOld: [2, 1], desired: { 'foo-v2': 3 } },
    { name: 'deployment with surge pods', d: dep(20, 2), oldD: dep(10, 2), newRS: rs('foo-v2', 6, NEW), oldRSs: [rs('foo-v1', 6, OLD)], wantNew: 11, wantOld: [11] },
    { name: 'change both surge and size', d: dep(50, 6), oldD: dep(10, 3), newRS: rs('foo-v2', 5, NEW), oldRSs: [rs('foo-v1', 8, OLD)], wantNew: 22, wantOld: [34] },
    { name: 'change both size and template', d: updatedTemplate(14), oldD: dep(10), oldRSs: [rs('foo-v2', 7, NEW), rs('foo-v1', 3, OLD)], wantOld: [10, 4] },
    { name: 'saturated but broken new replica set does not affect old pods', d: dep(2, 1, 1), oldD: dep(2, 1, 1), newRS: brokenNew(), oldRSs: [rs('foo-v1', 1, OLD)], wantNew: 2, wantOld: [1] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const x of [c.newRS, ...c.oldRSs]) {
        if (!x) continue;
        const desired = c.desired?.[x.metadata.name!] ?? c.oldD.spec.replicas!;
        setReplicasAnnotations(x, desired, desired + maxSurge(c.oldD));
      }
      const rec = recorder(); const s = new DeploymentSync(rec);
      await s.scale(c.d, c.newRS, c.oldRSs);
      const got = sizes([...(c.newRS ? [c.newRS] : []), ...c.oldRSs], rec);
      if (c.newRS) expect(got[c.newRS.metadata.name!]).toBe(c.wantNew);
      expect(c.oldRSs.map((x) => got[x.metadata.name!])).toEqual(c.wantOld);
      // Every write carries the current desired/max-replicas.
      for (const u of rec.updates) {
        expect(u.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe(String(c.d.spec.replicas));
        expect(u.metadata.annotations?.['deployment.kubernetes.io/max-replicas']).toBe(String(c.d.spec.replicas! + maxSurge(c.d)));
      }
    });
  }

  it('records upstream ScalingReplicaSet events', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const newRS = rs('foo-v2', 2, NEW); const old = rs('foo-v1', 3, OLD);
    for (const x of [newRS, old]) setReplicasAnnotations(x, 5, 5);
    await s.scale(dep(10), newRS, [old]);
    expect(rec.events.sort()).toEqual(['Normal ScalingReplicaSet Scaled up replica set foo-v1 from 3 to 6', 'Normal ScalingReplicaSet Scaled up replica set foo-v2 from 2 to 4']);
  });
});

describe('cleanup (TestDeploymentController_cleanupDeployment)', () => {
  const rsStatus = (name: string, specReplicas: number, statusReplicas: number, rev: number): ReplicaSet => rs(name, specReplicas, rev * 1000, { statusReplicas, revision: rev });
  const deleted = (): ReplicaSet => { const x = rsStatus('foo-1', 0, 0, 1); x.metadata.deletionTimestamp = iso(0); return x; };
  const cases: Array<[ReplicaSet[], number, number]> = [
    [[rsStatus('foo-1', 0, 0, 1), rsStatus('foo-2', 0, 0, 2), rsStatus('foo-3', 0, 0, 3)], 1, 2],
    [[rsStatus('foo-1', 0, 0, 1), rsStatus('foo-2', 0, 1, 2), rsStatus('foo-3', 1, 0, 3), rsStatus('foo-4', 1, 1, 4)], 0, 1],
    [[rsStatus('foo-1', 0, 0, 1), rsStatus('foo-2', 0, 0, 2)], 0, 2],
    [[rsStatus('foo-1', 1, 1, 1), rsStatus('foo-2', 1, 1, 2)], 0, 0],
    [[deleted()], 0, 0],
    [[rsStatus('foo-1', 0, 0, 1), rsStatus('foo-2', 0, 0, 2), rsStatus('foo-3', 0, 0, 3)], 2147483647, 0],
  ];
  cases.forEach(([olds, limit, want], i) => {
    it(`scenario ${i}: limit ${limit}`, async () => {
      const rec = recorder(); const s = new DeploymentSync(rec);
      await s.cleanup(olds, newDeployment(1, { revisionHistoryLimit: limit }));
      expect(rec.deletes).toHaveLength(want);
    });
  });

  it('deletes the lowest revisions first', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    await s.cleanup([rsStatus('r3', 0, 0, 3), rsStatus('r1', 0, 0, 1), rsStatus('r2', 0, 0, 2)], newDeployment(1, { revisionHistoryLimit: 1 }));
    expect(rec.deletes).toEqual(['r1', 'r2']);
  });
});

describe('requeueStuck (TestRequeueStuckDeployment)', () => {
  const stuckAt = Date.UTC(2017, 1, 15, 18, 49, 0);
  const cur = (pds: number | undefined, replicas: number, available: number, cond?: { reason?: string }): Deployment => {
    const d = newDeployment(replicas, pds === undefined ? {} : { progressDeadlineSeconds: pds });
    if (pds === undefined) delete d.spec.progressDeadlineSeconds;
    d.status = { replicas, updatedReplicas: replicas, availableReplicas: available, observedGeneration: 1, conditions: cond ? [{ type: 'Progressing', status: 'True', lastUpdateTime: iso(stuckAt), ...cond }] : [] };
    return d;
  };
  const st = (replicas: number, available: number) => ({ replicas, updatedReplicas: replicas, availableReplicas: available, observedGeneration: 1 });
  const cases: Array<[string, Deployment, ReturnType<typeof st>, number, number | undefined]> = [
    ['nil progressDeadlineSeconds', cur(undefined, 4, 2, {}), st(4, 2), stuckAt, undefined],
    ['infinite progressDeadlineSeconds', cur(2147483647, 4, 2, {}), st(4, 2), stuckAt, undefined],
    ['no progressing condition found', cur(60, 4, 2), st(4, 2), stuckAt, undefined],
    ['complete deployment does not need to be requeued', cur(60, 3, 3, {}), st(3, 3), stuckAt, undefined],
    ['already failed deployment does not need to be requeued', cur(60, 3, 0, { reason: 'ProgressDeadlineExceeded' }), st(3, 0), stuckAt, undefined],
    // Upstream requeues after `after + 1s`; under a second it re-enqueues at once with backoff,
    // which this port replaces with the same `after + 1s` (no spinning until the deadline).
    ['stuck deployment - 30s', cur(60, 3, 1, {}), st(3, 1), stuckAt + 30_000, 31_000],
    ['stuck deployment - 1s', cur(60, 3, 1, {}), st(3, 1), stuckAt + 59_000, 2_000],
    ['failed deployment - now', cur(60, 3, 1, {}), st(3, 1), stuckAt + 60_000, 1_000],
    ['failed deployment - 60s after deadline', cur(60, 3, 1, {}), st(3, 1), stuckAt + 120_000, 1_000],
  ];
  for (const [name, d, s, now, want] of cases) {
    it(name, () => expect(new DeploymentSync(recorder(now)).requeueStuck(d, s)).toBe(want));
  }
});
