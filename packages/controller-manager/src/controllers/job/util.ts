// Job facts shared by the job, cronjob and ttl-after-finished controllers (pkg/controller/job/util
// and the job controller's helpers): finished-ness, conditions, failed pods, tracking finalizer.
import type { Pod } from '@kube-ts/client/types';
import type { Job, WorkloadCondition } from '@kube-ts/client/workloads';
import { metaNow } from '../../util/pods.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

/** The Complete or Failed condition (status True) that finished the Job, if any. */
export function finishedJobCondition(j: Job): WorkloadCondition | undefined {
  return (j.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export const isJobFinished = (j: Job): boolean => finishedJobCondition(j) !== undefined;

export function findCondition(j: Job, type: string): WorkloadCondition | undefined {
  return (j.status?.conditions ?? []).find((c) => c.type === type);
}

export function newCondition(type: string, status: WorkloadCondition['status'], reason: string, message: string, nowMs: number): WorkloadCondition {
  const t = metaNow(nowMs);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/**
 * ensureJobConditionStatus: updates a condition whose status/reason/message differ, appends a new
 * one unless it would be False (nothing to False means nothing); returns whether anything changed.
 */
export function ensureCondition(conds: WorkloadCondition[], type: string, status: WorkloadCondition['status'], reason: string, message: string, nowMs: number): { conds: WorkloadCondition[]; changed: boolean } {
  const i = conds.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conds[i]!;
    if (c.status !== status || (c.reason ?? '') !== reason || (c.message ?? '') !== message) {
      const out = [...conds];
      out[i] = newCondition(type, status, reason, message, nowMs);
      return { conds: out, changed: true };
    }
    return { conds, changed: false };
  }
  if (status !== 'False') return { conds: [...conds, newCondition(type, status, reason, message, nowMs)], changed: true };
  return { conds, changed: false };
}

export const hasTrackingFinalizer = (p: Pod): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** Pods are replaced only once Failed (not while terminating) with podReplacementPolicy Failed or a podFailurePolicy. */
export function onlyReplaceFailedPods(j: Job): boolean {
  return j.spec.podReplacementPolicy === 'Failed' || !!j.spec.podFailurePolicy;
}

/** Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(p: Pod, j: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(j)) return false;
  return !!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

export const isIndexedJob = (j: Job): boolean => j.spec.completionMode === 'Indexed';

/** spec.managedBy naming another controller: this one keeps its hands off. */
export function managedByExternalController(j: Job): string | undefined {
  const m = (j.spec as { managedBy?: string }).managedBy;
  return m && m !== JOB_CONTROLLER_NAME ? m : undefined;
}

/** The finalizer-removal patch (strategic merge), or undefined when the pod has none. */
export function removeTrackingFinalizerPatch(p: Pod): object | undefined {
  if (!hasTrackingFinalizer(p)) return undefined;
  return { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };
}
