// PodDisruptionBudget arithmetic, ported from upstream disruption_test.go (VerifyPdbStatus
// arguments in upstream order: disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods).
import { describe, expect, it } from 'vitest';
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { Deployment, IntOrString, ReplicaSet, ReplicationController, StatefulSet } from '@kube-ts/client/workloads';
import { buildDisruptedPodMap, conditionsUpToDate, countHealthyPods, expectedPodCount, nextPdbStatus, scaledIntOrPercent, verifyGroupKind } from '../../src/controllers/disruption/budget.js';
import { scaleFinders } from '../../src/controllers/disruption/finders.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../src/controllers/disruption/types.js';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const fooBar = { foo: 'bar' };

class World {
  rs = new Map<string, ReplicaSet>();
  deployments = new Map<string, Deployment>();
  rcs = new Map<string, ReplicationController>();
  sets = new Map<string, StatefulSet>();
  pods: Pod[] = [];
  finders = scaleFinders({
    replicaSet: (_ns, n) => this.rs.get(n), deployment: (_ns, n) => this.deployments.get(n),
    replicationController: (_ns, n) => this.rcs.get(n), statefulSet: (_ns, n) => this.sets.get(n),
  });

  /** dc.sync + VerifyPdbStatus: [disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods]. */
  sync(pdb: PodDisruptionBudget): [number, number, number, number] {
    const c = expectedPodCount(pdb, this.pods, this.finders);
    const { disrupted } = buildDisruptedPodMap(this.pods, pdb, T0);
    const healthy = countHealthyPods(this.pods, disrupted, T0);
    const st = nextPdbStatus(pdb, healthy, c.desiredHealthy, c.expectedCount, disrupted, T0) ?? pdb.status!;
    pdb.status = st;
    return [st.disruptionsAllowed, st.currentHealthy, st.desiredHealthy, st.expectedPods];
  }
}

let uid = 0;
function pod(name: string, o: { ready?: boolean; owner?: OwnerReference; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `pod-${uid++}`, labels: o.labels ?? fooBar, ...(o.owner ? { ownerReferences: [o.owner] } : {}) },
    spec: { containers: [] },
    status: { conditions: o.ready === false ? [] : [{ type: 'Ready', status: 'True' }] },
  };
}
const ownerRef = (apiVersion: string, kind: string, o: { metadata: { name?: string; uid?: string } }): OwnerReference => ({ apiVersion, kind, name: o.metadata.name!, uid: o.metadata.uid!, controller: true });
const pdbMin = (v: IntOrString): PodDisruptionBudget => ({ metadata: { name: 'pdb', namespace: 'default', generation: 1 }, spec: { minAvailable: v, selector: { matchLabels: fooBar } } });
const pdbMax = (v: IntOrString): PodDisruptionBudget => ({ metadata: { name: 'pdb', namespace: 'default', generation: 1 }, spec: { maxUnavailable: v, selector: { matchLabels: fooBar } } });
const rs = (n: number, name = 'foobar'): ReplicaSet => ({ metadata: { name, namespace: 'default', uid: `rs-${name}` }, spec: { replicas: n, selector: { matchLabels: fooBar } } });

