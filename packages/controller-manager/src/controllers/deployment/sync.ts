// The Deployment reconcile steps shared by every strategy (sync.go, progress.go): finding or
// creating the new ReplicaSet, scaling (proportionally when several ReplicaSets are active),
// history cleanup and status. Writes go through DeploymentOps so the arithmetic runs in unit
// tests against a recording fake, as upstream's tests use a fake clientset.
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from '@kube-ts/client/errors';
import type { Pod } from '@kube-ts/client/types';
import type { Deployment, DeploymentStatus, ReplicaSet } from '@kube-ts/client/workloads';
import { canonicalJson, computeHash } from '../../util/hash.js';
import { newControllerRef } from '../../util/pods.js';
import {
  AVAILABLE, PROGRESSING, REASON, REPLICA_FAILURE, fromReplicaSetCondition, getDeploymentCondition, newCondition,
  removeDeploymentCondition, setDeploymentCondition,
} from './conditions.js';
import {
  POD_TEMPLATE_HASH, REVISION, byRevision, bySizeNewer, bySizeOlder, deploymentComplete, deploymentProgressing,
  desiredReplicasAnnotation, filterActive, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, hasProgressDeadline,
  hasRevisionHistoryLimit, isRollingUpdate, isSaturated, maxRevision, maxSurge, maxUnavailable, newRSNewReplicas, proportion,
  replicasAnnotationsNeedUpdate, replicasOf, setNewReplicaSetAnnotations, setReplicasAnnotations, sumActual, sumAvailable,
  sumReady, sumReplicas,
} from './util.js';

export interface DeploymentOps {
  now(): number;
  createRS(rs: ReplicaSet): Promise<ReplicaSet>;
  updateRS(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteRS(rs: ReplicaSet): Promise<void>;
  /** The informer's copy of a ReplicaSet (after AlreadyExists). */
  cachedRS(namespace: string, name: string): ReplicaSet | undefined;
  updateStatus(d: Deployment): Promise<Deployment>;
  event(d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Pods of a Deployment by the UID of the ReplicaSet owning them (getPodMapForDeployment). */
export type PodMap = Map<string, Pod[]>;

/** Status compare that ignores how zeros and empty lists are spelled (omitempty on the wire). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined): string => canonicalJson(Object.fromEntries(Object.entries(s ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== 0 && !(Array.isArray(v) && v.length === 0))));
  return norm(a) === norm(b);
}

export class DeploymentSync {
  constructor(readonly ops: DeploymentOps) {}

  // ---- the new ReplicaSet ----

  /** getAllReplicaSetsAndSyncRevision. */
  async allReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const { allOld } = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, allOld, create);
    return { newRS, oldRSs: allOld };
  }

  private async writeStatus(d: Deployment): Promise<void> {
    const out = await this.ops.updateStatus(d);
    d.metadata.resourceVersion = out.metadata.resourceVersion;
  }

