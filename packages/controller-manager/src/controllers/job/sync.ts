// One reconcile of a Job (job_controller.go syncJob, manageJob, trackJobStatusAndRemoveFinalizers):
// count finished pods through the tracking finalizer, decide whether the Job has failed
// (backoffLimit, activeDeadlineSeconds, podFailurePolicy) or succeeded (completions,
// successPolicy), create or delete pods towards parallelism (after the failure backoff), and
// write status, with the interim FailureTarget/SuccessCriteriaMet conditions first and the
// terminal Failed/Complete only once no pod is left terminating.
import type { Clock } from '@kube-ts/client/clock';
import { isNamespaceTerminating, isNotFound } from '@kube-ts/client/errors';
import type { EventRecorder } from '@kube-ts/client/events';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { Pod } from '@kube-ts/client/types';
import type { Job, WorkloadCondition } from '@kube-ts/client/workloads';
import { claimObjects } from '../../util/controllerref.js';
import type { ControllerExpectations } from '../../util/expectations.js';
import type { PodControl } from '../../util/podcontrol.js';
import { compareForDeletion, isPodActive, isPodReady, isPodTerminating, metaNow, newControllerRef } from '../../util/pods.js';
import { remainingBackoffMs, type BackoffRecord, type BackoffStore } from './backoff.js';
import { matchPodFailurePolicy } from './failurepolicy.js';
import {
  COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV, completionIndex, duplicatedIndexPodsForRemoval, firstPendingIndexes,
  formatIntervals, hasIndex, parseIntervals, podGenerateNameWithIndex, total, UNKNOWN_INDEX, withOrderedIndexes, type Intervals,
} from './indexes.js';
import { matchSuccessPolicy } from './successpolicy.js';
import { cleanUncountedPodsWithoutFinalizers, wireStatus, type UIDTrackingExpectations } from './tracking.js';
import {
  ensureCondition, findCondition, hasTrackingFinalizer, isIndexedJob, isJobFinished, isPodFailed, JOB_TRACKING_FINALIZER,
  managedByExternalController, newCondition, onlyReplaceFailedPods, removeTrackingFinalizerPatch,
} from './util.js';

/** Upper bounds per sync (MaxUncountedPods, MaxPodCreateDeletePerSync). */
export const MAX_UNCOUNTED_PODS = 500;
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface JobSyncDeps {
  clock: Clock;
  recorder: EventRecorder;
  jobs: ResourceClient<Job>;
  pods: ResourceClient<Pod>;
  podControl: PodControl;
  expectations: ControllerExpectations;
  finalizerExpectations: UIDTrackingExpectations;
  backoff: BackoffStore;
  podFailureBackoffMs: number;
  maxPodFailureBackoffMs: number;
  syncBatchPeriodMs: number;
  /** Re-syncs the key after a delay (activeDeadlineSeconds, pod-failure backoff). */
  enqueueAfter(key: string, ms: number): void;
  /** The Job from the informer cache. */
  cachedJob(key: string): Job | undefined;
  /** All pods of a namespace from the informer cache. */
  podsInNamespace(ns: string): Pod[];
}

interface Ctx {
  key: string;
  job: Job;
  pods: Pod[];
  activePods: Pod[];
  finished?: WorkloadCondition;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
  newBackoff: BackoffRecord;
  expectedRm: Set<string>;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  terminating: number;
  ready: number;
}

const evObj = (j: Job): Job => ({ ...j, kind: 'Job', apiVersion: 'batch/v1' });
const uidOf = (p: Pod): string => p.metadata.uid ?? '';
const isSuccessCriteriaMet = (c: WorkloadCondition | undefined): boolean => c?.type === 'SuccessCriteriaMet' && c.status === 'True';

interface ContainerStatusLike { restartCount?: number }

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const list of [p.status?.initContainerStatuses, p.status?.containerStatuses] as Array<ContainerStatusLike[] | undefined>) {
      for (const cs of list ?? []) restarts += cs.restartCount ?? 0;
    }
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

export class JobSyncer {
  constructor(private readonly d: JobSyncDeps) {}