describe('PDB status (disruption_test.go)', () => {
  it('TestUnavailable: counts go up with pods, down when one is not ready', () => {
    const w = new World();
    const pdb = pdbMin(3);
    for (let i = 0; i < 4; i++) {
      expect(w.sync(pdb)).toEqual([0, i, 3, i]);
      w.pods.push(pod(`yo-yo-yo ${i}`));
    }
    expect(w.sync(pdb)).toEqual([1, 4, 3, 4]);
    w.pods[0]!.status!.conditions = [];
    expect(w.sync(pdb)).toEqual([0, 3, 3, 4]);
  });

  it('TestIntegerMaxUnavailable: a naked pod allows nothing (unmanaged, expected 0)', () => {
    const w = new World();
    const pdb = pdbMax(1);
    expect(w.sync(pdb)[0]).toBe(0);
    w.pods.push(pod('naked'));
    expect(w.sync(pdb)[0]).toBe(0);
    expect(expectedPodCount(pdb, w.pods, w.finders).unmanagedPods).toEqual(['naked']);
  });

  it('TestIntegerMaxUnavailableWithScaling / TestPercentageMaxUnavailableWithScaling', () => {
    for (const [max, first, second] of [[2, [0, 1, 5, 7], [0, 1, 3, 5]], ['30%', [0, 1, 4, 7], [0, 1, 2, 3]]] as const) {
      const w = new World();
      const r = rs(7);
      w.rs.set('foobar', r);
      w.pods.push(pod('pod', { owner: ownerRef('apps/v1', 'ReplicaSet', r) }));
      const pdb = pdbMax(max);
      expect(w.sync(pdb)).toEqual(first);
      r.spec.replicas = max === 2 ? 5 : 3;
      expect(w.sync(pdb)).toEqual(second);
    }
  });

  it('TestReplicaSet: 20% of 10 replicas', () => {
    const w = new World();
    const r = rs(10);
    w.rs.set('foobar', r);
    w.pods.push(pod('pod', { owner: ownerRef('apps/v1', 'ReplicaSet', r) }));
    expect(w.sync(pdbMin('20%'))).toEqual([0, 1, 2, 10]);
  });

  it('TestUnsupportedControllerPod: an unknown controller kind fails the sync', () => {
    const w = new World();
    w.pods.push(pod('naked', { owner: { apiVersion: 'apps.test.io/v1', kind: 'TestWorkload', name: 'fake-controller', uid: 'b7329742', controller: true } }));
    expect(() => expectedPodCount(pdbMin('28%'), w.pods, w.finders)).toThrow('found no controllers for pod "naked"');
  });

  it('TestReplicationController: 34% of 3 rounds up to 2; a rogue pod is unmanaged but healthy', () => {
    const w = new World();
    const rc: ReplicationController = { metadata: { name: 'foobar', namespace: 'default', uid: 'rc-1' }, spec: { replicas: 3 } } as ReplicationController;
    w.rcs.set('foobar', rc);
    const pdb = pdbMin('34%');
    expect(w.sync(pdb)).toEqual([0, 0, 0, 0]);
    for (let i = 0; i < 3; i++) {
      w.pods.push(pod(`foobar ${i}`, { owner: ownerRef('v1', 'ReplicationController', rc), labels: { foo: 'bar', baz: 'quux' } }));
      expect(w.sync(pdb)).toEqual(i < 2 ? [0, i + 1, 2, 3] : [1, 3, 2, 3]);
    }
    w.pods.push(pod('rogue'));
    expect(w.sync(pdb)[0]).toBe(2);
  });

  it('TestStatefulSetController', () => {
    const w = new World();
    const ss: StatefulSet = { metadata: { name: 'foobar', namespace: 'default', uid: 'ss-1' }, spec: { replicas: 3 } } as StatefulSet;
    w.sets.set('foobar', ss);
    const pdb = pdbMin('34%');
    for (let i = 0; i < 3; i++) {
      w.pods.push(pod(`foobar ${i}`, { owner: ownerRef('apps/v1', 'StatefulSet', ss) }));
      expect(w.sync(pdb)).toEqual(i < 2 ? [0, i + 1, 2, 3] : [1, 3, 2, 3]);
    }
  });

  it('TestTwoControllers: a Deployment counts through its ReplicaSet (28%: 4 of 11, 7 of 22)', () => {
    const w = new World();
    const rc = { metadata: { name: 'rc', namespace: 'default', uid: 'rc-1' }, spec: { replicas: 11 } } as ReplicationController;
    const d = { metadata: { name: 'd', namespace: 'default', uid: 'd-1' }, spec: { replicas: 11 } } as Deployment;
    const r = { ...rs(11, 'd-rs'), metadata: { name: 'd-rs', namespace: 'default', uid: 'rs-d', ownerReferences: [ownerRef('apps/v1', 'Deployment', d)] } };
    w.rcs.set('rc', rc); w.deployments.set('d', d); w.rs.set('d-rs', r);
    const pdb = pdbMin('28%');
    for (let i = 0; i < 11; i++) w.pods.push(pod(`quux ${i}`, { owner: ownerRef('v1', 'ReplicationController', rc), ready: i >= 6 }));
    expect(w.sync(pdb)).toEqual([1, 5, 4, 11]);
    for (let i = 0; i < 11; i++) w.pods.push(pod(`quuux ${i}`, { owner: ownerRef('apps/v1', 'ReplicaSet', r), ready: i >= 7 }));
    expect(w.sync(pdb)).toEqual([2, 9, 7, 22]);
    // The ReplicaSet finder steps aside for the Deployment's: the RS's own replicas are not added.
    r.spec.replicas = 99;
    expect(w.sync(pdb)[3]).toBe(22);
  });

  it('TestNoSelector semantics: an empty selector selects every pod, a missing one none (selection is the caller\'s)', () => {
    const w = new World();
    const pdb: PodDisruptionBudget = { metadata: { name: 'p', namespace: 'default', generation: 1 }, spec: { minAvailable: 3, selector: {} } };
    expect(w.sync(pdb)).toEqual([0, 0, 3, 0]);
    w.pods.push(pod('yo-yo-yo'));
    expect(w.sync(pdb)).toEqual([0, 1, 3, 1]);
  });
});

