// StatefulSet pure logic: identity, the update algorithm's ordering/partition decisions (run
// against recording pod operations), status, PVC retention ownerRefs and revision helpers.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import type { ControllerRevision, PersistentVolumeClaim, StatefulSet } from '@kube-ts/client/workloads';
import { completeRollingUpdate, fillStatus, updateStatefulSet } from '../../src/controllers/statefulset/control.js';
import { newStatefulSetPod, parentAndOrdinal, storageMatches, identityMatches } from '../../src/controllers/statefulset/identity.js';
import type { StatefulPodOps } from '../../src/controllers/statefulset/podcontrol.js';
import { claimOwnerRefsFor, claimOwnerUpToDate } from '../../src/controllers/statefulset/retention.js';
import { newSetRevision } from '../../src/controllers/statefulset/sethistory.js';
import {
  controllerRevisionName, equalRevision, hashControllerRevision, nextRevision, revisionsToPrune, revisionTemplate, sortRevisions,
} from '../../src/controllers/history/revisions.js';
import { newControllerRef } from '../../src/util/pods.js';

const NOW = Date.UTC(2026, 0, 1);

function mkSet(o: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; partition?: number; onDelete?: boolean; image?: string; claims?: boolean; start?: number } = {}): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 1 },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'nginx',
      podManagementPolicy: o.policy ?? 'OrderedReady',
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
      ...(o.claims ? { volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'] } }] } : {}),
      ...(o.start !== undefined ? { ordinals: { start: o.start } } : {}),
    },
    status: { replicas: 0 },
  };
}

const ref = (set: StatefulSet) => newControllerRef(set, 'apps/v1', 'StatefulSet');
const rev = (set: StatefulSet, n = 1): ControllerRevision => {
  const r = newSetRevision(set, ref(set), n, 0);
  r.metadata.creationTimestamp = new Date(NOW + n).toISOString();
  return r;
};

/** A pod as the apiserver would hold it: created, at `revision`, Running+Ready unless told. */
function podOf(set: StatefulSet, ordinal: number, revision: ControllerRevision, state: 'ready' | 'notready' | 'pending' | 'failed' | 'terminating' = 'ready'): Pod {
  const p = newStatefulSetPod(set, ordinal, ref(set));
  p.metadata.uid = `uid-${ordinal}`;
  p.metadata.labels = { ...p.metadata.labels, 'controller-revision-hash': revision.metadata.name! };
  const t = new Date(NOW - 60_000).toISOString();
  p.status = {
    phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
    conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False', lastTransitionTime: t }],
  };
  if (state === 'terminating') p.metadata.deletionTimestamp = t;
  return p;
}

class FakeOps implements StatefulPodOps {
  calls: string[] = [];
  created: Pod[] = [];
  events: string[] = [];
  async createStatefulPod(_s: StatefulSet, pod: Pod): Promise<void> { this.calls.push(`create ${pod.metadata.name}`); this.created.push(pod); }
  async updateStatefulPod(_s: StatefulSet, pod: Pod): Promise<void> { this.calls.push(`update ${pod.metadata.name}`); }
  async deleteStatefulPod(_s: StatefulSet, pod: Pod): Promise<void> { this.calls.push(`delete ${pod.metadata.name}`); }
  async createMissingClaims(): Promise<void> {}
  podClaimIsStale(): boolean { return false; }
  claimsMatchRetentionPolicy(): boolean { return true; }
  async updateClaimsForRetentionPolicy(): Promise<void> {}
  event(_s: StatefulSet, _t: string, reason: string, message: string): void { this.events.push(`${reason}: ${message}`); }
}

async function round(set: StatefulSet, pods: Pod[], cur = rev(set), upd = cur) {
  const ops = new FakeOps();
  const status = await updateStatefulSet({ set, currentRevision: cur, updateRevision: upd, collisionCount: 0, pods, ops, now: NOW, ref: ref(set) });
  return { ops, status };
}

