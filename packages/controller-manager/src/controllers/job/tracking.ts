// Finished-pod accounting with the batch.kubernetes.io/job-tracking finalizer (tracking_utils.go):
// a finished pod's UID goes into status.uncountedTerminatedPods, its finalizer is removed, and
// only then is it moved into the succeeded/failed counters; the controller remembers which
// removals it is still waiting to observe so it never counts a pod twice.
import type { JobStatus } from '@kube-ts/client/workloads';

export class UIDTrackingExpectations {
  private readonly m = new Map<string, Set<string>>();

  expectFinalizersRemoved(jobKey: string, uids: string[]): void {
    const s = this.m.get(jobKey) ?? new Set<string>();
    for (const u of uids) s.add(u);
    this.m.set(jobKey, s);
  }

  finalizerRemovalObserved(jobKey: string, uid: string | undefined): void {
    const s = this.m.get(jobKey);
    if (s && uid !== undefined) s.delete(uid);
  }

  expectedUIDs(jobKey: string): Set<string> { return new Set(this.m.get(jobKey) ?? []); }

  delete(jobKey: string): void { this.m.delete(jobKey); }
}

/**
 * Moves the UIDs whose pods no longer carry the finalizer out of uncountedTerminatedPods into
 * the counters; returns whether the status changed.
 */
export function cleanUncountedPodsWithoutFinalizers(status: JobStatus, uidsWithFinalizer: Set<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let updated = false;
  const keepS = (u.succeeded ?? []).filter((x) => uidsWithFinalizer.has(x));
  if (keepS.length !== (u.succeeded ?? []).length) {
    updated = true;
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - keepS.length;
    u.succeeded = keepS;
  }
  const keepF = (u.failed ?? []).filter((x) => uidsWithFinalizer.has(x));
  if (keepF.length !== (u.failed ?? []).length) {
    updated = true;
    status.failed = (status.failed ?? 0) + (u.failed ?? []).length - keepF.length;
    u.failed = keepF;
  }
  return updated;
}

/** The status as Go serializes it: zero counters and empty lists omitted, pointers (ready, terminating) kept. */
export function wireStatus(s: JobStatus): JobStatus {
  const out: JobStatus = { ...s };
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!out[k]) delete out[k];
  if (!out.completedIndexes) delete out.completedIndexes;
  const u = out.uncountedTerminatedPods ?? {};
  out.uncountedTerminatedPods = {
    ...((u.succeeded ?? []).length ? { succeeded: [...u.succeeded!] } : {}),
    ...((u.failed ?? []).length ? { failed: [...u.failed!] } : {}),
  };
  if (out.conditions && out.conditions.length === 0) delete out.conditions;
  return out;
}
