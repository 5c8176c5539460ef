// One reconcile of a CronJob (cronjob_controllerv2.go syncCronJob and cleanupFinishedJobs): keep
// status.active in step with the Jobs it owns, start the most recent unmet run (subject to
// suspend, startingDeadlineSeconds and concurrencyPolicy), trim finished Jobs to the history
// limits, and say when to look again. The API calls go through CronJobDeps so tests can fake them.
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from '@kube-ts/client/errors';
import type { EventRecorder } from '@kube-ts/client/events';
import type { CronJob, Job } from '@kube-ts/client/workloads';
import { controllerRefOf, metaNow, newControllerRef } from '../../util/pods.js';
import { parseStandard, type CronSchedule } from './cron.js';
import { formatSchedule, jobNameFor, mostRecentScheduleTime, nextScheduleTimeDuration } from './schedule.js';
import { isValidZone, Zone } from './zone.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobDeps {
  now(): number;
  recorder: EventRecorder;
  /** The controller's own zone for schedules without spec.timeZone (Go's time.Local). */
  localZone: string;
  getJob(namespace: string, name: string): Promise<Job>;
  createJob(namespace: string, job: Job): Promise<Job>;
  /** Deletes with propagationPolicy Background. */
  deleteJob(namespace: string, name: string): Promise<void>;
  getCronJob(namespace: string, name: string): Promise<CronJob>;
}

export interface CronSyncResult { requeueAfterMs?: number; updateStatus: boolean; error?: unknown }

type ActiveRef = NonNullable<NonNullable<CronJob['status']>['active']>[number];

const asEventObj = (cj: CronJob): CronJob => ({ ...cj, kind: 'CronJob', apiVersion: 'batch/v1' });

export function finishedCondition(j: Job): 'Complete' | 'Failed' | undefined {
  for (const c of j.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

export const isJobFinished = (j: Job): boolean => finishedCondition(j) !== undefined;
const isJobSucceeded = (j: Job): boolean => (j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');

function inActiveList(cj: CronJob, uid: string | undefined): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  cj.status ??= {};
  cj.status.active = (cj.status.active ?? []).filter((r) => r.uid !== uid);
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
export function rfc1123z(msEpoch: number): string {
  return new Date(msEpoch).toUTCString().replace(/GMT$/, '+0000');
}

/** The Jobs a CronJob reconciles: those whose controller reference names it (as upstream, by name). */
export function jobsToBeReconciled(cj: CronJob, jobsInNamespace: Job[]): Job[] {
  return jobsInNamespace.filter((j) => controllerRefOf(j)?.name === cj.metadata.name);
}

/** getJobFromTemplate2: the Job for one scheduled run. */
export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const tmpl = cj.spec.jobTemplate;
  const labels = { ...(tmpl.metadata?.labels ?? {}) };
  const annotations = { ...(tmpl.metadata?.annotations ?? {}) };
  annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = new Zone(cj.spec.timeZone ?? '').rfc3339(scheduledMs);
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs), namespace: cj.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}), annotations,
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(tmpl.spec),
  };
}

function jobRef(j: Job): ActiveRef {
  return { kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion };
}