describe('statefulset identity', () => {
  it.each([
    ['web-0', 'web', 0], ['web-12', 'web', 12], ['my-app-3', 'my-app', 3], ['web', '', -1], ['web-x', '', -1], ['web-99999999999', 'web', -1],
  ])('parentAndOrdinal(%s)', (name, parent, ordinal) => {
    const r = parentAndOrdinal({ metadata: { name }, spec: { containers: [] } });
    expect(r.ordinal).toBe(ordinal);
    if (ordinal >= 0) expect(r.parent).toBe(parent);
  });

  it('builds a pod with a stable name, labels, hostname, subdomain and its claims', () => {
    const set = mkSet({ claims: true });
    const p = newStatefulSetPod(set, 2, ref(set));
    expect(p.metadata.name).toBe('web-2');
    expect(p.metadata.labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2' });
    expect(p.spec.hostname).toBe('web-2');
    expect(p.spec.subdomain).toBe('nginx');
    expect(p.spec.volumes).toEqual([{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }]);
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'web', controller: true });
    expect(identityMatches(set, p)).toBe(true);
    expect(storageMatches(set, p)).toBe(true);
    expect(storageMatches(set, { ...p, spec: { ...p.spec, volumes: [] } })).toBe(false);
  });
});

describe('statefulset update algorithm', () => {
  it('OrderedReady creates one pod at a time, in ordinal order', async () => {
    const set = mkSet();
    const r = rev(set);
    expect((await round(set, [], r)).ops.calls).toEqual(['create web-0']);
    expect((await round(set, [podOf(set, 0, r, 'notready')], r)).ops.calls).toEqual([]);
    expect((await round(set, [podOf(set, 0, r)], r)).ops.calls).toEqual(['create web-1']);
    expect((await round(set, [podOf(set, 0, r), podOf(set, 1, r)], r)).ops.calls).toEqual(['create web-2']);
  });

  it('honours ordinals.start', async () => {
    const set = mkSet({ start: 5, replicas: 2 });
    const r = rev(set);
    expect((await round(set, [], r)).ops.calls).toEqual(['create web-5']);
    expect((await round(set, [podOf(set, 5, r)], r)).ops.calls).toEqual(['create web-6']);
  });

  it('Parallel creates every missing pod at once', async () => {
    const set = mkSet({ policy: 'Parallel' });
    const { ops } = await round(set, []);
    expect([...ops.calls].sort()).toEqual(['create web-0', 'create web-1', 'create web-2']);
  });

  it('OrderedReady scales down one pod at a time, highest ordinal first', async () => {
    const set = mkSet({ replicas: 1 });
    const r = rev(set);
    const pods = [podOf(set, 0, r), podOf(set, 1, r), podOf(set, 2, r)];
    expect((await round(set, pods, r)).ops.calls).toEqual(['delete web-2']);
    // While web-2 terminates nothing else goes.
    expect((await round(set, [pods[0]!, pods[1]!, podOf(set, 2, r, 'terminating')], r)).ops.calls).toEqual([]);
  });

  it('OrderedReady does not scale down while a remaining replica is unhealthy', async () => {
    const set = mkSet({ replicas: 1 });
    const r = rev(set);
    expect((await round(set, [podOf(set, 0, r, 'notready'), podOf(set, 1, r), podOf(set, 2, r)], r)).ops.calls).toEqual([]);
  });

  it('Parallel scales down all condemned pods', async () => {
    const set = mkSet({ replicas: 1, policy: 'Parallel' });
    const r = rev(set);
    const { ops } = await round(set, [podOf(set, 0, r), podOf(set, 1, r), podOf(set, 2, r)], r);
    expect([...ops.calls].sort()).toEqual(['delete web-1', 'delete web-2']);
  });

  it('recreates a failed pod with an event', async () => {
    const set = mkSet({ replicas: 1 });
    const r = rev(set);
    const { ops } = await round(set, [podOf(set, 0, r, 'failed')], r);
    expect(ops.calls).toEqual(['delete web-0', 'create web-0']);
    expect(ops.events).toEqual(['RecreatingFailedPod: StatefulSet ns/web is recreating failed Pod web-0']);
  });

  it('rolling update deletes the highest ordinal not at the update revision, down to the partition', async () => {
    const old = mkSet({ partition: 2 });
    const set = mkSet({ partition: 2, image: 'nginx:2' });
    const cur = rev(old, 1); const upd = rev(set, 2);
    expect(cur.metadata.name).not.toBe(upd.metadata.name);
    const pods = [podOf(old, 0, cur), podOf(old, 1, cur), podOf(old, 2, cur)];
    const first = await round(set, pods, cur, upd);
    expect(first.ops.calls).toEqual(['delete web-2']);
    expect(first.status.currentReplicas).toBe(2);
    // web-2 updated and ready: ordinals below the partition stay.
    const second = await round(set, [pods[0]!, pods[1]!, podOf(set, 2, upd)], cur, upd);
    expect(second.ops.calls).toEqual([]);
    expect(second.status).toMatchObject({ replicas: 3, updatedReplicas: 1, currentReplicas: 2, readyReplicas: 3 });
  });

  it('rolling update waits for the updated pod to be ready before the next', async () => {
    const old = mkSet(); const set = mkSet({ image: 'nginx:2' });
    const cur = rev(old, 1); const upd = rev(set, 2);
    const pods = [podOf(old, 0, cur), podOf(old, 1, cur), podOf(set, 2, upd, 'notready')];
    // OrderedReady blocks at the unready replica; Parallel reaches the update loop and waits there.
    expect((await round(set, pods, cur, upd)).ops.calls).toEqual([]);
    const par = mkSet({ image: 'nginx:2', policy: 'Parallel' });
    expect((await round(par, pods, cur, upd)).ops.calls).toEqual([]);
    expect((await round(par, [pods[0]!, pods[1]!, podOf(set, 2, upd)], cur, upd)).ops.calls).toEqual(['delete web-1']);
  });

  it('creates pods below the partition at the current revision, the rest at the update revision', async () => {
    const old = mkSet({ partition: 2, policy: 'Parallel' });
    const set = mkSet({ partition: 2, image: 'nginx:2', policy: 'Parallel' });
    const cur = rev(old, 1); const upd = rev(set, 2);
    const { ops } = await round(set, [], cur, upd);
    const byName = new Map(ops.created.map((p) => [p.metadata.name, p]));
    expect(byName.get('web-0')?.metadata.labels?.['controller-revision-hash']).toBe(cur.metadata.name);
    expect(byName.get('web-0')?.spec.containers[0]?.image).toBe('nginx:1');
    expect(byName.get('web-2')?.metadata.labels?.['controller-revision-hash']).toBe(upd.metadata.name);
    expect(byName.get('web-2')?.spec.containers[0]?.image).toBe('nginx:2');
  });

  it('OnDelete never deletes old pods', async () => {
    const old = mkSet({ onDelete: true }); const set = mkSet({ onDelete: true, image: 'nginx:2' });
    const cur = rev(old, 1); const upd = rev(set, 2);
    const { ops } = await round(set, [podOf(old, 0, cur), podOf(old, 1, cur), podOf(old, 2, cur)], cur, upd);
    expect(ops.calls).toEqual([]);
  });

  it('status counts and completes a rolling update once all pods are updated and ready', () => {
    const set = mkSet();
    const r = rev(set);
    const status = { replicas: 0, currentRevision: 'old', updateRevision: r.metadata.name };
    fillStatus(status, 0, NOW, 'old', r.metadata.name!, [podOf(set, 0, r), podOf(set, 1, r), podOf(set, 2, r, 'notready')]);
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 3, currentReplicas: 0 });
    completeRollingUpdate(set, status);
    expect(status.currentRevision).toBe('old');
    const all = { ...status, readyReplicas: 3 };
    completeRollingUpdate(set, all);
    expect(all).toMatchObject({ currentRevision: r.metadata.name, currentReplicas: 3 });
  });
});

