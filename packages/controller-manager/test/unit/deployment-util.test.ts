// deployment_util.go tables (deployment_util_test.go): fenceposts, maxUnavailable, the new
// ReplicaSet's size, completeness, progress, timeouts, annotations and template hashing.
import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '@kube-ts/client/workloads';
import { computeHash } from '../../src/util/hash.js';
import {
  deploymentComplete, deploymentProgressing, equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, maxUnavailable,
  newRSNewReplicas, resolveFenceposts, setNewReplicaSetAnnotations,
} from '../../src/controllers/deployment/util.js';
import { DeploymentSync } from '../../src/controllers/deployment/sync.js';
import { iso, newDeployment, recorder, rs } from './deployment-fixtures.js';

describe('resolveFenceposts (TestResolveFenceposts)', () => {
  const cases: Array<[string | undefined, string | undefined, number, number, number, boolean]> = [
    ['0%', '0%', 0, 0, 1, false],
    ['39%', '39%', 10, 4, 3, false],
    ['oops', '39%', 10, 0, 0, true],
    ['55%', 'urg', 10, 0, 0, true],
    [undefined, '39%', 10, 0, 3, false],
    ['39%', undefined, 10, 4, 0, false],
    [undefined, undefined, 10, 0, 1, false],
  ];
  for (const [surge, unavail, desired, es, eu, err] of cases) {
    it(`${surge}/${unavail} of ${desired}`, () => {
      if (err) { expect(() => resolveFenceposts(surge, unavail, desired)).toThrow(); return; }
      expect(resolveFenceposts(surge, unavail, desired)).toEqual({ surge: es, unavailable: eu });
    });
  }
});

describe('maxUnavailable (TestMaxUnavailable)', () => {
  const cases: Array<[string, number, number | string, number, boolean?]> = [
    ['less than replicas', 10, 5, 5], ['equal replicas', 10, 10, 10], ['greater than replicas', 5, 10, 5],
    ['replicas is 0', 0, 10, 0], ['Recreate', 10, 5, 0, true],
    ['less than replicas with percents', 10, '50%', 5], ['equal replicas with percents', 10, '100%', 10],
    ['greater than replicas with percents', 5, '100%', 5],
  ];
  for (const [name, replicas, mu, want, recreate] of cases) {
    it(name, () => {
      const d = newDeployment(replicas, { maxSurge: 1, maxUnavailable: mu, ...(recreate ? { type: 'Recreate' as const } : {}) });
      expect(maxUnavailable(d)).toBe(want);
    });
  }
});

describe('newRSNewReplicas (TestNewRSNewReplicas)', () => {
  const cases: Array<[string, 'RollingUpdate' | 'Recreate', number, number, number, number]> = [
    ['can not scale up - to newRSReplicas', 'RollingUpdate', 1, 5, 1, 5],
    ['scale up - to depReplicas', 'RollingUpdate', 6, 2, 10, 6],
    ['recreate - to depReplicas', 'Recreate', 3, 1, 1, 3],
  ];
  for (const [name, type, dep, newReplicas, surge, want] of cases) {
    it(name, () => {
      const d = newDeployment(dep, { maxSurge: surge, maxUnavailable: 1, type });
      const rs5 = rs('rs5', 5, 0);
      expect(newRSNewReplicas(d, [rs5], rs('new', newReplicas, 0))).toBe(want);
    });
  }
});

describe('deploymentComplete (TestDeploymentComplete)', () => {
  const d = (desired: number, current: number, updated: number, available: number, mu: number, ms: number) => {
    const x = newDeployment(desired, { maxSurge: ms, maxUnavailable: mu });
    x.status = { replicas: current, updatedReplicas: updated, availableReplicas: available, observedGeneration: 1 };
    return x;
  };
  const cases: Array<[string, ReturnType<typeof d>, boolean]> = [
    ['min but not all pods become available', d(5, 5, 5, 4, 1, 0), false],
    ['min availability is not honored', d(5, 5, 5, 3, 1, 0), false],
    ['complete', d(5, 5, 5, 5, 0, 0), true],
    ['all pods are available but not updated', d(5, 5, 4, 5, 0, 0), false],
    ['still running old pods', d(1, 2, 1, 1, 0, 1), false],
    ['one replica deployment never comes up', d(1, 1, 1, 0, 1, 1), false],
  ];
  for (const [name, x, want] of cases) it(name, () => expect(deploymentComplete(x, x.status!)).toBe(want));
});

describe('deploymentProgressing (TestDeploymentProgressing)', () => {
  const st = (replicas: number, updatedReplicas: number, readyReplicas: number, availableReplicas: number) => ({ replicas, updatedReplicas, readyReplicas, availableReplicas });
  const cases: Array<[string, ReturnType<typeof st>, ReturnType<typeof st>, boolean]> = [
    ['updated pods', st(10, 4, 4, 4), st(10, 6, 4, 4), true],
    ['not progressing', st(10, 4, 4, 4), st(10, 4, 4, 4), false],
    ['old pods removed', st(10, 4, 6, 6), st(8, 4, 6, 6), true],
    ['less new pods', st(10, 7, 3, 3), st(10, 6, 3, 3), false],
    ['less overall but more new pods', st(10, 4, 7, 7), st(8, 8, 5, 5), true],
    ['more ready pods', st(10, 10, 9, 8), st(10, 10, 10, 8), true],
    ['more available pods', st(10, 10, 10, 9), st(10, 10, 10, 10), true],
  ];
  for (const [name, old, next, want] of cases) {
    it(name, () => { const d = newDeployment(10); d.status = old; expect(deploymentProgressing(d, next)).toBe(want); });
  }
});

