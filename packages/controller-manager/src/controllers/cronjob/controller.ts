// The CronJob controller (cronjob_controllerv2.go): a delaying queue of CronJobs, woken by their
// Jobs' events and by their own next schedule time on the injected clock.
import { isTombstone, unwrapTombstone, type Tombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import { objectKey, splitKey, type KubeObject } from '@kube-ts/client/types';
import type { CronJob, Job } from '@kube-ts/client/workloads';
import type { ControllerContext } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { controllerRefOf } from '../../util/pods.js';
import { nextScheduleTimeDuration } from './schedule.js';
import { cleanupFinishedJobs, jobsToBeReconciled, parseCronJobSchedule, syncCronJob, type CronJobDeps } from './sync.js';

export interface CronJobControllerOptions {
  /** Zone for schedules without spec.timeZone (default: the process zone, as upstream's time.Local). */
  localZone?: string;
}

export class CronJobController extends QueueController {
  private readonly cronJobs;
  private readonly jobs;
  readonly deps: CronJobDeps;

  constructor(private readonly ctx: ControllerContext, o: CronJobControllerOptions = {}) {
    const jobInf = ctx.informers.informerFor<Job>(R.jobs);
    const cjInf = ctx.informers.informerFor<CronJob>(R.cronjobs);
    super({ name: 'cronjob', ctx, caches: [jobInf, cjInf], sync: (key) => this.syncKey(key) });
    this.jobs = jobInf;
    this.cronJobs = cjInf;
    const jobClient = ctx.rest.resource<Job>(R.jobs);
    const cjClient = ctx.rest.resource<CronJob>(R.cronjobs);
    this.deps = {
      now: () => ctx.clock.now(),
      recorder: ctx.recorder('cronjob-controller'),
      localZone: o.localZone ?? 'Local',
      getJob: (ns, name) => jobClient.get(name, ns),
      createJob: (ns, job) => jobClient.create({ ...job, metadata: { ...job.metadata, namespace: ns } }),
      deleteJob: async (ns, name) => { await jobClient.delete(name, ns, { propagationPolicy: 'Background' }); },
      getCronJob: (ns, name) => cjClient.get(name, ns),
    };

    jobInf.addEventHandler({
      add: (j) => { if (j.metadata.deletionTimestamp) this.onJobDeleted(j); else this.enqueueOwner(j); },
      update: (oldJ, curJ) => {
        if (oldJ.metadata.resourceVersion === curJ.metadata.resourceVersion) return;
        const oldRef = controllerRefOf(oldJ); const curRef = controllerRefOf(curJ);
        if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(curRef)) this.enqueueOwner(oldJ);
        this.enqueueOwner(curJ);
      },
      delete: (j) => this.onJobDeleted(j),
    });
    cjInf.addEventHandler({
      add: (cj) => this.enqueue(cj),
      update: (oldCJ, curCJ) => this.onCronJobUpdate(oldCJ, curCJ),
      delete: (cj) => this.enqueue(cj),
    });
  }

  private resolve(namespace: string | undefined, j: Job): CronJob | undefined {
    const ref = controllerRefOf(j);
    if (!ref || ref.kind !== 'CronJob') return undefined;
    const cj = this.cronJobs.store.get(namespace ? `${namespace}/${ref.name}` : ref.name);
    return cj && cj.metadata.uid === ref.uid ? cj : undefined;
  }

  private enqueueOwner(j: Job): void {
    const cj = this.resolve(j.metadata.namespace, j);
    if (cj) this.enqueue(cj);
  }

  private onJobDeleted(obj: Job | Tombstone<Job>): void {
    this.enqueueOwner(isTombstone(obj) ? unwrapTombstone(obj) : obj);
  }

  /** A schedule or zone change requeues at the new next run; other changes sync now. */
  private onCronJobUpdate(oldCJ: CronJob, curCJ: CronJob): void {
    if (oldCJ.spec.schedule !== curCJ.spec.schedule || (oldCJ.spec.timeZone ?? null) !== (curCJ.spec.timeZone ?? null)) {
      try {
        const sched = parseCronJobSchedule(curCJ, this.deps, false);
        const d = nextScheduleTimeDuration(curCJ, this.ctx.clock.now(), sched);
        if (d !== undefined) this.enqueueAfter(objectKey(curCJ), d);
      } catch {
        this.deps.recorder.event({ ...curCJ, kind: 'CronJob', apiVersion: 'batch/v1' }, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${curCJ.spec.schedule}`);
      }
      return;
    }
    this.enqueue(curCJ as KubeObject);
  }

  private async syncKey(key: string): Promise<SyncResult | void> {
    const cached = this.cronJobs.store.get(key);
    if (!cached) return;
    const { namespace } = splitKey(key);
    const jobs = jobsToBeReconciled(cached, this.jobs.store.byIndex('namespace', namespace ?? ''));
    const cj = structuredClone(cached);
    const cleaned = await cleanupFinishedJobs(cj, jobs, this.deps);
    const r = await syncCronJob(cj, jobs, this.deps);
    if (cleaned || r.updateStatus) {
      await this.ctx.rest.resource<CronJob>(R.cronjobs).updateStatus(cj);
    }
    if (r.requeueAfterMs !== undefined) return { requeueAfterMs: Math.max(0, r.requeueAfterMs) };
    if (r.error !== undefined) throw r.error;
  }
}
