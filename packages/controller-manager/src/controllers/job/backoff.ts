// Pod-failure backoff (backoff_utils.go): the controller remembers, per Job, how many pods failed
// since the last success and when the last one failed; replacements wait base * 2^(n-1), capped.
import type { Pod } from '@kube-ts/client/types';
import { podCondition } from '../../util/pods.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** Upstream's MaxJobPodFailureBackOff (10 minutes; the docs' "six minutes" predates backoff_utils.go). */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord { key: string; failuresAfterLastSuccess: number; lastFailureTime?: number }

interface ContainerStatusLike { name?: string; state?: { terminated?: { finishedAt?: string } } }

function latestFinish(statuses: ContainerStatusLike[] | undefined): number | undefined {
  let t: number | undefined;
  for (const cs of statuses ?? []) {
    const f = cs.state?.terminated?.finishedAt;
    if (!f) return undefined;
    const ms = Date.parse(f);
    if (t === undefined || ms > t) t = ms;
  }
  return t;
}

/**
 * When a pod finished: the last container to terminate (all must have), else the Ready=False
 * transition, else deletionTimestamp - grace period, else creation.
 */
export function finishedTime(p: Pod): number {
  const fromContainers = latestFinish(p.status?.containerStatuses as ContainerStatusLike[] | undefined);
  if (fromContainers !== undefined) return fromContainers;
  const ready = podCondition(p, 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (p.metadata.deletionTimestamp) return Date.parse(p.metadata.deletionTimestamp) - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

export class BackoffStore {
  private readonly m = new Map<string, BackoffRecord>();

  get(key: string): BackoffRecord | undefined { return this.m.get(key); }
  update(r: BackoffRecord): void { this.m.set(r.key, { ...r }); }
  remove(key: string): void { this.m.delete(key); }

  /** The record after this sync's newly finished pods: a success resets the count to the failures after it. */
  newRecord(key: string, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
    const old = this.m.get(key);
    const r: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
    const succ = newSucceeded.map(finishedTime).sort((a, b) => a - b);
    const fail = newFailed.map(finishedTime).sort((a, b) => a - b);
    if (succ.length === 0) {
      if (fail.length === 0) return r;
      r.failuresAfterLastSuccess += fail.length;
      r.lastFailureTime = fail[fail.length - 1];
      return r;
    }
    r.failuresAfterLastSuccess = 0;
    r.lastFailureTime = undefined;
    const lastSuccess = succ[succ.length - 1]!;
    for (let i = fail.length - 1; i >= 0; i--) {
      if (!(fail[i]! > lastSuccess)) break;
      r.lastFailureTime ??= fail[i];
      r.failuresAfterLastSuccess++;
    }
    return r;
  }
}

/** How long pod creation must still wait after `failures` consecutive failures, the last at `lastFailureMs`. */
export function remainingBackoffMs(nowMs: number, baseMs: number, maxMs: number, failures: number, lastFailureMs: number | undefined): number {
  if (failures === 0 || lastFailureMs === undefined) return 0;
  let d = baseMs;
  for (let i = 1; i < failures; i++) {
    d *= 2;
    if (d >= maxMs) { d = maxMs; break; }
  }
  const elapsed = nowMs - lastFailureMs;
  return d < elapsed ? 0 : d - elapsed;
}