describe('statefulset PVC retention', () => {
  const claim = (): PersistentVolumeClaim => ({ metadata: { name: 'www-web-1', namespace: 'ns' } });
  const withPolicy = (whenDeleted: 'Retain' | 'Delete', whenScaled: 'Retain' | 'Delete', replicas: number): StatefulSet => {
    const s = mkSet({ replicas, claims: true });
    s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted, whenScaled };
    return s;
  };
  const pod = (set: StatefulSet): Pod => ({ ...newStatefulSetPod(set, 1, ref(set)), metadata: { ...newStatefulSetPod(set, 1, ref(set)).metadata, uid: 'pod-uid' } });

  it.each([
    // whenDeleted, whenScaled, replicas (pod web-1 in range when 3, scaled down when 1), expected owner kinds
    ['Retain', 'Retain', 3, []],
    ['Delete', 'Retain', 3, ['StatefulSet']],
    ['Retain', 'Delete', 3, []],
    ['Retain', 'Delete', 1, ['Pod']],
    ['Delete', 'Delete', 3, ['StatefulSet']],
    ['Delete', 'Delete', 1, ['Pod']],
  ] as const)('whenDeleted=%s whenScaled=%s replicas=%d', (wd, ws, replicas, kinds) => {
    const set = withPolicy(wd, ws, replicas);
    const p = pod(set);
    const c = claim();
    expect(claimOwnerUpToDate(c, set, p)).toBe(kinds.length === 0);
    const refs = claimOwnerRefsFor(c, set, p);
    expect(refs.map((r) => r.kind)).toEqual(kinds);
    expect(refs.every((r) => r.controller === true)).toBe(true);
    expect(claimOwnerUpToDate({ ...c, metadata: { ...c.metadata, ownerReferences: refs } }, set, p)).toBe(true);
  });

  it('leaves a claim controlled by someone else alone', () => {
    const set = withPolicy('Delete', 'Retain', 3);
    const c: PersistentVolumeClaim = { metadata: { name: 'www-web-1', ownerReferences: [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: 'o', controller: true }] } };
    expect(claimOwnerUpToDate(c, set, pod(set))).toBe(true);
  });
});

