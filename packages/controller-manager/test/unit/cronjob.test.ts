// CronJob scheduling arithmetic (upstream utils_test.go TestMostRecentScheduleTime,
// TestNextScheduleTimeDuration, TestNextScheduleTime, TestGetJobFromTemplate2, TestByJobStartTime)
// and syncCronJob against fake API calls on a FakeClock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kube-ts/client/clock';
import type { EventRecorder } from '@kube-ts/client/events';
import { ApiError } from '@kube-ts/client/errors';
import type { CronJob, Job } from '@kube-ts/client/workloads';
import { parseStandard } from '../../src/controllers/cronjob/cron.js';
import { jobNameFor, mostRecentScheduleTime, nextScheduleTimeDuration, NEXT_SCHEDULE_DELTA_MS } from '../../src/controllers/cronjob/schedule.js';
import { byJobStartTime, cleanupFinishedJobs, jobFromTemplate, rfc1123z, syncCronJob, type CronJobDeps } from '../../src/controllers/cronjob/sync.js';

const TOP = Date.parse('2016-05-19T10:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const H = 3600_000; const M = 60_000; const S = 1000;

function cronJob(schedule: string, o: { created?: number; last?: number; sds?: number; tz?: string; policy?: CronJob['spec']['concurrencyPolicy']; suspend?: boolean } = {}): CronJob {
  return {
    metadata: { name: 'mycronjob', namespace: 'default', uid: 'cj-uid', creationTimestamp: at(o.created ?? TOP), resourceVersion: '1' },
    spec: {
      schedule, concurrencyPolicy: o.policy ?? 'Allow', suspend: o.suspend ?? false,
      ...(o.sds !== undefined ? { startingDeadlineSeconds: o.sds } : {}), ...(o.tz ? { timeZone: o.tz } : {}),
      jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
    },
    status: o.last !== undefined ? { lastScheduleTime: at(o.last) } : {},
  };
}

describe('mostRecentScheduleTime (upstream table)', () => {
  const cases: Array<{ name: string; cj: CronJob; sds?: boolean; now: number; earliest: number; recent?: number; missed?: string; err?: boolean }> = [
    { name: 'now before next schedule', cj: cronJob('0 * * * *'), now: TOP + 30 * S, earliest: TOP },
    { name: 'now just after next schedule', cj: cronJob('0 * * * *'), now: TOP + 61 * M, earliest: TOP, recent: TOP + 60 * M },
    { name: 'missed 5 schedules', cj: cronJob('0 * * * *', { created: TOP + 10 * S }), now: TOP + 301 * M, earliest: TOP + 10 * S, recent: TOP + 300 * M, missed: 'few' },
    { name: 'complex schedule', cj: cronJob('30 6-16/4 * * 1-5', { last: TOP + 30 * M }), now: TOP + 24 * H + 31 * M, earliest: TOP + 30 * M, recent: TOP + 24 * H + 30 * M, missed: 'few' },
    { name: 'another complex schedule', cj: cronJob('30 10,11,12 * * 1-5', { last: TOP + 30 * M }), now: TOP + 30 * H + 30 * M, earliest: TOP + 30 * M, missed: 'few' },
    { name: 'complex schedule with longer diff between executions', cj: cronJob('30 6-16/4 * * 1-5', { last: TOP + 30 * M }), now: TOP + 96 * H + 31 * M, earliest: TOP + 30 * M, recent: TOP + 96 * H + 30 * M, missed: 'few' },
    { name: 'complex schedule with shorter diff between executions', cj: cronJob('30 6-16/4 * * 1-5'), now: TOP + 24 * H + 31 * M, earliest: TOP, recent: TOP + 24 * H + 30 * M, missed: 'few' },
    { name: '@every schedule', cj: cronJob('@every 1h', { created: TOP - 59 * M, last: TOP + 1 * M, sds: 10 }), now: TOP + 7 * 24 * H, earliest: TOP + M, recent: TOP + 6 * 24 * H + 23 * H + M, missed: 'many' },
    { name: 'rogue cronjob', cj: cronJob('59 23 31 2 *', { created: TOP + 10 * S }), now: TOP + H, earliest: TOP + 10 * S, err: true },
    { name: 'earliestTime being CreationTimestamp and LastScheduleTime', cj: cronJob('0 * * * *', { last: TOP }), now: TOP + 30 * S, earliest: TOP },
    { name: 'earliestTime being LastScheduleTime', cj: cronJob('*/5 * * * *', { last: TOP + 30 * M }), now: TOP + 31 * M, earliest: TOP + 30 * M },
    { name: 'earliestTime being LastScheduleTime (within StartingDeadlineSeconds)', cj: cronJob('*/5 * * * *', { last: TOP + 30 * M, sds: 60 }), now: TOP + 31 * M, earliest: TOP + 30 * M },
    { name: 'earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)', cj: cronJob('*/5 * * * *', { last: TOP + 30 * M, sds: 60 }), sds: true, now: TOP + 32 * M, earliest: TOP + 31 * M },
  ];
  it.each(cases)('$name', (c) => {
    const r = mostRecentScheduleTime(c.cj, c.now, parseStandard(c.cj.spec.schedule, 'UTC'), c.sds ?? false);
    if (c.err) { expect(r.error).toBe('time difference between two schedules is less than 1 second'); return; }
    expect(r.error).toBeUndefined();
    expect(r.earliestMs).toBe(c.earliest);
    expect(r.mostRecentMs).toBe(c.recent);
    expect(r.missed).toBe(c.missed ?? 'none');
  });
});

describe('nextScheduleTimeDuration (upstream table)', () => {
  it.each([
    { name: 'complex schedule skipping weekend', cj: cronJob('30 6-16/4 * * 1-5', { last: TOP + 30 * M }), now: TOP + 24 * H + 31 * M, want: 3 * H + 59 * M },
    { name: 'another complex schedule skipping weekend', cj: cronJob('30 10,11,12 * * 1-5', { last: TOP + 30 * M }), now: TOP + 30 * H + 30 * M, want: 66 * H },
    { name: 'once a week cronjob, missed two runs', cj: cronJob('0 12 * * 4', { last: TOP + 2 * H }), now: TOP + 19 * 24 * H + H + 30 * M, want: 48 * H + 30 * M },
    { name: 'no previous run of a cronjob', cj: cronJob('0 12 * * 5'), now: TOP + 6 * H, want: 20 * H },
  ])('$name', ({ cj, now, want }) => {
    expect(nextScheduleTimeDuration(cj, now, parseStandard(cj.spec.schedule, 'UTC'))).toBe(want + NEXT_SCHEDULE_DELTA_MS);
  });
});

describe('job names and templates', () => {
  it('names a run by minutes since the epoch', () => {
    expect(jobNameFor(cronJob('* * * * *'), TOP)).toBe(`mycronjob-${TOP / 60_000}`);
    expect(jobNameFor(cronJob('* * * * *'), Date.parse('2024-01-01T00:00:00Z'))).toBe('mycronjob-28401120');
  });
  it('copies labels/annotations, owns the Job and stamps the scheduled time in the CronJob zone', () => {
    const cj = cronJob('* * * * ?');
    cj.spec.jobTemplate.metadata = { labels: { a: 'b' }, annotations: { x: 'y' } };
    const utc = jobFromTemplate(cj, TOP);
    expect(utc.metadata.labels).toEqual({ a: 'b' });
    expect(utc.metadata.annotations).toEqual({ x: 'y', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2016-05-19T10:00:00Z' });
    expect(utc.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'mycronjob', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
    cj.spec.timeZone = 'Europe/Rome';
    expect(jobFromTemplate(cj, TOP).metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2016-05-19T12:00:00+02:00');
  });
  it('sorts jobs by start time, unstarted last, names breaking ties (TestByJobStartTime)', () => {
    const j = (name: string, start?: string): Job => ({ metadata: { name }, spec: { template: { spec: { containers: [] } } }, status: start ? { startTime: start } : {} });
    const names = (l: Job[]): string[] => l.map((x) => `${x.metadata.name}${x.status?.startTime ? '@' + x.status.startTime.slice(0, 4) : ''}`);
    expect(names([j('b'), j('a')].sort(byJobStartTime))).toEqual(['a', 'b']);
    expect(names([j('a'), j('b', '2018-01-01T00:00:00Z')].sort(byJobStartTime))).toEqual(['b@2018', 'a']);
    expect(names([j('b', '2018-01-01T00:00:00Z'), j('a', '2018-01-01T00:00:00Z')].sort(byJobStartTime))).toEqual(['a@2018', 'b@2018']);
    expect(names([j('a', '2019-01-01T00:00:00Z'), j('b', '2018-01-01T00:00:00Z')].sort(byJobStartTime))).toEqual(['b@2018', 'a@2019']);
  });
  it('formats MissSchedule times as Go RFC1123Z in UTC', () => {
    expect(rfc1123z(TOP)).toBe('Thu, 19 May 2016 10:00:00 +0000');
  });
});

interface Ev { type: string; reason: string; message: string }

function fakeDeps(clock: FakeClock, cj: CronJob, jobs: Map<string, Job>): CronJobDeps & { events: Ev[]; deleted: string[] } {
  const events: Ev[] = []; const deleted: string[] = [];
  let uid = 0;
  const recorder: EventRecorder = { event: (_o, type, reason, message) => { events.push({ type, reason, message }); } } as EventRecorder;
  const notFound = (name: string): ApiError => new ApiError({ code: 404, reason: 'NotFound', message: `jobs.batch "${name}" not found` } as never, 404);
  return {
    events, deleted, recorder, localZone: 'UTC', now: () => clock.now(),
    getJob: async (_ns, name) => { const j = jobs.get(name); if (!j) throw notFound(name); return j; },
    createJob: async (_ns, job) => {
      if (jobs.has(job.metadata.name!)) throw new ApiError({ code: 409, reason: 'AlreadyExists', message: 'exists' } as never, 409);
      const created = { ...job, metadata: { ...job.metadata, uid: `job-${++uid}`, resourceVersion: '5' } };
      jobs.set(job.metadata.name!, created);
      return created;
    },
    deleteJob: async (_ns, name) => { deleted.push(name); jobs.delete(name); },
    getCronJob: async () => cj,
  };
}

const finished = (j: Job, type: 'Complete' | 'Failed', when: number): Job => ({
  ...j, status: { ...j.status, startTime: at(when - M), ...(type === 'Complete' ? { completionTime: at(when) } : {}), conditions: [{ type, status: 'True', lastTransitionTime: at(when) }] },
});

describe('syncCronJob on a FakeClock', () => {
  it('creates the Job of the most recent run, records it in status and requeues at the next minute', async () => {
    const clock = new FakeClock(TOP + 30 * S);
    const cj = cronJob('* * * * *', { created: TOP - 10 * S });
    const jobs = new Map<string, Job>();
    const deps = fakeDeps(clock, cj, jobs);
    const r = await syncCronJob(cj, [], deps);
    expect([...jobs.keys()]).toEqual([`mycronjob-${TOP / M}`]);
    expect(r.updateStatus).toBe(true);
    expect(r.requeueAfterMs).toBe(30 * S + NEXT_SCHEDULE_DELTA_MS);
    expect(cj.status?.lastScheduleTime).toBe(at(TOP));
    expect(cj.status?.active).toEqual([{ kind: 'Job', apiVersion: 'batch/v1', namespace: 'default', name: `mycronjob-${TOP / M}`, uid: 'job-1', resourceVersion: '5' }]);
    expect(deps.events).toEqual([{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created job mycronjob-${TOP / M}` }]);

    // The same minute again does nothing; the next minute runs again.
    const again = await syncCronJob(cj, [...jobs.values()], deps);
    expect(again.updateStatus).toBe(false);
    expect(jobs.size).toBe(1);
    await clock.step(30 * S + NEXT_SCHEDULE_DELTA_MS);
    await syncCronJob(cj, [...jobs.values()], deps);
    expect(jobs.size).toBe(2);
    expect(cj.status?.active?.length).toBe(2);
  });

  it('removes finished Jobs from active (SawCompletedJob), then records lastSuccessfulTime', async () => {
    const clock = new FakeClock(TOP + 30 * S);
    const cj = cronJob('0 * * * *', { created: TOP - H, last: TOP });
    const jobs = new Map<string, Job>();
    const deps = fakeDeps(clock, cj, jobs);
    const j = finished({ metadata: { name: 'mycronjob-1', namespace: 'default', uid: 'u1' }, spec: { template: { spec: { containers: [] } } } }, 'Complete', TOP + 20 * S);
    jobs.set('mycronjob-1', j);
    cj.status!.active = [{ kind: 'Job', name: 'mycronjob-1', namespace: 'default', uid: 'u1' }];
    const r = await syncCronJob(cj, [j], deps);
    expect(r.updateStatus).toBe(true);
    expect(cj.status?.active).toEqual([]);
    expect(deps.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['SawCompletedJob: Saw completed job: mycronjob-1, status: Complete']);
    await syncCronJob(cj, [j], deps);
    expect(cj.status?.lastSuccessfulTime).toBe(at(TOP + 20 * S));
  });

  it('Forbid skips a run while one is active; Replace deletes the active one first', async () => {
    const clock = new FakeClock(TOP + 61 * M);
    for (const policy of ['Forbid', 'Replace'] as const) {
      const cj = cronJob('0 * * * *', { created: TOP - H, last: TOP, policy });
      const jobs = new Map<string, Job>();
      const deps = fakeDeps(clock, cj, jobs);
      const running: Job = { metadata: { name: 'mycronjob-old', namespace: 'default', uid: 'old' }, spec: { template: { spec: { containers: [] } } } };
      jobs.set('mycronjob-old', running);
      cj.status!.active = [{ kind: 'Job', name: 'mycronjob-old', namespace: 'default', uid: 'old' }];
      await syncCronJob(cj, [running], deps);
      if (policy === 'Forbid') {
        expect(jobs.size).toBe(1);
        expect(deps.events.map((e) => e.reason)).toEqual(['JobAlreadyActive']);
      } else {
        expect(deps.deleted).toEqual(['mycronjob-old']);
        expect([...jobs.keys()]).toEqual([`mycronjob-${(TOP + H) / M}`]);
        expect(deps.events.map((e) => e.reason)).toEqual(['SuccessfulDelete', 'SuccessfulCreate']);
      }
    }
  });

  it('misses a run past startingDeadlineSeconds, warns about too many missed runs, and honours suspend', async () => {
    const clock = new FakeClock(TOP + 5 * M);
    const late = cronJob('0 * * * *', { created: TOP - H, last: TOP - H, sds: 60 });
    const deps = fakeDeps(clock, late, new Map());
    const r = await syncCronJob(late, [], deps);
    expect(deps.events).toEqual([]); // the deadline moves earliest past TOP: nothing due
    expect(r.requeueAfterMs).toBe(55 * M + NEXT_SCHEDULE_DELTA_MS);

    const many = cronJob('* * * * *', { created: TOP - 200 * M });
    const d2 = fakeDeps(clock, many, new Map());
    await syncCronJob(many, [], d2);
    expect(d2.events.map((e) => e.reason)).toEqual(['TooManyMissedTimes', 'SuccessfulCreate']);

    const suspended = cronJob('* * * * *', { created: TOP - 2 * M, suspend: true });
    const d3 = fakeDeps(clock, suspended, new Map());
    expect(await syncCronJob(suspended, [], d3)).toEqual({ updateStatus: false });
  });

  it('runs in spec.timeZone across a DST change', async () => {
    // 09:00 New York daily; on 2024-03-10 EST -> EDT, so consecutive runs are 23 hours apart.
    const created = Date.parse('2024-03-09T12:00:00Z');
    const cj = cronJob('0 9 * * *', { created, tz: 'America/New_York' });
    const clock = new FakeClock(Date.parse('2024-03-09T14:00:30Z'));
    const jobs = new Map<string, Job>();
    const deps = fakeDeps(clock, cj, jobs);
    const r = await syncCronJob(cj, [], deps);
    expect(cj.status?.lastScheduleTime).toBe('2024-03-09T14:00:00Z');
    expect(r.requeueAfterMs).toBe(23 * H - 30 * S + NEXT_SCHEDULE_DELTA_MS);
    expect([...jobs.values()][0]!.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2024-03-09T09:00:00-05:00');
  });

  it('reports unknown zones and unparseable schedules as warnings', async () => {
    const clock = new FakeClock(TOP);
    const badTZ = cronJob('* * * * *', { tz: 'Mars/Olympus' });
    const d1 = fakeDeps(clock, badTZ, new Map());
    await syncCronJob(badTZ, [], d1);
    expect(d1.events).toEqual([{ type: 'Warning', reason: 'UnknownTimeZone', message: 'invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus' }]);
    const bad = cronJob('61 * * * *');
    const d2 = fakeDeps(clock, bad, new Map());
    await syncCronJob(bad, [], d2);
    expect(d2.events).toEqual([{ type: 'Warning', reason: 'UnparseableSchedule', message: 'unparseable schedule: "61 * * * *" : end of range (61) above maximum (59): 61' }]);
  });

  it('keeps successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs, deleting the oldest', async () => {
    const clock = new FakeClock(TOP);
    const cj = cronJob('0 * * * *');
    cj.spec.successfulJobsHistoryLimit = 1; cj.spec.failedJobsHistoryLimit = 0;
    const jobs = new Map<string, Job>();
    const deps = fakeDeps(clock, cj, jobs);
    const mk = (name: string, type: 'Complete' | 'Failed', when: number): Job => finished({ metadata: { name, namespace: 'default', uid: name }, spec: { template: { spec: { containers: [] } } } }, type, when);
    const list = [mk('s1', 'Complete', TOP - 3 * H), mk('s2', 'Complete', TOP - 2 * H), mk('f1', 'Failed', TOP - H)];
    for (const j of list) jobs.set(j.metadata.name!, j);
    await cleanupFinishedJobs(cj, list, deps);
    expect(deps.deleted).toEqual(['s1', 'f1']);
    expect(deps.events.map((e) => e.message)).toEqual(['Deleted job s1', 'Deleted job f1']);
  });
});
