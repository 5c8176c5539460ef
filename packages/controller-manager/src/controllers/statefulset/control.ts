// The StatefulSet update algorithm (stateful_set_control.go updateStatefulSet): pods are split
// into replicas (ordinals in [start, start+replicas)) and condemned ones; missing replicas are
// created, failed ones recreated, condemned ones deleted highest ordinal first, then pods not at
// the update revision are deleted highest ordinal first down to the partition, one at a time.
// OrderedReady ("monotonic") stops at the first pod that is not Running and Ready; Parallel acts
// on all of them at once. It returns the status the pods now imply.
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '@kube-ts/client/workloads';
import { revisionTemplate } from '../history/revisions.js';
import {
  allowsBurst, endOrdinal, getOrdinal, getPodRevision, identityMatches, isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable,
  isRunningAndReady, isSucceeded, isTerminating, newVersionedPod, podInOrdinalRange, replicasOf, startOrdinal, storageMatches,
} from './identity.js';
import type { StatefulPodOps } from './podcontrol.js';

export interface UpdateInput {
  set: StatefulSet;
  currentRevision: ControllerRevision;
  updateRevision: ControllerRevision;
  collisionCount: number;
  pods: Pod[];
  ops: StatefulPodOps;
  now: number;
  ref: OwnerReference;
}

/** ApplyRevision for a template-only revision: the set with the revision's template. */
export function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  const t = revisionTemplate(rev);
  return t ? { ...set, spec: { ...set.spec, template: structuredClone(t) } } : set;
}

/** computeReplicaStatus over every list, into `status`. */
export function fillStatus(status: StatefulSetStatus, minReadySeconds: number, now: number, current: string, update: string, ...lists: Pod[][]): void {
  status.replicas = 0; status.readyReplicas = 0; status.availableReplicas = 0; status.currentReplicas = 0; status.updatedReplicas = 0;
  for (const list of lists) {
    for (const p of list) {
      if (isCreated(p)) status.replicas++;
      if (isRunningAndReady(p)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(p, minReadySeconds, now)) status.availableReplicas++;
      }
      if (isCreated(p) && !isTerminating(p)) {
        const rev = getPodRevision(p);
        if (rev === current) status.currentReplicas++;
        if (rev === update) status.updatedReplicas++;
      }
    }
  }
}

/** completeRollingUpdate: once every pod is updated and ready, the update revision is current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  if (set.spec.updateStrategy?.type !== 'OnDelete' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus: does the stored status differ from the computed one? */
export function inconsistentStatus(set: StatefulSet, s: StatefulSetStatus): boolean {
  const o = set.status;
  return (s.observedGeneration ?? 0) > (o?.observedGeneration ?? 0) || s.replicas !== (o?.replicas ?? 0) ||
    (s.currentReplicas ?? 0) !== (o?.currentReplicas ?? 0) || (s.readyReplicas ?? 0) !== (o?.readyReplicas ?? 0) ||
    (s.updatedReplicas ?? 0) !== (o?.updatedReplicas ?? 0) || (s.currentRevision ?? '') !== (o?.currentRevision ?? '') ||
    (s.availableReplicas ?? 0) !== (o?.availableReplicas ?? 0) || (s.updateRevision ?? '') !== (o?.updateRevision ?? '') ||
    (s.collisionCount ?? 0) !== (o?.collisionCount ?? 0);
}