describe('controller revisions', () => {
  it('names revisions <owner>-<hash> and changes the hash with the collision count', () => {
    const set = mkSet();
    const a = newSetRevision(set, ref(set), 1, 0);
    const b = newSetRevision(set, ref(set), 1, 1);
    expect(a.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(a.metadata.labels?.['controller-revision-hash']).toBe(a.metadata.name!.slice(4));
    expect(a.metadata.name).not.toBe(b.metadata.name);
    expect(newSetRevision(set, ref(set), 7, 0).metadata.name).toBe(a.metadata.name);
    expect(newSetRevision(mkSet({ image: 'nginx:2' }), ref(set), 1, 0).metadata.name).not.toBe(a.metadata.name);
    expect(revisionTemplate(a)).toEqual(set.spec.template);
    expect(controllerRevisionName('x'.repeat(300), 'h')).toBe(`${'x'.repeat(223)}-h`);
    expect(hashControllerRevision({ b: 1, a: 2 })).toBe(hashControllerRevision({ a: 2, b: 1 }));
  });

  it('compares revisions by data, sorts by number and picks the next number', () => {
    const s1 = mkSet(); const s2 = mkSet({ image: 'nginx:2' });
    const r1 = rev(s1, 1); const r2 = rev(s2, 3); const r1b = { ...rev(s1, 5), metadata: { ...rev(s1, 5).metadata, name: 'other' } };
    expect(equalRevision(r1, r1b)).toBe(true);
    expect(equalRevision(r1, r2)).toBe(false);
    expect(sortRevisions([r1b, r2, r1]).map((r) => r.revision)).toEqual([1, 3, 5]);
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([r1, r1b, r2])).toBe(6);
  });

  it('prunes the oldest non-live revisions beyond the limit', () => {
    const revs = [1, 2, 3, 4, 5].map((n) => ({ metadata: { name: `r${n}` }, revision: n }) as ControllerRevision);
    const live = (r: ControllerRevision): boolean => r.metadata.name === 'r1' || r.metadata.name === 'r5';
    // StatefulSet: keep 2 non-live (r2..r4 are non-live): delete r2.
    expect(revisionsToPrune(revs, live, 2).map((r) => r.metadata.name)).toEqual(['r2']);
    // DaemonSet: len(old)-limit = 3 to go, live ones skipped: r2, r3, r4.
    expect(revisionsToPrune(revs, live, 2, true).map((r) => r.metadata.name)).toEqual(['r2', 'r3', 'r4']);
    expect(revisionsToPrune(revs, live, 10)).toEqual([]);
  });
});
