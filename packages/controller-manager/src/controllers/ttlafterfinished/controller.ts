// The TTL-after-finished controller: deletes finished Jobs (Complete or Failed) once their
// ttlSecondsAfterFinished has passed, with foreground propagation so their pods go first, and
// requeues Jobs that are not yet due for the moment they will be.
import { isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import { objectKey, splitKey } from '@kube-ts/client/types';
import type { Job } from '@kube-ts/client/workloads';
import { Histogram } from 'prom-client';
import type { ControllerContext } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { needsCleanup, timeLeft } from './ttl.js';

export class TTLAfterFinishedController extends QueueController {
  private readonly informer;
  private readonly deletionDuration: Histogram<string>;

  constructor(private readonly ctx: ControllerContext) {
    const inf = ctx.informers.informerFor<Job>(R.jobs);
    super({ name: 'ttl-after-finished', queueName: 'ttl_jobs_to_delete', ctx, caches: [inf], sync: (key) => this.syncKey(key) });
    this.informer = inf;
    const existing = ctx.metrics.getSingleMetric('ttl_after_finished_controller_job_deletion_duration_seconds');
    this.deletionDuration = (existing as Histogram<string> | undefined) ?? new Histogram({
      name: 'ttl_after_finished_controller_job_deletion_duration_seconds',
      help: 'The time it took to delete the job since it became eligible for deletion',
      buckets: [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6, 819.2],
      registers: [ctx.metrics],
    });
    const onJob = (j: Job): void => { if (!j.metadata.deletionTimestamp && needsCleanup(j)) this.enqueue(j); };
    inf.addEventHandler({ add: onJob, update: (_o, j) => onJob(j) });
  }

  /** Expired: the expiry time; not yet: requeue for then; not applicable: nothing. */
  private check(j: Job): { expiredAtMs?: number; requeueMs?: number } {
    if (j.metadata.deletionTimestamp || !needsCleanup(j)) return {};
    const now = this.ctx.clock.now();
    const t = timeLeft(j, now);
    if (t.finishedInFuture) {
      this.ctx.logger.info({ job: objectKey(j) }, 'Warning: Found Job finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred.');
    }
    return t.leftMs <= 0 ? { expiredAtMs: t.expireAtMs } : { requeueMs: t.leftMs };
  }

  private async syncKey(key: string): Promise<SyncResult | void> {
    const cached = this.informer.store.get(key);
    if (!cached) return;
    const first = this.check(cached);
    if (first.requeueMs !== undefined) return { requeueAfterMs: first.requeueMs };
    if (first.expiredAtMs === undefined) return;
    // The cache may be stale (TTL or finish changed): decide again on a fresh read.
    const { namespace, name } = splitKey(key);
    const jobs = this.ctx.rest.resource<Job>(R.jobs);
    let fresh: Job;
    try {
      fresh = await jobs.get(name, namespace);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const again = this.check(fresh);
    if (again.requeueMs !== undefined) return { requeueAfterMs: again.requeueMs };
    if (again.expiredAtMs === undefined) return;
    this.ctx.logger.info({ job: key }, 'Cleaning up Job');
    try {
      await jobs.delete(name, namespace, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.deletionDuration.observe(Math.max(0, (this.ctx.clock.now() - again.expiredAtMs) / 1000));
  }
}