  private now(): number { return this.d.clock.now(); }

  async syncJob(key: string): Promise<void> {
    const d = this.d;
    const shared = d.cachedJob(key);
    if (!shared) {
      d.expectations.delete(key);
      d.finalizerExpectations.delete(key);
      d.backoff.remove(key);
      return;
    }
    if (managedByExternalController(shared)) return;
    if (isJobFinished(shared)) { d.backoff.remove(key); return; }
    const mode = shared.spec.completionMode;
    if (mode !== undefined && mode !== null && mode !== 'NonIndexed' && mode !== 'Indexed') {
      d.recorder.event(evObj(shared), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const job = structuredClone(shared);
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};

    // Expectations first: a pod created after this check only defers the sync to its own event.
    const satisfied = d.expectations.satisfied(key);
    const pods = await this.podsForJob(job);
    const activePods = pods.filter(isPodActive);
    const ctx: Ctx = {
      key, job, pods, activePods,
      succeeded: 0, failed: 0, prevSucceededIndexes: [], succeededIndexes: [],
      newBackoff: { key, failuresAfterLastSuccess: 0 },
      expectedRm: d.finalizerExpectations.expectedUIDs(key),
      uncountedSucceeded: new Set(status.uncountedTerminatedPods.succeeded ?? []),
      uncountedFailed: new Set(status.uncountedTerminatedPods.failed ?? []),
      terminating: pods.filter(isPodTerminating).length,
      ready: activePods.filter(isPodReady).length,
    };
    let active = activePods.length;
    const { newSucceeded, newFailed } = this.newFinishedPods(ctx);
    ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
    ctx.failed = (status.failed ?? 0) + this.nonIgnoredFailedCount(job, newFailed) + ctx.uncountedFailed.size;
    const suspended = job.spec.suspend === true;
    const now = this.now();
    if (!status.startTime && !suspended) status.startTime = metaNow(now);
    ctx.newBackoff = d.backoff.newRecord(key, newSucceeded, newFailed);

    const exceedsBackoffLimit = ctx.failed > (job.spec.backoffLimit ?? 6);
    const met = findCondition(job, 'SuccessCriteriaMet');
    ctx.finished = met?.status === 'True' ? met : undefined;
    // Once success criteria are met, pod failures no longer matter.
    if (!ctx.finished) {
      const target = findCondition(job, 'FailureTarget');
      if (target?.status === 'True') ctx.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
      else {
        const msg = this.failJobMessage(job, pods);
        if (msg !== undefined) ctx.finished = newCondition('FailureTarget', 'True', 'PodFailurePolicy', msg, now);
      }
    }
    if (!ctx.finished) {
      if (exceedsBackoffLimit || pastBackoffLimitOnFailure(job, pods)) {
        ctx.finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.pastActiveDeadline(job)) {
        ctx.finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (job.spec.activeDeadlineSeconds !== undefined && job.spec.activeDeadlineSeconds !== null && !suspended) {
        d.enqueueAfter(key, job.spec.activeDeadlineSeconds * 1000 - (now - Date.parse(status.startTime!)));
      }
    }
    if (isIndexedJob(job)) {
      const completions = job.spec.completions ?? 0;
      ctx.prevSucceededIndexes = parseIntervals(status.completedIndexes, completions);
      const fresh = [...new Set(pods.filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p)).map(completionIndex)
        .filter((ix) => ix !== UNKNOWN_INDEX && ix < completions))].sort((a, b) => a - b);
      ctx.succeededIndexes = withOrderedIndexes(ctx.prevSucceededIndexes, fresh);
      ctx.succeeded = total(ctx.succeededIndexes);
      if (!ctx.finished) {
        const msg = matchSuccessPolicy(job.spec.successPolicy, completions, ctx.succeededIndexes);
        if (msg !== undefined) ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', msg, now);
      }
    }

    let manageErr: unknown;
    let suspendChanged = false;
    if (ctx.finished) {
      // The Job has failed or met its success criteria: remove what still runs.
      const r = await this.deleteActivePods(job, activePods);
      if (r.deleted !== active || !satisfied) ctx.finished = undefined;
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      manageErr = r.error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        const r = await this.manageJob(job, ctx);
        active = r.active;
        manageErr = r.error;
        manageCalled = true;
      }
      const complete = job.spec.completions === undefined || job.spec.completions === null
        ? ctx.succeeded > 0 && active === 0
        : ctx.succeeded >= job.spec.completions && active === 0;
      if (complete) {
        ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (manageCalled) {
        const conds = status.conditions ?? [];
        if (suspended) {
          const r = ensureCondition(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
          status.conditions = r.conds;
          if (r.changed) { suspendChanged = true; d.recorder.event(evObj(job), 'Normal', 'Suspended', 'Job suspended'); }
        } else {
          const r = ensureCondition(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
          status.conditions = r.conds;
          if (r.changed) {
            suspendChanged = true;
            d.recorder.event(evObj(job), 'Normal', 'Resumed', 'Job resumed');
            // activeDeadlineSeconds counts continuous activity: resuming restarts the clock.
            status.startTime = metaNow(now);
          }
        }
      }
    }

    const needsUpdate = suspendChanged || active !== (status.active ?? 0) || ctx.ready !== status.ready || ctx.terminating !== status.terminating;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    await this.trackStatusAndRemoveFinalizers(ctx, needsUpdate);
    if (manageErr !== undefined) throw manageErr;
  }

  /** Claims the Job's pods (adopting orphans with the tracking finalizer, releasing strays). */
  private async podsForJob(job: Job): Promise<Pod[]> {
    const d = this.d;
    const all = d.podsInNamespace(job.metadata.namespace ?? '');
    const ownedBefore = new Set(all.filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === job.metadata.uid)).map(uidOf));
    const claimed = await claimObjects(all, {
      owner: job, ownerApiVersion: 'batch/v1', ownerKind: 'Job', client: d.pods,
      matches: (p) => labelSelectorMatches(job.spec.selector, p.metadata.labels ?? {}),
      getOwner: () => d.jobs.get(job.metadata.name!, job.metadata.namespace),
    });
    const out: Pod[] = [];
    for (const p of claimed) {
      if (ownedBefore.has(uidOf(p)) || hasTrackingFinalizer(p)) { out.push(p); continue; }
      // Adopted: it must carry the tracking finalizer so its end is counted.
      try {
        out.push(await d.pods.patch(p.metadata.name!, p.metadata.namespace, { metadata: { finalizers: [JOB_TRACKING_FINALIZER] } }, 'strategic'));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return out;
  }

  private newFinishedPods(ctx: Ctx): { newSucceeded: Pod[]; newFailed: Pod[] } {
    const valid = (p: Pod, uncounted: Set<string>): boolean => {
      const uid = uidOf(p);
      if (!hasTrackingFinalizer(p) || uncounted.has(uid) || ctx.expectedRm.has(uid)) return false;
      if (isIndexedJob(ctx.job)) {
        const ix = completionIndex(p);
        if (ix === UNKNOWN_INDEX || ix >= (ctx.job.spec.completions ?? 0)) return false;
      }
      return true;
    };
    return {
      newSucceeded: ctx.pods.filter((p) => valid(p, ctx.uncountedSucceeded) && p.status?.phase === 'Succeeded'),
      newFailed: ctx.pods.filter((p) => valid(p, ctx.uncountedFailed) && isPodFailed(p, ctx.job)),
    };
  }

  private nonIgnoredFailedCount(job: Job, failed: Pod[]): number {
    if (!job.spec.podFailurePolicy) return failed.length;
    return failed.filter((p) => matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed).length;
  }

  private failJobMessage(job: Job, pods: Pod[]): string | undefined {
    if (!job.spec.podFailurePolicy) return undefined;
    for (const p of pods) {
      if (!isPodFailed(p, job)) continue;
      const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p).failJobMessage;
      if (m !== undefined) return m;
    }
    return undefined;
  }

  private pastActiveDeadline(job: Job): boolean {
    const ads = job.spec.activeDeadlineSeconds;
    if (ads === undefined || ads === null || !job.status?.startTime || job.spec.suspend) return false;
    return this.now() - Date.parse(job.status.startTime) >= ads * 1000;
  }

  /** Deletes active pods keeping their finalizers (the status tracking removes them). */
  private async deleteActivePods(job: Job, pods: Pod[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    let deleted = 0; let deletedReady = 0; let error: unknown;
    await Promise.all(pods.map(async (p) => {
      try {
        await this.d.podControl.deletePod(job.metadata.namespace!, p.metadata.name!, job);
        deleted++;
      } catch (err) {
        error ??= err;
      }
      if (isPodReady(p)) deletedReady++;
    }));
    return { deleted, deletedReady, error };
  }

  /** Removes the finalizer, then deletes; failed calls lower the deletion expectations. */
  private async deleteJobPods(job: Job, key: string, pods: Pod[]): Promise<{ removed: number; removedReady: number; error?: unknown }> {
    let removed = pods.length; let removedReady = 0; let error: unknown;
    const fail = (err: unknown): void => {
      this.d.expectations.deletionObserved(key);
      if (!isNotFound(err)) { removed--; error ??= err; }
    };
    await Promise.all(pods.map(async (p) => {
      const patch = removeTrackingFinalizerPatch(p);
      if (patch) {
        try { await this.d.pods.patch(p.metadata.name!, p.metadata.namespace, patch, 'strategic'); } catch (err) { fail(err); return; }
      }
      try {
        const existed = await this.d.podControl.deletePod(job.metadata.namespace!, p.metadata.name!, job);
        // Already gone: no delete event will come for it.
        if (!existed) this.d.expectations.deletionObserved(key);
      } catch (err) {
        fail(err);
      }
      if (isPodReady(p)) removedReady++;
    }));
    return { removed, removedReady, error };
  }

  private activePodsForRemoval(job: Job, pods: Pod[], rmAtLeast: number): Pod[] {
    let rm: Pod[] = []; let left = pods;
    if (isIndexedJob(job)) ({ rm, left } = duplicatedIndexPodsForRemoval(pods, job.spec.completions ?? 0));
    if (rm.length < rmAtLeast) rm = [...rm, ...[...left].sort((a, b) => compareForDeletion(a, b)).slice(0, rmAtLeast - rm.length)];
    return rm;
  }

  /** manageJob: returns the new active count. */
  private async manageJob(job: Job, ctx: Ctx): Promise<{ active: number; error?: unknown }> {
    const d = this.d;
    const key = ctx.key;
    let active = ctx.activePods.length;
    const parallelism = job.spec.parallelism ?? 1;

    if (job.spec.suspend) {
      const toDelete = this.activePodsForRemoval(job, ctx.activePods, active);
      d.expectations.expectDeletions(key, toDelete.length);
      const r = await this.deleteJobPods(job, key, toDelete);
      ctx.terminating += r.removed;
      ctx.ready -= r.removedReady;
      return { active: active - r.removed, error: r.error };
    }

    let wantActive: number;
    const completions = job.spec.completions;
    if (completions === undefined || completions === null) wantActive = ctx.succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(completions - ctx.succeeded, parallelism));

    const toDelete = this.activePodsForRemoval(job, ctx.activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length > 0) {
      // Deletions take precedence; creations wait for the next sync.
      d.expectations.expectDeletions(key, toDelete.length);
      const r = await this.deleteJobPods(job, key, toDelete);
      ctx.terminating += r.removed;
      ctx.ready -= r.removedReady;
      return { active: active - r.removed, error: r.error };
    }

    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active };
    const wait = remainingBackoffMs(this.now(), d.podFailureBackoffMs, d.maxPodFailureBackoffMs, ctx.newBackoff.failuresAfterLastSuccess, ctx.newBackoff.lastFailureTime);
    if (wait > 0) {
      d.enqueueAfter(key, Math.max(wait, d.syncBatchPeriodMs));
      return { active };
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] = [];
    if (isIndexedJob(job)) {
      indexes = firstPendingIndexes(ctx.activePods, ctx.succeededIndexes, diff, completions ?? 0);
      diff = indexes.length;
    }
    d.expectations.expectCreations(key, diff);
    active += diff;

    const template = structuredClone(job.spec.template);
    if (isIndexedJob(job)) addCompletionIndexEnv(template.spec);
    template.metadata ??= {};
    if (!(template.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) template.metadata.finalizers = [...(template.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
    const ref = newControllerRef(job, 'batch/v1', 'Job');

    let error: unknown;
    let remaining = diff;
    for (let batch = Math.min(diff, 1); remaining > 0; batch = Math.min(2 * batch, remaining)) {
      const errorsBefore = error === undefined ? 0 : 1;
      let failed = 0;
      const slice = indexes.splice(0, isIndexedJob(job) ? batch : 0);
      await Promise.all(Array.from({ length: batch }, async (_, i) => {
        const ix = slice[i];
        try {
          await d.podControl.createPod(job.metadata.namespace!, template, job, ref, (pod) => {
            if (ix === undefined) return;
            pod.metadata.generateName = podGenerateNameWithIndex(job.metadata.name!, ix);
            pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX_ANNOTATION]: String(ix) };
            pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX_ANNOTATION]: String(ix) };
            pod.spec.hostname = `${job.metadata.name}-${ix}`;
          });
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          d.expectations.creationObserved(key);
          active--;
          failed++;
          error ??= err;
        }
      }));
      const skipped = remaining - batch;
      if (failed > 0 && errorsBefore === 0 && skipped > 0) {
        // Slow start: the pods never attempted are not expected either.
        active -= skipped;
        for (let i = 0; i < skipped; i++) d.expectations.creationObserved(key);
        break;
      }
      remaining -= batch;
    }
    return { active, error };
  }

  private async trackStatusAndRemoveFinalizers(ctx: Ctx, needsFlushIn: boolean): Promise<void> {
    const d = this.d;
    let needsFlush = needsFlushIn;
    const job = ctx.job;
    const indexed = isIndexedJob(job);
    const completions = job.spec.completions ?? 0;
    const status = job.status!;
    const uncounted = (status.uncountedTerminatedPods ??= {});
    uncounted.succeeded = [...(uncounted.succeeded ?? [])];
    uncounted.failed = [...(uncounted.failed ?? [])];
    const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;
    const withFinalizer = new Set(pods.filter((p) => hasTrackingFinalizer(p) && !ctx.expectedRm.has(uidOf(p))).map(uidOf));
    if (cleanUncountedPodsWithoutFinalizers(status, withFinalizer)) needsFlush = true;

    const toRemove: Pod[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMax = false;
    for (const p of pods) {
      const uid = uidOf(p);
      if (!hasTrackingFinalizer(p) || ctx.expectedRm.has(uid)) continue;
      const consideredFailed = isPodFailed(p, job);
      const canRemove = !!job.metadata.deletionTimestamp || !!ctx.finished || p.status?.phase === 'Succeeded' || consideredFailed;
      if (!canRemove) continue;
      toRemove.push(p);
      if (p.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
        if (indexed) {
          const ix = completionIndex(p);
          if (ix !== UNKNOWN_INDEX && ix < completions && !hasIndex(ctx.prevSucceededIndexes, ix)) { newSucceededIndexes.push(ix); needsFlush = true; }
        } else if (!ctx.uncountedSucceeded.has(uid)) {
          needsFlush = true;
          uncounted.succeeded.push(uid);
        }
      } else if (consideredFailed || (ctx.finished && !isSuccessCriteriaMet(ctx.finished))) {
        // Once the Job has failed, every pod that did not succeed counts as failed.
        const ix = completionIndex(p);
        if (!ctx.uncountedFailed.has(uid) && (!indexed || (ix !== UNKNOWN_INDEX && ix < completions))) {
          if (matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed) {
            needsFlush = true;
            uncounted.failed.push(uid);
          }
        }
      }
      if (newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (indexed) {
      ctx.succeededIndexes = withOrderedIndexes(ctx.succeededIndexes, newSucceededIndexes);
      const s = formatIntervals(ctx.succeededIndexes);
      if (s !== (status.completedIndexes ?? '')) needsFlush = true;
      status.succeeded = total(ctx.succeededIndexes);
      status.completedIndexes = s;
    }
    const now = this.now();
    if (ctx.finished?.type === 'FailureTarget') {
      // Record why the Job fails before the finalizers (which hold its pods) go.
      status.conditions = [...(status.conditions ?? []), ctx.finished];
      needsFlush = true;
      ctx.finished = newCondition('Failed', 'True', ctx.finished.reason ?? '', ctx.finished.message ?? '', now);
    }
    if (isSuccessCriteriaMet(ctx.finished)) {
      const has = findCondition(job, 'SuccessCriteriaMet');
      if (has?.status !== 'True') {
        status.conditions = [...(status.conditions ?? []), ctx.finished!];
        needsFlush = true;
      }
      ctx.finished = newCondition('Complete', 'True', ctx.finished!.reason ?? '', ctx.finished!.message ?? '', now);
    }

    // Flush uncounted UIDs (and interim conditions), remove finalizers, move UIDs to counters.
    if (needsFlush) {
      ctx.job = await this.updateStatus(ctx.job);
      d.backoff.update(ctx.newBackoff);
      needsFlush = false;
    }
    let rmErr: unknown;
    if (toRemove.length > 0) {
      d.finalizerExpectations.expectFinalizersRemoved(ctx.key, toRemove.map(uidOf));
      await Promise.all(toRemove.map(async (p) => {
        try {
          await d.pods.patch(p.metadata.name!, p.metadata.namespace, removeTrackingFinalizerPatch(p), 'strategic');
          withFinalizer.delete(uidOf(p));
        } catch (err) {
          d.finalizerExpectations.finalizerRemovalObserved(ctx.key, uidOf(p));
          if (isNotFound(err)) withFinalizer.delete(uidOf(p));
          else rmErr ??= err;
        }
      }));
    }
    if (cleanUncountedPodsWithoutFinalizers(ctx.job.status!, withFinalizer)) needsFlush = true;
    if (rmErr !== undefined) {
      if (needsFlush) ctx.job = await this.updateStatus(ctx.job);
      throw rmErr;
    }
    const finished = !reachedMax && this.enactJobFinished(ctx);
    if (finished) needsFlush = true;
    if (needsFlush) {
      ctx.job = await this.updateStatus(ctx.job);
      if (finished) this.recordJobFinished(ctx.job, ctx.finished!);
    }
  }

  /** Sets Complete/Failed once nothing is uncounted or terminating; returns whether it did. */
  private enactJobFinished(ctx: Ctx): boolean {
    const f = ctx.finished;
    if (!f) return false;
    const status = ctx.job.status!;
    const u = status.uncountedTerminatedPods ?? {};
    if ((u.succeeded ?? []).length + (u.failed ?? []).length > 0) return false;
    if (ctx.terminating > 0) return false;
    status.conditions = ensureCondition(status.conditions ?? [], f.type, f.status, f.reason ?? '', f.message ?? '', this.now()).conds;
    if (f.type === 'Complete') status.completionTime = f.lastTransitionTime;
    return true;
  }

  private recordJobFinished(job: Job, f: WorkloadCondition): void {
    const rec = this.d.recorder;
    if (f.type === 'Complete') {
      const completions = job.spec.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        rec.event(evObj(job), 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      rec.event(evObj(job), 'Normal', 'Completed', 'Job completed');
    } else {
      rec.event(evObj(job), 'Warning', f.reason ?? '', f.message ?? '');
    }
  }

  private async updateStatus(job: Job): Promise<Job> {
    const updated = await this.d.jobs.updateStatus({ ...job, status: wireStatus(job.status ?? {}) });
    updated.status ??= {};
    updated.status.uncountedTerminatedPods ??= {};
    return updated;
  }
}

/** JOB_COMPLETION_INDEX from the pod's completion-index label, in every container. */
function addCompletionIndexEnv(spec: Job['spec']['template']['spec']): void {
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of list ?? []) {
      const env = ((c as { env?: Array<{ name: string }> }).env ??= []);
      if (env.some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
      env.push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } } } as { name: string });
    }
  }
}
