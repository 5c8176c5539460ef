// Job and ttl-after-finished controllers end to end: kube-apiserver on raftkv, the controllers
// in-process, a FakeKubelet running pods bound (spec.nodeName) to its node; read back with kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { R } from '@kube-ts/client/resources';
import type { CoreEvent, Pod } from '@kube-ts/client/types';
import type { Job } from '@kube-ts/client/workloads';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { JobController } from '../src/controllers/job/index.js';
import { initTTLAfterFinished } from '../src/controllers/ttlafterfinished/index.js';
import { startControllerTestCluster, type ControllerTestCluster } from './support/controllercluster.js';
import { eventually, type Harness } from './support/harness.js';

const NODE = 'job-node';

function jobManifest(name: string, spec: Record<string, unknown>, podAnnotations: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { annotations: podAnnotations },
        spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  });
}

describe('job controller e2e (raftkv)', () => {
  let t: ControllerTestCluster;
  let c: Cluster;
  let h: Harness;
  const jobs = (): ReturnType<Harness['rest']['resource']> => h.rest.resource<Job>(R.jobs);
  const getJob = async (name: string): Promise<Job> => (await jobs().get(name, 'default')) as Job;
  const podsOf = async (name: string): Promise<Pod[]> =>
    (await h.rest.resource<Pod>(R.pods).list('default', { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
  const eventsFor = async (name: string): Promise<CoreEvent[]> =>
    (await h.rest.resource<CoreEvent>(R.events).list('default', { fieldSelector: `involvedObject.name=${name}` })).items;

  beforeAll(async () => {
    // A 1 s first pod-failure backoff (upstream 10 s) keeps the failure scenario short.
    t = await startControllerTestCluster([(ctx) => new JobController(ctx, { podFailureBackoffMs: 1000 }), initTTLAfterFinished], { nodes: [NODE] });
    ({ cluster: c, harness: h } = t);
  }, 60_000);

  afterAll(() => t?.teardown());

  it('runs completions 3 / parallelism 2 to Complete; kubectl shows 3/3 and wait returns', async () => {
    await c.kubectlOk(['apply', '-f', '-'], jobManifest('ok', { completions: 3, parallelism: 2 }, { 'kube-ts.test/phase': 'Succeeded', 'kube-ts.test/run-ms': '300' }));
    await c.kubectlOk(['wait', '--for=condition=complete', 'job/ok', '--timeout=30s']);
    const row = await c.kubectlOk(['get', 'job', 'ok', '--no-headers']);
    expect(row).toMatch(/^ok\s+Complete\s+3\/3\s/);

    const j = await getJob('ok');
    expect(j.status?.succeeded).toBe(3);
    expect(j.status?.failed ?? 0).toBe(0);
    expect(j.status?.active ?? 0).toBe(0);
    expect(j.status?.ready).toBe(0);
    expect(j.status?.terminating).toBe(0);
    expect(j.status?.uncountedTerminatedPods).toEqual({});
    expect(j.status?.startTime).toBeTruthy();
    expect(j.status?.completionTime).toBeTruthy();
    expect(j.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ]);

    const pods = await podsOf('ok');
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.labels).toMatchObject({ 'batch.kubernetes.io/job-name': 'ok', 'job-name': 'ok', 'batch.kubernetes.io/controller-uid': j.metadata.uid, 'controller-uid': j.metadata.uid });
      expect(p.metadata.finalizers ?? []).not.toContain('batch.kubernetes.io/job-tracking');
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'ok', uid: j.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await eventually(async () => {
      const evs = await eventsFor('ok');
      return evs.filter((e) => e.reason === 'SuccessfulCreate').length === 3 && evs.some((e) => e.reason === 'Completed' && e.message === 'Job completed' && e.source?.component === 'job-controller');
    }, 10_000, 'SuccessfulCreate x3 and Completed events');
    const describe = await c.kubectlOk(['describe', 'job', 'ok']);
    expect(describe).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed/);
  }, 60_000);

  it('fails with BackoffLimitExceeded after backoffLimit+1 failed pods', async () => {
    await c.kubectlOk(['apply', '-f', '-'], jobManifest('boom', { backoffLimit: 1 }, { 'kube-ts.test/phase': 'Failed', 'kube-ts.test/exit-code': '3' }));
    await c.kubectlOk(['wait', '--for=condition=failed', 'job/boom', '--timeout=30s']);
    const j = await getJob('boom');
    expect(j.status?.failed).toBe(2);
    expect(j.status?.succeeded ?? 0).toBe(0);
    expect(j.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message])).toEqual([
      ['FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(j.status?.completionTime).toBeUndefined();
    expect(await podsOf('boom')).toHaveLength(2);
    expect(await c.kubectlOk(['get', 'job', 'boom', '--no-headers'])).toMatch(/^boom\s+Failed\s+0\/1\s/);
    await eventually(async () => (await eventsFor('boom')).some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded' && e.message === 'Job has reached the specified backoff limit'), 10_000, 'BackoffLimitExceeded event');
  }, 60_000);

  it('fails at activeDeadlineSeconds (DeadlineExceeded), deleting and counting its running pods', async () => {
    await c.kubectlOk(['apply', '-f', '-'], jobManifest('slow', { parallelism: 2, completions: 4, activeDeadlineSeconds: 2 }, {}));
    await c.kubectlOk(['wait', '--for=condition=failed', 'job/slow', '--timeout=30s']);
    const j = await getJob('slow');
    expect(j.status?.conditions?.map((x) => [x.type, x.reason, x.message])).toEqual([
      ['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
      ['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
    ]);
    expect(j.status?.failed).toBe(2);
    expect(j.status?.active ?? 0).toBe(0);
    expect(j.status?.terminating).toBe(0);
    expect(await podsOf('slow')).toHaveLength(0);
  }, 60_000);

  it('fails on a podFailurePolicy FailJob exit code with upstream\'s message', async () => {
    await c.kubectlOk(['apply', '-f', '-'], jobManifest('pfp', {
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] },
    }, { 'kube-ts.test/phase': 'Failed', 'kube-ts.test/exit-code': '42' }));
    await c.kubectlOk(['wait', '--for=condition=failed', 'job/pfp', '--timeout=30s']);
    const j = await getJob('pfp');
    const [pod] = await podsOf('pfp');
    const msg = `Container main for pod default/${pod!.metadata.name} failed with exit code 42 matching FailJob rule at index 0`;
    expect(j.status?.conditions?.map((x) => [x.type, x.reason, x.message])).toEqual([['FailureTarget', 'PodFailurePolicy', msg], ['Failed', 'PodFailurePolicy', msg]]);
    expect(j.status?.failed).toBe(1);
  }, 60_000);

  it('creates no pods while suspended and starts them on resume (Suspended/Resumed)', async () => {
    await c.kubectlOk(['apply', '-f', '-'], jobManifest('sus', { suspend: true }, { 'kube-ts.test/phase': 'Succeeded', 'kube-ts.test/run-ms': '200' }));
    const suspended = await eventually(async () => {
      const j = await getJob('sus');
      return j.status?.conditions?.find((x) => x.type === 'Suspended' && x.status === 'True') ? j : undefined;
    }, 10_000, 'Suspended condition');
    expect(suspended.status?.startTime).toBeUndefined();
    expect(suspended.status?.conditions?.find((x) => x.type === 'Suspended')).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    expect(await podsOf('sus')).toHaveLength(0);
    await c.kubectlOk(['patch', 'job', 'sus', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await c.kubectlOk(['wait', '--for=condition=complete', 'job/sus', '--timeout=30s']);
    const j = await getJob('sus');
    expect(j.status?.conditions?.find((x) => x.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed', message: 'Job resumed' });
    expect(j.status?.startTime).toBeTruthy();
    await eventually(async () => {
      const reasons = (await eventsFor('sus')).map((e) => e.reason);
      return reasons.includes('Suspended') && reasons.includes('Resumed');
    }, 10_000, 'Suspended and Resumed events');
  }, 60_000);

  it('runs an Indexed job (indexes, hostnames, completedIndexes), then deletes it after ttlSecondsAfterFinished', async () => {
    await c.kubectlOk(['apply', '-f', '-'], jobManifest('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed', ttlSecondsAfterFinished: 1 }, { 'kube-ts.test/phase': 'Succeeded' }));
    await c.kubectlOk(['wait', '--for=condition=complete', 'job/idx', '--timeout=30s']);
    const pods = await podsOf('idx');
    const byIndex = new Map(pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
    expect([...byIndex.keys()].sort()).toEqual(['0', '1', '2']);
    for (const [ix, p] of byIndex) {
      expect(p.metadata.name).toMatch(new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      expect(p.metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe(ix);
      expect(p.spec.hostname).toBe(`idx-${ix}`);
      expect((p.spec.containers[0] as { env?: unknown[] }).env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }]);
    }
    // The TTL controller deletes the finished Job (foreground: it waits on its dependents).
    const gone = await eventually(async () => {
      try {
        const j = await getJob('idx');
        if (j.status?.completedIndexes !== '0-2') throw new Error(`completedIndexes ${j.status?.completedIndexes}`);
        return j.metadata.deletionTimestamp ? j : undefined;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return { deleted: true } as unknown as Job;
        throw e;
      }
    }, 15_000, 'TTL deletion of idx');
    if (gone.metadata) expect(gone.metadata.finalizers ?? []).toContain('foregroundDeletion');
  }, 60_000);
});
