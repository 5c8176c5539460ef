// When a finished Job expires (ttlafterfinished_controller.go timeLeft): ttlSecondsAfterFinished
// after the lastTransitionTime of its Complete or Failed condition.
import type { Job } from '@kube-ts/client/workloads';
import { finishedJobCondition } from '../job/util.js';

/** A Job with a TTL that has finished (and is not already being deleted) needs cleanup. */
export function needsCleanup(j: Job): boolean {
  const ttl = j.spec.ttlSecondsAfterFinished;
  return ttl !== undefined && ttl !== null && finishedJobCondition(j) !== undefined;
}

export interface TimeLeft {
  /** Milliseconds until expiry (<= 0: expired). */
  leftMs: number;
  expireAtMs: number;
  /** The finish time is ahead of the clock (skew): cleanup is deferred, as upstream warns. */
  finishedInFuture: boolean;
}

/** Throws when the finished condition has no transition time, as upstream errors. */
export function timeLeft(j: Job, nowMs: number): TimeLeft {
  const c = finishedJobCondition(j);
  const at = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  if (!c || Number.isNaN(at)) throw new Error(`unable to find the time when the Job ${j.metadata.namespace}/${j.metadata.name} finished`);
  const expireAtMs = at + (j.spec.ttlSecondsAfterFinished ?? 0) * 1000;
  return { leftMs: expireAtMs - nowMs, expireAtMs, finishedInFuture: at > nowMs };
}