describe('disrupted pods and conditions', () => {
  const base = (st: Partial<PodDisruptionBudgetStatus>): PodDisruptionBudget => ({ ...pdbMin(1), status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...st } });

  it('disrupted pods stay out of the healthy count for 2 minutes; deleted ones drop out; overdue ones are reported', () => {
    const pods = [pod('a'), pod('b'), pod('c'), { ...pod('d'), metadata: { ...pod('d').metadata, deletionTimestamp: iso(T0) } }];
    const pdb = base({ disruptedPods: { a: iso(T0 - 60_000), b: iso(T0 - 121_000), d: iso(T0), gone: iso(T0) } });
    const r = buildDisruptedPodMap(pods, pdb, T0);
    expect(r.disrupted).toEqual({ a: iso(T0 - 60_000) });
    expect(r.recheckAtMs).toBe(T0 + 60_000);
    expect(r.notDeleted.map((p) => p.metadata.name)).toEqual(['b']);
    expect(countHealthyPods(pods, r.disrupted, T0)).toBe(2);
  });

  it('status: nothing allowed with no expected pods; condition reasons; no write when up to date', () => {
    const pdb = pdbMin(1);
    const none = nextPdbStatus(pdb, 2, 1, 0, {}, T0)!;
    expect(none.disruptionsAllowed).toBe(0);
    expect(none.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: iso(T0) }]);
    const ok = nextPdbStatus({ ...pdb, status: none }, 2, 1, 2, {}, T0 + 5000)!;
    expect(ok).toMatchObject({ disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, observedGeneration: 1 });
    expect(ok.conditions![0]).toMatchObject({ status: 'True', reason: 'SufficientPods', lastTransitionTime: iso(T0 + 5000) });
    expect(conditionsUpToDate({ ...pdb, status: ok })).toBe(true);
    expect(nextPdbStatus({ ...pdb, status: ok }, 2, 1, 2, {}, T0 + 9000)).toBeUndefined();
    // A new generation is observed even when the counts are the same.
    expect(nextPdbStatus({ ...pdb, metadata: { ...pdb.metadata, generation: 2 }, status: ok }, 2, 1, 2, {}, T0 + 9000)?.observedGeneration).toBe(2);
  });

  it('intstr and group/kind helpers', () => {
    expect(scaledIntOrPercent('34%', 3, true)).toBe(2);
    expect(scaledIntOrPercent('28%', 11, true)).toBe(4);
    expect(scaledIntOrPercent(5, 3, true)).toBe(5);
    expect(() => scaledIntOrPercent('5', 3, true)).toThrow('string is not a percentage');
    expect(verifyGroupKind({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'u' }, 'ReplicaSet', ['apps'])).toBe(true);
    expect(verifyGroupKind({ apiVersion: 'v1', kind: 'ReplicaSet', name: 'x', uid: 'u' }, 'ReplicaSet', ['apps'])).toBe(false);
    expect(() => verifyGroupKind({ apiVersion: 'a/b/c', kind: 'ReplicaSet', name: 'x', uid: 'u' }, 'ReplicaSet', ['apps'])).toThrow();
  });
});