/**
 * runForAll: in order, stopping at the first that asks to stop (monotonic); otherwise all of
 * them in slow-start batches (1, 2, 4, ...), stopping at the first batch with an error.
 */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  for (let batch = Math.min(1, n); batch > 0; batch = Math.min(2 * batch, n - next)) {
    const idx = Array.from({ length: batch }, (_, k) => next + k);
    next += batch;
    const results = await Promise.allSettled(idx.map((i) => fn(i)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return false;
}

const byOrdinalDesc = (a: Pod, b: Pod): number => getOrdinal(b) - getOrdinal(a);

/** Runs one round of the algorithm; throws after recording what it did in `status` (see run). */
export async function updateStatefulSet(inp: UpdateInput): Promise<StatefulSetStatus> {
  const { set, currentRevision, updateRevision, ops, now, ref } = inp;
  const minReady = set.spec.minReadySeconds ?? 0;
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);
  const cur = currentRevision.metadata.name!; const upd = updateRevision.metadata.name!;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation, replicas: 0, currentRevision: cur, updateRevision: upd, collisionCount: inp.collisionCount,
  };
  fillStatus(status, minReady, now, cur, upd, inp.pods);

  const start = startOrdinal(set);
  const replicas: Pod[] = new Array<Pod>(replicasOf(set));
  const condemned: Pod[] = [];
  for (const p of inp.pods) {
    if (podInOrdinalRange(p, set)) replicas[getOrdinal(p) - start] = p;
    else if (getOrdinal(p) >= 0) condemned.push(p);
  }
  for (let ord = start; ord <= endOrdinal(set); ord++) {
    if (!replicas[ord - start]) replicas[ord - start] = newVersionedPod(currentSet, updateSet, cur, upd, ord, ref);
  }
  condemned.sort(byOrdinalDesc);

  let firstUnhealthy: Pod | undefined = replicas.find((p) => !isHealthy(p));
  for (let i = condemned.length - 1; i >= 0 && !firstUnhealthy; i--) if (!isHealthy(condemned[i]!)) firstUnhealthy = condemned[i];

  if (set.metadata.deletionTimestamp) return status;
  const monotonic = !allowsBurst(set);
  const finish = (): StatefulSetStatus => { fillStatus(status, minReady, now, cur, upd, replicas, condemned); return status; };
  const guarded = async (step: () => Promise<boolean>): Promise<boolean> => {
    try { return await step(); } catch (e) { finish(); throw new StatusError(status, e); }
  };

  const processReplica = async (i: number): Promise<boolean> => {
    let pod = replicas[i]!;
    if (isFailed(pod) || isSucceeded(pod)) {
      if (isFailed(pod)) ops.event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
      else ops.event(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating terminated Pod ${pod.metadata.name}`);
      await ops.deleteStatefulPod(set, pod);
      pod = replicas[i] = newVersionedPod(currentSet, updateSet, cur, upd, i + start, ref);
    }
    if (!isCreated(pod)) {
      if (ops.podClaimIsStale(set, pod)) return true;
      await ops.createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    if (isPending(pod)) await ops.createMissingClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, minReady, now) && monotonic) return true;
    if (!isCreated(pod)) return false;
    if (identityMatches(set, pod) && storageMatches(set, pod) && ops.claimsMatchRetentionPolicy(updateSet, pod)) return false;
    await ops.updateStatefulPod(updateSet, pod);
    return false;
  };
  if (await guarded(() => runForAll(replicas.length, processReplica, monotonic))) return finish();

  const fixClaims = async (i: number): Promise<boolean> => {
    if (!ops.claimsMatchRetentionPolicy(updateSet, condemned[i]!)) await ops.updateClaimsForRetentionPolicy(updateSet, condemned[i]!);
    return false;
  };
  if (await guarded(() => runForAll(condemned.length, fixClaims, monotonic))) return finish();

  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i]!;
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
    await ops.deleteStatefulPod(set, pod);
    return true;
  };
  if (await guarded(() => runForAll(condemned.length, processCondemned, monotonic))) return finish();

  finish();
  if (set.spec.updateStrategy?.type === 'OnDelete') return status;

  // Rolling update: delete the highest-ordinal pod not at the update revision, down to the partition.
  const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target]!;
    if (getPodRevision(pod) !== upd && !isTerminating(pod)) {
      try {
        await ops.deleteStatefulPod(set, pod);
      } catch (e) {
        throw new StatusError(status, e);
      }
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return status;
    }
    if (!isHealthy(pod)) return status;
  }
  return status;
}

/** An error after which the status computed so far should still be written. */
export class StatusError extends Error {
  constructor(readonly status: StatefulSetStatus, readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}