describe('timedOut (TestDeploymentTimedOut)', () => {
  const t = (min: number, sec: number): number => Date.UTC(2016, 0, 1, 0, min, sec);
  const cases: Array<[string, number | undefined, string, number, number, boolean]> = [
    ['nil progressDeadlineSeconds - no timeout', undefined, '', t(1, 9), t(1, 20), false],
    ['infinite progressDeadlineSeconds - no timeout', 2147483647, '', t(1, 9), t(1, 20), false],
    ['10s, 00:01:20 - 00:01:09 => 11s', 10, '', t(1, 9), t(1, 20), true],
    ['10s, 00:01:20 - 00:01:11 => 9s', 10, '', t(1, 11), t(1, 20), false],
    ['previous status was a complete deployment', 10, 'NewReplicaSetAvailable', 0, t(1, 20), false],
  ];
  for (const [name, pds, reason, from, now, want] of cases) {
    it(name, () => {
      const d = newDeployment(1, pds === undefined ? {} : { progressDeadlineSeconds: pds });
      const s = { conditions: [{ type: 'Progressing', status: 'True' as const, reason, lastUpdateTime: iso(from) }] };
      const rec = recorder(now);
      expect(new DeploymentSync(rec).timedOut(d, s)).toBe(want);
    });
  }
});

describe('annotations', () => {
  it('a new ReplicaSet gets the revision, desired/max-replicas and the deployment annotations except skipped ones', () => {
    const d = newDeployment(5, { maxSurge: '20%', maxUnavailable: 1 });
    d.metadata.annotations = { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '7' };
    const x = rs('new', 0, 0);
    expect(setNewReplicaSetAnnotations(d, x, 3, false)).toBe(true);
    expect(x.metadata.annotations).toEqual({ team: 'a', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '6' });
  });

  it('rolling back to an old ReplicaSet moves its revision into revision-history', () => {
    const d = newDeployment(1);
    const x = rs('old', 0, 0, { revision: 1 });
    setNewReplicaSetAnnotations(d, x, 3, true);
    expect(x.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(x.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    setNewReplicaSetAnnotations(d, x, 5, true);
    expect(x.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    // Not lowered when the computed revision is smaller (old ReplicaSets were deleted).
    expect(setNewReplicaSetAnnotations(d, x, 2, true)).toBe(false);
    expect(x.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
  });

  it('revision-history is trimmed from the front at the length limit', () => {
    const x = rs('old', 0, 0, { revision: 9 });
    x.metadata.annotations!['deployment.kubernetes.io/revision-history'] = '1,3,5,7';
    setNewReplicaSetAnnotations(newDeployment(1), x, 11, true, 6);
    expect(x.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('5,7,9');
  });
});

describe('templates and hashing', () => {
  const tmpl = (labels: Record<string, string>, image = 'nginx'): PodTemplateSpec => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image }] } });

  it('equalIgnoreHash ignores pod-template-hash, key order and empty values (TestEqualIgnoreHash)', () => {
    expect(equalIgnoreHash(tmpl({ a: 'b', 'pod-template-hash': 'x' }), tmpl({ a: 'b' }))).toBe(true);
    expect(equalIgnoreHash(tmpl({ 'pod-template-hash': 'x', a: 'b' }), tmpl({ a: 'b', 'pod-template-hash': 'y' }))).toBe(true);
    expect(equalIgnoreHash({ ...tmpl({ a: 'b' }), metadata: { labels: { a: 'b' }, annotations: {} } }, tmpl({ a: 'b' }))).toBe(true);
    expect(equalIgnoreHash(tmpl({ a: 'b' }), tmpl({ a: 'c' }))).toBe(false);
    expect(equalIgnoreHash(tmpl({ a: 'b' }), tmpl({ a: 'b' }, 'nginx:2'))).toBe(false);
  });

  it('the hash is stable across key order, differs by template and by collisionCount', () => {
    const a = tmpl({ x: '1', y: '2' }); const b = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { y: '2', x: '1' } } };
    expect(computeHash(a)).toBe(computeHash(b));
    expect(computeHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash(a)).not.toBe(computeHash(tmpl({ x: '1', y: '3' })));
    expect(computeHash(a, 1)).not.toBe(computeHash(a));
    expect(computeHash(a, 1)).not.toBe(computeHash(a, 2));
  });

  it('findNewReplicaSet takes the oldest matching; findOldReplicaSets the rest (TestFindNewReplicaSet/TestFindOldReplicaSets)', () => {
    const d = newDeployment(1);
    const older = rs('older', 1, 1000); const newer = rs('newer', 1, 2000);
    const other = rs('other', 2, 500); other.spec.template = tmpl({ foo: 'bar' }, 'other');
    const empty = rs('empty', 0, 400); empty.spec.template = tmpl({ foo: 'bar' }, 'empty');
    expect(findNewReplicaSet(d, [newer, older, other])?.metadata.name).toBe('older');
    const { old, allOld } = findOldReplicaSets(d, [newer, older, other, empty]);
    expect(allOld.map((r) => r.metadata.name).sort()).toEqual(['empty', 'newer', 'other']);
    expect(old.map((r) => r.metadata.name).sort()).toEqual(['newer', 'other']);
  });
});