async function deleteJob(cj: CronJob, j: Job, deps: CronJobDeps): Promise<boolean> {
  try {
    await deps.deleteJob(j.metadata.namespace!, j.metadata.name!);
  } catch (err) {
    deps.recorder.event(asEventObj(cj), 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
    return false;
  }
  deleteFromActiveList(cj, j.metadata.uid);
  deps.recorder.event(asEventObj(cj), 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
  return true;
}

/** Oldest first by status.startTime (jobs never started last), then by name. */
export function byJobStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime; const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  const ta = sa ? Date.parse(sa) : 0; const tb = sb ? Date.parse(sb) : 0;
  if (ta === tb) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
  return ta - tb;
}

/** Deletes the oldest finished Jobs beyond the history limits; true when status.active changed. */
export async function cleanupFinishedJobs(cj: CronJob, jobs: Job[], deps: CronJobDeps): Promise<boolean> {
  const failedLimit = cj.spec.failedJobsHistoryLimit;
  const successLimit = cj.spec.successfulJobsHistoryLimit;
  if ((failedLimit === undefined || failedLimit === null) && (successLimit === undefined || successLimit === null)) return false;
  const succeeded = jobs.filter((j) => finishedCondition(j) === 'Complete');
  const failed = jobs.filter((j) => finishedCondition(j) === 'Failed');
  let update = false;
  const removeOldest = async (list: Job[], max: number): Promise<void> => {
    const n = list.length - max;
    if (n <= 0) return;
    list.sort(byJobStartTime);
    for (let i = 0; i < n; i++) if (await deleteJob(cj, list[i]!, deps)) update = true;
  };
  if (successLimit !== undefined && successLimit !== null) await removeOldest(succeeded, successLimit);
  if (failedLimit !== undefined && failedLimit !== null) await removeOldest(failed, failedLimit);
  return update;
}

/** Parses the schedule as the controller does, recording UnsupportedSchedule for TZ= prefixes. */
export function parseCronJobSchedule(cj: CronJob, deps: Pick<CronJobDeps, 'recorder' | 'localZone'>, record: boolean): CronSchedule {
  const { spec, usesTZ } = formatSchedule(cj);
  if (usesTZ && record) {
    deps.recorder.event(asEventObj(cj), 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  return parseStandard(spec, deps.localZone);
}

/** syncCronJob: mutates `cj` (a copy) and returns when to requeue and whether its status must be written. */
export async function syncCronJob(cj: CronJob, jobs: Job[], deps: CronJobDeps): Promise<CronSyncResult> {
  const now = deps.now();
  let updateStatus = false;
  const ev = (type: 'Normal' | 'Warning', reason: string, msg: string): void => deps.recorder.event(asEventObj(cj), type, reason, msg);
  cj.status ??= {};

  const children = new Set<string>();
  for (const j of jobs) {
    children.add(j.metadata.uid ?? '');
    const found = inActiveList(cj, j.metadata.uid);
    if (!found && !isJobFinished(j)) {
      const fresh = await deps.getCronJob(cj.metadata.namespace!, cj.metadata.name!);
      if (inActiveList(fresh, j.metadata.uid)) {
        // Our cache is behind our own status write: continue from the fresh copy.
        cj.status = structuredClone(fresh.status ?? {});
        cj.metadata.resourceVersion = fresh.metadata.resourceVersion;
        continue;
      }
      ev('Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
    } else if (found && isJobFinished(j)) {
      deleteFromActiveList(cj, j.metadata.uid);
      ev('Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${finishedCondition(j)}`);
      updateStatus = true;
    } else if (isJobSucceeded(j)) {
      // A finished Job need not be active to count for lastSuccessfulTime.
      const done = j.status?.completionTime;
      const last = cj.status.lastSuccessfulTime;
      if (done && (!last || Date.parse(done) > Date.parse(last))) {
        cj.status.lastSuccessfulTime = done;
        updateStatus = true;
      }
    }
  }

  // Drop active references to Jobs that are gone (checked against the apiserver, not a slow cache).
  for (const ref of [...(cj.status.active ?? [])]) {
    if (children.has(ref.uid ?? '')) continue;
    try {
      await deps.getJob(ref.namespace ?? cj.metadata.namespace!, ref.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) return { updateStatus, error: err };
      ev('Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      deleteFromActiveList(cj, ref.uid);
      updateStatus = true;
    }
  }

  if (cj.metadata.deletionTimestamp) return { updateStatus };

  const tz = cj.spec.timeZone;
  if (tz !== undefined && tz !== null && !isValidZone(tz)) {
    ev('Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
    return { updateStatus };
  }
  if (cj.spec.suspend) return { updateStatus };

  let sched: CronSchedule;
  try {
    sched = parseCronJobSchedule(cj, deps, true);
  } catch (err) {
    ev('Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`);
    return { updateStatus };
  }

  const recent = mostRecentScheduleTime(cj, now, sched, true);
  if (recent.error !== undefined) {
    ev('Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${recent.error}`);
    return { updateStatus };
  }
  const requeue = (): CronSyncResult => {
    const d = nextScheduleTimeDuration(cj, now, sched);
    return d === undefined ? { updateStatus } : { requeueAfterMs: d, updateStatus };
  };
  const scheduled = recent.mostRecentMs;
  if (scheduled === undefined || scheduled > now) return requeue();
  if (recent.missed === 'many') {
    ev('Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  }

  const sds = cj.spec.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && scheduled + sds * 1000 < now) {
    ev('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return requeue();
  }
  const name = jobNameFor(cj, scheduled);
  const lastSchedule = cj.status.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  if ((cj.status.active ?? []).some((r) => r.name === name && (r.namespace ?? cj.metadata.namespace) === cj.metadata.namespace) || lastSchedule === Math.floor(scheduled / 1000) * 1000) {
    return requeue();
  }
  if (cj.spec.concurrencyPolicy === 'Forbid' && (cj.status.active ?? []).length > 0) {
    ev('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return requeue();
  }
  if (cj.spec.concurrencyPolicy === 'Replace') {
    for (const ref of [...(cj.status.active ?? [])]) {
      let job: Job;
      try {
        job = await deps.getJob(ref.namespace ?? cj.metadata.namespace!, ref.name ?? '');
      } catch (err) {
        ev('Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
        return { updateStatus, error: err };
      }
      if (!(await deleteJob(cj, job, deps))) return { updateStatus, error: new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`) };
      updateStatus = true;
    }
  }

  const req = jobFromTemplate(cj, scheduled);
  let created: Job;
  try {
    created = await deps.createJob(cj.metadata.namespace!, req);
    ev('Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
  } catch (err) {
    if (isNamespaceTerminating(err)) return { updateStatus, error: err };
    if (!isAlreadyExists(err)) {
      ev('Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
      return { updateStatus, error: err };
    }
    // Created earlier but the status write was lost: re-add it to active if it is ours.
    let existing: Job;
    try { existing = await deps.getJob(cj.metadata.namespace!, name); } catch (e) { return { updateStatus, error: e }; }
    const ref = controllerRefOf(existing);
    if (!ref || ref.uid !== cj.metadata.uid || inActiveList(cj, existing.metadata.uid)) return { updateStatus };
    created = existing;
  }
  cj.status.active = [...(cj.status.active ?? []), jobRef(created)];
  cj.status.lastScheduleTime = metaNow(scheduled);
  updateStatus = true;
  return requeue();
}
