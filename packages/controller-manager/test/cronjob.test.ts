// CronJob controller end to end on the real clock: a "* * * * *" CronJob fires at the next minute
// boundary, creating the Job upstream would name, which the Job controller runs to completion
// (FakeKubelet) and the CronJob then records. Schedule arithmetic is covered on a FakeClock in
// test/unit/cronjob.test.ts; this file observes one real firing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R } from '@kube-ts/client/resources';
import type { CoreEvent } from '@kube-ts/client/types';
import type { CronJob, Job } from '@kube-ts/client/workloads';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { initCronJob } from '../src/controllers/cronjob/index.js';
import { initJob } from '../src/controllers/job/index.js';
import { startControllerTestCluster, type ControllerTestCluster } from './support/controllercluster.js';
import { eventually, type Harness } from './support/harness.js';

const NODE = 'cron-node';

describe('cronjob controller e2e (raftkv)', () => {
  let t: ControllerTestCluster;
  let c: Cluster;
  let h: Harness;

  beforeAll(async () => {
    t = await startControllerTestCluster([initCronJob, initJob], { nodes: [NODE] });
    ({ cluster: c, harness: h } = t);
  }, 60_000);

  afterAll(() => t?.teardown());

  it('fires "* * * * *" at the minute, names the Job <cronjob>-<minutes since epoch>, and records its success', async () => {
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'every-minute' },
      spec: {
        schedule: '* * * * *',
        jobTemplate: {
          metadata: { labels: { app: 'tick' } },
          spec: { template: { metadata: { annotations: { 'kube-ts.test/phase': 'Succeeded' } }, spec: { nodeName: NODE, restartPolicy: 'OnFailure', containers: [{ name: 'tick', image: 'busybox' }] } } },
        },
      },
    }));
    const cj = await h.rest.resource<CronJob>(R.cronjobs).get('every-minute', 'default');

    const job = await eventually(async () => {
      const list = await h.rest.resource<Job>(R.jobs).list('default');
      return list.items.find((j) => j.metadata.ownerReferences?.some((r) => r.uid === cj.metadata.uid));
    }, 70_000, 'a Job from the CronJob');
    const stamp = job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    const scheduled = Date.parse(stamp!);
    expect(job.metadata.name).toBe(`every-minute-${scheduled / 60_000}`);
    expect(job.metadata.labels?.app).toBe('tick');
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'every-minute', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);

    // The Job completes; the CronJob drops it from active and records the success.
    const done = await eventually(async () => {
      const cur = await h.rest.resource<CronJob>(R.cronjobs).get('every-minute', 'default');
      return cur.status?.lastSuccessfulTime && (cur.status.active ?? []).length === 0 ? cur : undefined;
    }, 20_000, 'lastSuccessfulTime');
    expect(done.status?.lastScheduleTime).toBe(stamp);
    const row = await c.kubectlOk(['get', 'cronjob', 'every-minute', '--no-headers']);
    expect(row).toMatch(/^every-minute\s+\*\s\*\s\*\s\*\s\*\s+<none>\s+False\s+0\s+\d+s\s/);

    await eventually(async () => {
      const events = (await h.rest.resource<CoreEvent>(R.events).list('default', { fieldSelector: 'involvedObject.name=every-minute' })).items;
      const msgs = events.filter((e) => e.source?.component === 'cronjob-controller').map((e) => `${e.reason}: ${e.message}`);
      return msgs.includes(`SuccessfulCreate: Created job ${job.metadata.name}`) && msgs.includes(`SawCompletedJob: Saw completed job: ${job.metadata.name}, status: Complete`);
    }, 10_000, 'SuccessfulCreate and SawCompletedJob events');
  }, 100_000);
});
