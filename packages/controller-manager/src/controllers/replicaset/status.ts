// ReplicaSet status from its active pods (replica_set_utils.go calculateStatus).
import { mapSelectorMatches } from '@kube-ts/client/labels';
import type { Pod } from '@kube-ts/client/types';
import type { ReplicaSetStatus, WorkloadCondition } from '@kube-ts/client/workloads';
import { getCondition, removeCondition } from '../../util/conditions.js';
import { isPodAvailable, isPodReady, metaNow } from '../../util/pods.js';
import type { ReplicaOwner } from './kinds.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * The new status; `manageError` with `diff` (<0: creating, >0: deleting) sets ReplicaFailure
 * (FailedCreate/FailedDelete) when none is set, and a clean sync clears it.
 */
export function calculateStatus(rs: ReplicaOwner, pods: Pod[], nowMs: number, manageError?: { message: string; diff: number }): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fully = 0; let ready = 0; let available = 0;
  for (const p of pods) {
    if (mapSelectorMatches(templateLabels, p.metadata.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
    }
  }
  let conditions: WorkloadCondition[] | undefined = rs.status?.conditions ? [...rs.status.conditions] : undefined;
  const failure = getCondition(conditions, REPLICA_FAILURE);
  if (manageError && !failure) {
    const reason = manageError.diff < 0 ? 'FailedCreate' : 'FailedDelete';
    conditions = [...(conditions ?? []), { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: metaNow(nowMs), reason, message: manageError.message }];
  } else if (!manageError && failure) {
    conditions = removeCondition(conditions, REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
  };
  if (conditions && conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Whether the stored status already says this (and was written for the current generation). */
export function statusUnchanged(rs: ReplicaOwner, s: ReplicaSetStatus): boolean {
  const c = rs.status;
  return !!c && (c.replicas ?? 0) === s.replicas && (c.fullyLabeledReplicas ?? 0) === (s.fullyLabeledReplicas ?? 0)
    && (c.readyReplicas ?? 0) === (s.readyReplicas ?? 0) && (c.availableReplicas ?? 0) === (s.availableReplicas ?? 0)
    && (rs.metadata.generation ?? 0) === (c.observedGeneration ?? 0)
    && JSON.stringify(c.conditions ?? []) === JSON.stringify(s.conditions ?? []);
}
