// DeploymentSync steps against a recording fake: creating the new ReplicaSet (name, hash label and
// selector, annotations, Progressing condition, event), hash collisions, pause conditions and
// the Progressing transitions of syncRolloutStatus (progress_test.go semantics).
import { describe, expect, it } from 'vitest';
import { ApiError } from '@kube-ts/client/errors';
import type { ReplicaSet } from '@kube-ts/client/workloads';
import { DeploymentSync } from '../../src/controllers/deployment/sync.js';
import { computeHash } from '../../src/util/hash.js';
import { iso, newDeployment, recorder, rs } from './deployment-fixtures.js';

const alreadyExists = (): ApiError => new ApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'already exists' }, 409);

describe('getNewReplicaSet', () => {
  it('creates <name>-<hash> with the hash label and selector, sized by NewRSNewReplicas', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const d = newDeployment(4, { maxSurge: 1, maxUnavailable: 1, progressDeadlineSeconds: 600 });
    const old = rs('foo-old', 4, 0, { revision: 2 });
    old.spec.template!.spec.containers[0]!.image = 'old';
    const created = await s.getNewReplicaSet(d, [old], [old], true);
    const hash = computeHash(d.spec.template);
    expect(created?.metadata.name).toBe(`foo-${hash}`);
    const sent = rec.creates[0]!;
    expect(sent.spec.replicas).toBe(1);
    expect(sent.spec.selector.matchLabels).toEqual({ foo: 'bar', 'pod-template-hash': hash });
    expect(sent.spec.template?.metadata?.labels).toEqual({ foo: 'bar', 'pod-template-hash': hash });
    expect(sent.metadata.labels).toEqual({ foo: 'bar', 'pod-template-hash': hash });
    expect(sent.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    expect(sent.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' });
    expect(rec.events).toEqual([`Normal ScalingReplicaSet Scaled up replica set foo-${hash} from 0 to 1`]);
    const st = rec.statuses.at(-1)!;
    expect(st.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(st.status?.conditions?.[0]).toMatchObject({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "foo-${hash}"` });
  });

  it('a name taken by another object bumps collisionCount; the next hash differs', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const d = newDeployment(1);
    const squatter: ReplicaSet = rs(`foo-${computeHash(d.spec.template)}`, 1, 0);
    squatter.spec.template!.spec.containers[0]!.image = 'other';
    rec.createRS = async () => { throw alreadyExists(); };
    rec.cachedRS = () => squatter;
    await expect(s.getNewReplicaSet(d, [], [], true)).rejects.toThrow('already exists');
    expect(d.status?.collisionCount).toBe(1);
    expect(rec.statuses.at(-1)?.status?.collisionCount).toBe(1);
    expect(computeHash(d.spec.template, 1)).not.toBe(computeHash(d.spec.template));
  });

  it('AlreadyExists for our own ReplicaSet with the same template is adopted as the new one, silently', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const d = newDeployment(1);
    const mine = rs(`foo-${computeHash(d.spec.template)}`, 0, 0);
    mine.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo', uid: 'd-uid', controller: true }];
    rec.createRS = async () => { throw alreadyExists(); };
    rec.cachedRS = () => mine;
    expect((await s.getNewReplicaSet(d, [], [], true))?.metadata.name).toBe(mine.metadata.name);
    expect(rec.events).toEqual([]);
    expect(d.status?.collisionCount).toBeUndefined();
  });

  it('an existing new ReplicaSet gets the next revision when rolled back to', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const d = newDeployment(1);
    const back = rs('foo-a', 0, 0, { revision: 1 });
    const other = rs('foo-b', 1, 10, { revision: 2 }); other.spec.template!.spec.containers[0]!.image = 'v2';
    const list = [back, other];
    const got = await s.getNewReplicaSet(d, list, [other], false);
    expect(got?.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(list[0]).toBe(got);
  });
});

describe('conditions', () => {
  it('pause and resume set Progressing Unknown, but never over a timed-out rollout', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const d = newDeployment(1, { progressDeadlineSeconds: 600 });
    d.spec.paused = true;
    await s.checkPausedConditions(d);
    expect(d.status?.conditions?.[0]).toMatchObject({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    d.spec.paused = false;
    await s.checkPausedConditions(d);
    expect(d.status?.conditions?.[0]).toMatchObject({ status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' });
    const failed = newDeployment(1, { progressDeadlineSeconds: 600 });
    failed.spec.paused = true;
    failed.status = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] };
    await s.checkPausedConditions(failed);
    expect(failed.status.conditions?.[0]?.reason).toBe('ProgressDeadlineExceeded');
  });

  it('syncRolloutStatus: progressing refreshes lastUpdateTime, complete says so, no progress past the deadline times out', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const rec = recorder(t0); const s = new DeploymentSync(rec);
    const d = newDeployment(2, { maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 10 });
    d.status = { replicas: 0, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', lastUpdateTime: iso(t0 - 5000), lastTransitionTime: iso(t0 - 5000) }] };
    const newRS = rs('foo-new', 2, 0, { statusReplicas: 1, available: 0 });
    await s.syncRolloutStatus([newRS], newRS, d);
    let p = d.status.conditions!.find((c) => c.type === 'Progressing')!;
    expect(p).toMatchObject({ reason: 'ReplicaSetUpdated', message: 'ReplicaSet "foo-new" is progressing.', lastUpdateTime: iso(t0), lastTransitionTime: iso(t0 - 5000) });
    expect(d.status.conditions!.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    // Nothing changes; before the deadline it asks to be looked at again, after it times out.
    expect(await s.syncRolloutStatus([newRS], newRS, d)).toBe(11_000);
    rec.nowMs = t0 + 11_000;
    await s.syncRolloutStatus([newRS], newRS, d);
    p = d.status.conditions!.find((c) => c.type === 'Progressing')!;
    expect(p).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "foo-new" has timed out progressing.' });
    // Pods come up after all: the rollout completes.
    const done = rs('foo-new', 2, 0, { statusReplicas: 2, available: 2 });
    await s.syncRolloutStatus([done], done, d);
    p = d.status.conditions!.find((c) => c.type === 'Progressing')!;
    expect(p).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "foo-new" has successfully progressed.' });
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 0, observedGeneration: 1 });
  });

  it('a ReplicaSet failure is promoted to the Deployment and cleared with it', async () => {
    const rec = recorder(); const s = new DeploymentSync(rec);
    const d = newDeployment(1, { progressDeadlineSeconds: 600 });
    const newRS = rs('foo-new', 1, 0);
    newRS.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: iso(0) }];
    await s.syncRolloutStatus([newRS], newRS, d);
    expect(d.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate', message: 'quota', lastUpdateTime: iso(0) });
    newRS.status!.conditions = [];
    await s.syncRolloutStatus([newRS], newRS, d);
    expect(d.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).toBeUndefined();
  });
});
