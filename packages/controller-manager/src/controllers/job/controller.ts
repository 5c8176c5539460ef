// The Job controller (job_controller.go): a queue of Jobs fed by Job and pod events (pod events
// batched by a second, as upstream), plus a queue of orphaned pods whose tracking finalizer must
// be removed because their Job is gone or finished.
import { isNotFound } from '@kube-ts/client/errors';
import { isTombstone, type Tombstone } from '@kube-ts/client/informer';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { R } from '@kube-ts/client/resources';
import { objectKey, type Pod } from '@kube-ts/client/types';
import type { Job } from '@kube-ts/client/workloads';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { ControllerExpectations } from '../../util/expectations.js';
import { PodControl } from '../../util/podcontrol.js';
import { controllerRefOf } from '../../util/pods.js';
import { BackoffStore, DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from './backoff.js';
import { JobSyncer } from './sync.js';
import { UIDTrackingExpectations } from './tracking.js';
import { hasTrackingFinalizer, isJobFinished, managedByExternalController, removeTrackingFinalizerPatch } from './util.js';

export interface JobControllerOptions {
  /** First pod-failure backoff (DefaultJobPodFailureBackOff, 10 s); doubles per consecutive failure. */
  podFailureBackoffMs?: number;
  /** Cap of the pod-failure backoff (MaxJobPodFailureBackOff, 10 min). */
  maxPodFailureBackoffMs?: number;
  /** Delay that batches syncs caused by pod events (syncJobBatchPeriod, 1 s). */
  syncBatchPeriodMs?: number;
}

export class JobController implements Controller {
  readonly name = 'job';
  readonly queue: QueueController;
  readonly orphanQueue: QueueController;
  readonly expectations: ControllerExpectations;
  readonly finalizerExpectations = new UIDTrackingExpectations();
  readonly backoff = new BackoffStore();
  private readonly jobs;
  private readonly pods;
  private readonly batchMs: number;

  constructor(private readonly ctx: ControllerContext, o: JobControllerOptions = {}) {
    this.jobs = ctx.informers.informerFor<Job>(R.jobs);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.batchMs = o.syncBatchPeriodMs ?? 1000;
    this.expectations = new ControllerExpectations(ctx.clock);
    const recorder = ctx.recorder('job-controller');
    const podClient = ctx.rest.resource<Pod>(R.pods);
    const syncer = new JobSyncer({
      clock: ctx.clock, recorder, jobs: ctx.rest.resource<Job>(R.jobs), pods: podClient,
      podControl: new PodControl(ctx.rest, recorder, { apiVersion: 'batch/v1', kind: 'Job' }),
      expectations: this.expectations, finalizerExpectations: this.finalizerExpectations, backoff: this.backoff,
      podFailureBackoffMs: o.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS,
      maxPodFailureBackoffMs: o.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS,
      syncBatchPeriodMs: this.batchMs,
      enqueueAfter: (key, ms) => this.queue.enqueueAfter(key, Math.max(0, ms)),
      cachedJob: (key) => this.jobs.store.get(key),
      podsInNamespace: (ns) => this.pods.store.byIndex('namespace', ns),
    });
    const caches = [this.jobs, this.pods];
    this.queue = new QueueController({ name: 'job', ctx, caches, sync: (key) => syncer.syncJob(key) });
    this.orphanQueue = new QueueController({ name: 'job-orphan-pod', queueName: 'job_orphan_pod', ctx, caches, sync: (key) => this.syncOrphanPod(key) });

    this.jobs.addEventHandler({
      add: (j) => this.queue.enqueue(j),
      update: (oldJ, curJ) => this.onJobUpdate(oldJ, curJ),
      delete: (j) => {
        this.queue.enqueue(j);
        this.cleanupPodFinalizers(isTombstone(j) ? j.obj : j);
      },
    });
    this.pods.addEventHandler({
      add: (p) => this.onPodAdd(p),
      update: (oldP, curP) => this.onPodUpdate(oldP, curP),
      delete: (p) => this.onPodDelete(p, true),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    await Promise.all([this.queue.run(workers, signal), this.orphanQueue.run(1, signal)]);
  }

  private enqueueBatched(j: Job): void { this.queue.enqueueAfter(objectKey(j), this.batchMs); }

  private resolve(namespace: string | undefined, p: Pod): Job | undefined {
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== 'Job') return undefined;
    const j = this.jobs.store.get(namespace ? `${namespace}/${ref.name}` : ref.name);
    return j && j.metadata.uid === ref.uid ? j : undefined;
  }

  /** Jobs whose selector matches an orphan pod (GetPodJobs). */
  private podJobs(p: Pod): Job[] {
    const labels = p.metadata.labels ?? {};
    if (Object.keys(labels).length === 0) return [];
    return this.jobs.store.byIndex('namespace', p.metadata.namespace ?? '').filter((j) => {
      const sel = j.spec.selector;
      const empty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
      return !empty && labelSelectorMatches(sel, labels);
    });
  }

  private onJobUpdate(oldJ: Job, curJ: Job): void {
    // Spec changes sync at once; status updates (mostly caused by pod events) are batched.
    if (curJ.metadata.generation === oldJ.metadata.generation) this.enqueueBatched(curJ);
    else this.queue.enqueue(curJ);
    if (isJobFinished(curJ)) this.cleanupPodFinalizers(curJ);
    const start = curJ.status?.startTime;
    const ads = curJ.spec.activeDeadlineSeconds;
    if (start && ads !== undefined && ads !== null && oldJ.spec.activeDeadlineSeconds !== ads) {
      this.queue.enqueueAfter(objectKey(curJ), Math.max(0, ads * 1000 - (this.ctx.clock.now() - Date.parse(start))));
    }
  }

  private onPodAdd(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.onPodDelete(p, false); return; }
    if (controllerRefOf(p)) {
      const j = this.resolve(p.metadata.namespace, p);
      if (!j) return;
      this.expectations.creationObserved(objectKey(j));
      this.enqueueBatched(j);
      return;
    }
    if (hasTrackingFinalizer(p)) this.orphanQueue.enqueue(p);
    for (const j of this.podJobs(p)) this.enqueueBatched(j);
  }

  private onPodUpdate(oldP: Pod, curP: Pod): void {
    if (curP.metadata.resourceVersion === oldP.metadata.resourceVersion) return;
    if (curP.metadata.deletionTimestamp) { this.onPodDelete(curP, false); return; }
    const finalizerRemoved = !hasTrackingFinalizer(curP);
    const curRef = controllerRefOf(curP); const oldRef = controllerRefOf(oldP);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const j = this.resolve(oldP.metadata.namespace, oldP);
      if (j) {
        if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(objectKey(j), curP.metadata.uid);
        this.enqueueBatched(j);
      }
    }
    if (curRef) {
      const j = this.resolve(curP.metadata.namespace, curP);
      if (!j) return;
      if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(objectKey(j), curP.metadata.uid);
      this.enqueueBatched(j);
      return;
    }
    if (hasTrackingFinalizer(curP)) this.orphanQueue.enqueue(curP);
    if (refChanged || JSON.stringify(curP.metadata.labels ?? {}) !== JSON.stringify(oldP.metadata.labels ?? {})) {
      for (const j of this.podJobs(curP)) this.enqueueBatched(j);
    }
  }

  private onPodDelete(obj: Pod | Tombstone<Pod>, final: boolean): void {
    const p = isTombstone(obj) ? obj.obj : obj;
    const hasFinalizer = hasTrackingFinalizer(p);
    if (!controllerRefOf(p)) {
      if (hasFinalizer) this.orphanQueue.enqueue(p);
      return;
    }
    const j = this.resolve(p.metadata.namespace, p);
    if (!j || isJobFinished(j)) {
      if (hasFinalizer) this.orphanQueue.enqueue(p);
      return;
    }
    const key = objectKey(j);
    this.expectations.deletionObserved(key);
    if (final || !hasFinalizer) this.finalizerExpectations.finalizerRemovalObserved(key, p.metadata.uid);
    this.enqueueBatched(j);
  }

  /** Queues the finished or deleted Job's pods that still hold the finalizer. */
  private cleanupPodFinalizers(j: Job): void {
    for (const p of this.pods.store.byIndex('namespace', j.metadata.namespace ?? '')) {
      if (!labelSelectorMatches(j.spec.selector, p.metadata.labels ?? {})) continue;
      if (controllerRefOf(p)?.uid === j.metadata.uid && hasTrackingFinalizer(p)) this.orphanQueue.enqueue(p);
    }
  }

  /** Removes the tracking finalizer from a pod no unfinished Job of ours controls. */
  private async syncOrphanPod(key: string): Promise<void> {
    const p = this.pods.store.get(key);
    if (!p) return;
    const ref = controllerRefOf(p);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const j = this.resolve(p.metadata.namespace, p);
      if (j && managedByExternalController(j)) return;
      if (j && !isJobFinished(j)) return;
    }
    const patch = removeTrackingFinalizerPatch(p);
    if (!patch) return;
    try {
      await this.ctx.rest.resource<Pod>(R.pods).patch(p.metadata.name!, p.metadata.namespace, patch, 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
