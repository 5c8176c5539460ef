// When a CronJob should run (pkg/controller/cronjob/utils.go): the most recent unmet schedule
// time since the last run (or creation), bounded by startingDeadlineSeconds, a count of missed
// runs, and when to look again.
import type { CronJob } from '@kube-ts/client/workloads';
import { parseStandard, type CronSchedule } from './cron.js';
import { isValidZone } from './zone.js';

export type MissedSchedules = 'none' | 'few' | 'many';

/** Padding added to requeues so a slightly early wake-up still finds the schedule due (NTP skew). */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export interface MostRecent {
  /** The last schedule time, or the creation time (possibly moved up to now - startingDeadlineSeconds). */
  earliestMs: number;
  /** The most recent time a Job should have been created, if any is due by now. */
  mostRecentMs?: number;
  missed: MissedSchedules;
  /** A schedule that is valid grammar but never fires twice (e.g. Feb 31). */
  error?: string;
}

const ms = (s: string | undefined): number | undefined => (s ? Date.parse(s) : undefined);

export function mostRecentScheduleTime(cj: CronJob, nowMs: number, sched: CronSchedule, includeStartingDeadlineSeconds: boolean): MostRecent {
  let earliestMs = ms(cj.status?.lastScheduleTime) ?? ms(cj.metadata.creationTimestamp) ?? 0;
  const sds = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadlineSeconds && sds !== undefined && sds !== null) {
    const deadline = nowMs - sds * 1000;
    if (deadline > earliestMs) earliestMs = deadline;
  }
  const t1 = sched.next(earliestMs);
  const t2 = t1 === undefined ? undefined : sched.next(t1);
  if (t1 !== undefined && nowMs < t1) return { earliestMs, missed: 'none' };
  if (t2 !== undefined && nowMs < t2) return { earliestMs, mostRecentMs: t1, missed: 'none' };
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliestMs, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  // Roughly how many runs fit between t1 and now; then walk the last stretch exactly, starting one
  // interval early so irregular schedules (30 6-16/4 * * 1-5) land on a real run.
  const elapsed = Math.trunc((nowMs - t1!) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  const potentialEarliest = t1! + (missedCount - 2) * between * 1000;
  let mostRecentMs: number | undefined;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= nowMs; t = sched.next(t)) mostRecentMs = t;
  const missed: MissedSchedules = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecentMs === undefined ? { earliestMs, missed } : { earliestMs, mostRecentMs, missed };
}

/** How long until the next schedule after the most recent one, plus NEXT_SCHEDULE_DELTA_MS. */
export function nextScheduleTimeDuration(cj: CronJob, nowMs: number, sched: CronSchedule): number | undefined {
  const r = mostRecentScheduleTime(cj, nowMs, sched, false);
  let from: number;
  if (r.error) from = nowMs;
  else if (r.mostRecentMs === undefined) from = r.missed === 'none' ? r.earliestMs : nowMs;
  else from = r.mostRecentMs;
  const next = sched.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - nowMs;
}

/** The schedule string the controller parses: spec.timeZone becomes a TZ= prefix unless the schedule has its own. */
export function formatSchedule(cj: CronJob): { spec: string; usesTZ: boolean } {
  const s = cj.spec.schedule;
  if (s.includes('TZ')) return { spec: s, usesTZ: true };
  const tz = cj.spec.timeZone;
  if (tz !== undefined && tz !== null && isValidZone(tz)) return { spec: `TZ=${tz} ${s}`, usesTZ: false };
  return { spec: s, usesTZ: false };
}

/** Parses the CronJob's schedule with its time zone (the controller's zone when unset). */
export function cronJobSchedule(cj: CronJob, localZone = 'Local'): CronSchedule {
  return parseStandard(formatSchedule(cj).spec, localZone);
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: one name per run, so a run is never created twice. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(Math.floor(scheduledMs / 1000) / 60)}`;
}
