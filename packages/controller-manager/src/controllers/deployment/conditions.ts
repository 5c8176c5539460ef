// Deployment conditions (deployment_util.go): reasons and messages as upstream, and
// SetDeploymentCondition's rule that a condition with the same status and reason is left alone
// (its lastUpdateTime included).
import type { DeploymentStatus, WorkloadCondition } from '@kube-ts/client/workloads';
import { metaNow } from '../../util/pods.js';

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';

export const REASON = {
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function newCondition(type: string, status: WorkloadCondition['status'], reason: string, message: string, nowMs: number): WorkloadCondition {
  const t = metaNow(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getDeploymentCondition(s: DeploymentStatus | undefined, type: string): WorkloadCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition (mutates s). */
export function setDeploymentCondition(s: DeploymentStatus, c: WorkloadCondition): void {
  const cur = getDeploymentCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeDeploymentCondition(s: DeploymentStatus, type: string): void {
  s.conditions = (s.conditions ?? []).filter((x) => x.type !== type);
}

/** ReplicaSetToDeploymentCondition: a ReplicaSet's failure promoted to its Deployment. */
export function fromReplicaSetCondition(c: WorkloadCondition): WorkloadCondition {
  return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}