  /** getNewReplicaSet: syncs the existing new ReplicaSet's annotations, or creates one when `create`. */
  async getNewReplicaSet(d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const ns = d.metadata.namespace ?? '';
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyUpdate = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyUpdate) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        const updated = await this.ops.updateRS(copy);
        // Later steps of this sync use rsList: let them see the write, not the stale copy.
        const i = rsList.indexOf(existing);
        if (i >= 0) rsList[i] = updated;
        return updated;
      }
      let needsUpdate = this.setDeploymentRevision(d, copy.metadata.annotations?.[REVISION] ?? '');
      if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, PROGRESSING)) {
        setDeploymentCondition(this.status(d), newCondition(PROGRESSING, 'True', REASON.FoundNewRS, `Found new replica set "${copy.metadata.name}"`, this.ops.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(d);
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    const labels = { ...(d.spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    template.metadata = { ...(template.metadata ?? {}), labels };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, labels: { ...labels }, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')] },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec.replicas = count;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.ops.createRS(rs);
    } catch (err) {
      if (isAlreadyExists(err)) {
        alreadyExists = true;
        const cur = this.ops.cachedRS(ns, rs.metadata.name!);
        if (!cur) throw err;
        const ref = cur.metadata.ownerReferences?.find((r) => r.controller);
        if (!(ref && ref.uid === d.metadata.uid && equalTemplates(d, cur))) {
          // Another object holds this name: a hash collision. Bump collisionCount so the next
          // sync hashes to a different name.
          const st = this.status(d);
          st.collisionCount = (st.collisionCount ?? 0) + 1;
          await this.writeStatus(d).catch(() => undefined);
          throw err;
        }
        created = cur;
      } else {
        if (isNamespaceTerminating(err)) throw err;
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          setDeploymentCondition(this.status(d), newCondition(PROGRESSING, 'False', REASON.FailedRSCreate, msg, this.ops.now()));
          await this.writeStatus(d).catch(() => undefined);
        }
        this.ops.event(d, 'Warning', REASON.FailedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExists && count > 0) this.ops.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${count}`);
    let needsUpdate = this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      setDeploymentCondition(this.status(d), newCondition(PROGRESSING, 'True', REASON.NewReplicaSet, `Created new replica set "${created.metadata.name}"`, this.ops.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(d);
    return created;
  }

  private status(d: Deployment): DeploymentStatus { return (d.status ??= {}); }

  private setDeploymentRevision(d: Deployment, revision: string): boolean {
    const a = (d.metadata.annotations ??= {});
    if (a[REVISION] === revision) return false;
    a[REVISION] = revision;
    return true;
  }

  // ---- scaling ----

  /** scaleReplicaSet: sets size and desired/max-replicas; true when the size changed. */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = replicasOf(d); const max = desired + maxSurge(d);
    const oldScale = rs.spec.replicas ?? 0;
    const sizeChange = oldScale !== newScale;
    if (!sizeChange && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const out = await this.ops.updateRS(copy);
    if (sizeChange) {
      this.ops.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${oldScale < newScale ? 'up' : 'down'} replica set ${out.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeChange, rs: out };
  }

  /** scaleReplicaSetAndRecordEvent. */
  async scaleAndRecord(rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if ((rs.spec.replicas ?? 0) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, d);
  }

  /**
   * scale: a resize of the Deployment. One active (or no active) ReplicaSet takes the whole size;
   * a saturated new ReplicaSet retires the old ones; otherwise a rolling Deployment spreads the
   * change over its active ReplicaSets in proportion to their size (leftover to the first).
   */
  async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const target = findActiveOrLatest(newRS, oldRSs);
    if (target) {
      if ((target.spec.replicas ?? 0) === replicasOf(d)) return;
      await this.scaleAndRecord(target, replicasOf(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleAndRecord(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = filterActive([...oldRSs, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - sumReplicas(all);
    if (toAdd > 0) all.sort(bySizeNewer);
    else if (toAdd < 0) all.sort(bySizeOlder);
    let added = 0;
    const sizes = new Map<ReplicaSet, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = proportion(rs, d, toAdd, added);
        sizes.set(rs, (rs.spec.replicas ?? 0) + p);
        added += p;
      } else sizes.set(rs, rs.spec.replicas ?? 0);
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i]!;
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs)!, d);
    }
  }

  /** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
  async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicasOf(d)) return true;
    }
    return false;
  }

  /** cleanupDeployment: deletes the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  async cleanup(oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
    if (!hasRevisionHistoryLimit(d)) return 0;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - (d.spec.revisionHistoryLimit ?? 0);
    if (diff <= 0) return 0;
    cleanable.sort(byRevision);
    let deleted = 0;
    for (const rs of cleanable.slice(0, diff)) {
      // Only empty, settled ReplicaSets go: one still scaling down keeps its pods' history.
      if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec.replicas ?? 0) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
      try {
        await this.ops.deleteRS(rs);
        deleted++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return deleted;
  }

  // ---- status ----

  /** calculateStatus: counts from the ReplicaSets and the Available condition. */
  calculateStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
    const available = sumAvailable(allRSs);
    const total = sumActual(allRSs);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: total,
      updatedReplicas: sumActual([newRS]),
      readyReplicas: sumReady(allRSs),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    status.conditions = [...(d.status?.conditions ?? [])];
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setDeploymentCondition(status, newCondition(AVAILABLE, 'True', REASON.MinimumReplicasAvailable, 'Deployment has minimum availability.', this.ops.now()));
    } else {
      setDeploymentCondition(status, newCondition(AVAILABLE, 'False', REASON.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', this.ops.now()));
    }
    return status;
  }

  async syncDeploymentStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const s = this.calculateStatus(allRSs, newRS, d);
    if (sameStatus(d.status, s)) return;
    d.status = s;
    await this.writeStatus(d);
  }

  /** sync: scaling and status only (paused Deployments and resizes). */
  async sync(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused) await this.cleanup(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed. */
  async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getDeploymentCondition(d.status, PROGRESSING);
    if (cond?.reason === REASON.TimedOut) return;
    const pausedCond = cond?.reason === REASON.Paused;
    if (d.spec.paused && !pausedCond) {
      setDeploymentCondition(this.status(d), newCondition(PROGRESSING, 'Unknown', REASON.Paused, 'Deployment is paused', this.ops.now()));
    } else if (!d.spec.paused && pausedCond) {
      setDeploymentCondition(this.status(d), newCondition(PROGRESSING, 'Unknown', REASON.Resumed, 'Deployment is resumed', this.ops.now()));
    } else return;
    await this.writeStatus(d);
  }

  /** syncStatusOnly: a Deployment being deleted only reports status. */
  async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /**
   * syncRolloutStatus: status plus the Progressing condition (complete, progressing or timed out)
   * and ReplicaSet failures. Returns when to look again for a deadline still running.
   */
  async syncRolloutStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<number | undefined> {
    const s = this.calculateStatus(allRSs, newRS, d);
    if (!hasProgressDeadline(d)) removeDeploymentCondition(s, PROGRESSING);
    const cur = getDeploymentCondition(d.status, PROGRESSING);
    const complete = s.replicas === s.updatedReplicas && cur?.reason === REASON.NewRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const now = this.ops.now();
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, s)) {
        setDeploymentCondition(s, newCondition(PROGRESSING, 'True', REASON.NewRSAvailable, `${subject} has successfully progressed.`, now));
      } else if (deploymentProgressing(d, s)) {
        const c = newCondition(PROGRESSING, 'True', REASON.ReplicaSetUpdated, `${subject} is progressing.`, now);
        // Refresh lastUpdateTime even when the reason is unchanged (the deadline counts from it).
        if (cur) {
          if (cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
          removeDeploymentCondition(s, PROGRESSING);
        }
        setDeploymentCondition(s, c);
      } else if (this.timedOut(d, s)) {
        setDeploymentCondition(s, newCondition(PROGRESSING, 'False', REASON.TimedOut, `${subject} has timed out progressing.`, now));
      }
    }
    const failures = replicaFailures(allRSs, newRS);
    if (failures.length > 0) setDeploymentCondition(s, failures[0]!);
    else removeDeploymentCondition(s, REPLICA_FAILURE);
    if (sameStatus(d.status, s)) return this.requeueStuck(d, s);
    d.status = s;
    await this.writeStatus(d);
    return undefined;
  }

  /** DeploymentTimedOut: no progress since the Progressing condition's lastUpdateTime + deadline. */
  timedOut(d: Deployment, s: DeploymentStatus): boolean {
    if (!hasProgressDeadline(d)) return false;
    const c = getDeploymentCondition(s, PROGRESSING);
    if (!c) return false;
    if (c.reason === REASON.NewRSAvailable) return false;
    if (c.reason === REASON.TimedOut) return true;
    const from = Date.parse(c.lastUpdateTime ?? '');
    return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < this.ops.now();
  }

  /** requeueStuckDeployment: ms until the deadline check is due (plus a second), or undefined. */
  requeueStuck(d: Deployment, s: DeploymentStatus): number | undefined {
    const c = getDeploymentCondition(d.status, PROGRESSING);
    if (!hasProgressDeadline(d) || !c) return undefined;
    if (deploymentComplete(d, s) || c.reason === REASON.TimedOut) return undefined;
    const after = Date.parse(c.lastUpdateTime ?? '') + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - this.ops.now();
    return Math.max(0, after) + 1000;
  }
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions first, else any ReplicaSet's. */
function replicaFailures(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): ReturnType<typeof fromReplicaSetCondition>[] {
  const of = (rs: ReplicaSet | undefined): ReturnType<typeof fromReplicaSetCondition>[] =>
    (rs?.status?.conditions ?? []).filter((c) => c.type === REPLICA_FAILURE).map(fromReplicaSetCondition);
  const fromNew = of(newRS);
  if (fromNew.length > 0) return fromNew;
  return allRSs.flatMap(of);
}

function equalTemplates(d: Deployment, rs: ReplicaSet): boolean {
  return findNewReplicaSet(d, [rs]) !== undefined;
}

