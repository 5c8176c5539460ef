// Workload groups (apps, batch, autoscaling, policy, scheduling, coordination): schemas, defaulting,
// validation messages, printer columns and the autoscaling v1 <-> v2 conversion.
import { describe, expect, it } from 'vitest';
import type { KubeObject, StatusCause } from '../../src/api/types.js';
import type { ObjectType } from '../../src/schema/dsl.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import * as appsSchema from '../../src/schema/defs/apps.js';
import * as batchSchema from '../../src/schema/defs/batch.js';
import * as autoscalingSchema from '../../src/schema/defs/autoscaling.js';
import * as policySchema from '../../src/schema/defs/policy.js';
import * as schedulingSchema from '../../src/schema/defs/scheduling.js';
import * as coordinationSchema from '../../src/schema/defs/coordination.js';
import type { ResourceDef } from '../../src/registry/resource.js';
import * as apps from '../../src/registry/apps.js';
import * as batch from '../../src/registry/batch.js';
import * as autoscaling from '../../src/registry/autoscaling.js';
import * as policy from '../../src/registry/policy.js';
import * as scheduling from '../../src/registry/scheduling.js';
import * as coordination from '../../src/registry/coordination.js';

type Obj = Record<string, unknown>;
const mine: ObjectType[] = [appsSchema, batchSchema, autoscalingSchema, policySchema, schedulingSchema, coordinationSchema].flatMap((m) => m.types);
const allResources: ResourceDef[] = [apps, batch, autoscaling, policy, scheduling, coordination].flatMap((m) => m.resources);
const OWN_PREFIXES = ['io.k8s.api.apps.', 'io.k8s.api.batch.', 'io.k8s.api.autoscaling.', 'io.k8s.api.policy.', 'io.k8s.api.scheduling.', 'io.k8s.api.coordination.'];

const obj = (apiVersion: string, kind: string, body: Obj, meta: Obj = {}): KubeObject =>
  ({ apiVersion, kind, metadata: { name: 'x', namespace: 'default', uid: 'uid-1', creationTimestamp: new Date().toISOString(), ...meta }, ...body });
const template = (labels: Record<string, string> | undefined, extra: Obj = {}): Obj => ({
  metadata: labels ? { labels } : {},
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...extra },
});
const find = (r: ResourceDef, o: KubeObject, old?: KubeObject): StatusCause[] => r.validate?.(o, old) ?? [];
const messages = (cs: StatusCause[]): string[] => cs.map((c) => `${c.field}: ${c.message}`);
const column = (r: ResourceDef, name: string, o: KubeObject): unknown => r.columns.find((c) => c.name === name)!.value(o);
const admit = (r: ResourceDef, o: KubeObject): KubeObject => { r.defaults?.(o); return o; };

describe('schemas', () => {
  it('names are unique', () => {
    const names = mine.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('refs within these groups resolve', () => {
    const reg = new SchemaRegistry(mine);
    const dangling = reg.danglingRefs().filter((d) => OWN_PREFIXES.some((p) => d.split(' -> ')[1]!.startsWith(p)));
    expect(dangling).toEqual([]);
  });

  it('every declared resource has its schema and list type, with its GVK', () => {
    const reg = new SchemaRegistry(mine);
    for (const r of allResources) {
      const t = reg.get(r.schema);
      expect(t, r.schema).toBeDefined();
      expect(t!.gvk).toEqual([{ group: r.group, version: r.version, kind: r.kind }]);
      expect(reg.forGVK({ group: r.group, version: r.version, kind: `${r.kind}List` })?.name).toBe(`${r.schema}List`);
    }
    expect(reg.get('io.k8s.api.autoscaling.v1.Scale')?.gvk).toEqual([{ group: 'autoscaling', version: 'v1', kind: 'Scale' }]);
    expect(reg.get('io.k8s.api.policy.v1.Eviction')?.fields.deleteOptions?.proto).toBe(2);
  });

  it('carries upstream proto numbers, patch tags, list types and required fields', () => {
    const reg = new SchemaRegistry(mine);
    const ds = reg.get('io.k8s.api.apps.v1.DeploymentSpec')!;
    expect(ds.fields.progressDeadlineSeconds?.proto).toBe(9);
    expect(ds.fields.strategy?.patchStrategy).toBe('retainKeys');
    expect(ds.fields.selector?.required).toBe(true);
    expect(ds.fields.template?.type).toEqual({ ref: 'io.k8s.api.core.v1.PodTemplateSpec' });
    const conds = reg.get('io.k8s.api.apps.v1.DeploymentStatus')!.fields.conditions!;
    expect(conds).toMatchObject({ patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] });
    expect(reg.get('io.k8s.api.batch.v1.JobSpec')!.fields.completionMode?.enum).toEqual(['NonIndexed', 'Indexed']);
    expect(reg.get('io.k8s.api.batch.v1.CronJobSpec')!.fields.schedule?.required).toBe(true);
    expect(reg.get('io.k8s.api.coordination.v1.LeaseSpec')!.fields.renewTime?.type).toEqual({ scalar: 'micro-time' });
    expect(reg.get('io.k8s.api.batch.v1.JobTemplateSpec')!.fields.metadata?.proto).toBe(1);
  });
});

describe('apps/v1', () => {
  const deploy = apps.deploymentResource;

  it('defaults a deployment as upstream', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', { spec: { selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) } }));
    expect(d.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' } },
    });
    expect((d.spec as Obj).template).toMatchObject({ spec: { containers: [{ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' }] } });
    expect(find(deploy, d)).toEqual([]);
  });

  it('Recreate gets no rollingUpdate', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', { spec: { strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) } }));
    expect((d.spec as Obj).strategy).toEqual({ type: 'Recreate' });
  });

  it('rejects a selector that does not match the template, with upstream messages', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', { spec: { replicas: -1, selector: { matchLabels: { app: 'a' } }, template: template({ app: 'b' }) } }));
    expect(messages(find(deploy, d))).toEqual(expect.arrayContaining([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
    ]));
  });

  it('requires a selector and restartPolicy Always', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', { spec: { template: template({ app: 'a' }, { restartPolicy: 'OnFailure' }) } }));
    const ms = messages(find(deploy, d));
    expect(ms).toContain('spec.selector: Required value');
    expect(ms).toContain('spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"');
  });

  it('rejects empty selectors and bad rolling update parameters', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', { spec: { selector: {}, template: template({ app: 'a' }), strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } }));
    const ms = messages(find(deploy, d));
    expect(ms).toContain('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment');
    expect(ms).toContain('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0');
    const p = admit(deploy, obj('apps/v1', 'Deployment', { spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }), strategy: { rollingUpdate: { maxUnavailable: '120%' } } } }));
    expect(messages(find(deploy, p))).toContain('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%');
  });

  it('validates selector expressions', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', { spec: { selector: { matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Bad' }] }, template: template({ a: 'x' }) } }));
    const ms = messages(find(deploy, d));
    expect(ms).toContain("spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
    expect(ms).toContain('spec.selector.matchExpressions[1].operator: Invalid value: "Bad": not a valid selector operator');
  });

  it('keeps the selector immutable on update', () => {
    const old = admit(deploy, obj('apps/v1', 'Deployment', { spec: { selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a', v: '1' }) } }));
    const now = admit(deploy, obj('apps/v1', 'Deployment', { spec: { selector: { matchLabels: { app: 'a', v: '1' } }, template: template({ app: 'a', v: '1' }) } }));
    expect(messages(find(deploy, now, old))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"a", "v":"1"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(find(deploy, old, old)).toEqual([]);
  });

  it('prints deployment columns as upstream', () => {
    const d = admit(deploy, obj('apps/v1', 'Deployment', {
      spec: { replicas: 3, selector: { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, template: { metadata: { labels: { app: 'a', tier: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 1 },
    }));
    expect(deploy.columns.map((c) => c.name)).toEqual(['Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    expect(deploy.columns.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['Containers', 'Images', 'Selector']);
    expect(column(deploy, 'Ready', d)).toBe('2/3');
    expect(column(deploy, 'Up-to-date', d)).toBe(3);
    expect(column(deploy, 'Available', d)).toBe(1);
    expect(column(deploy, 'Containers', d)).toBe('a,b');
    expect(column(deploy, 'Images', d)).toBe('nginx,busybox');
    expect(column(deploy, 'Selector', d)).toBe('app=a,tier in (api,web)');
    expect(deploy).toMatchObject({ shortNames: ['deploy'], categories: ['all'], storagePath: 'deployments', hasSpec: true });
    expect(deploy.subresources?.scale).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' });
  });

  it('defaults statefulsets, daemonsets and replicasets', () => {
    const sts = admit(apps.statefulSetResource, obj('apps/v1', 'StatefulSet', { spec: { serviceName: 's', selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] } }));
    expect(sts.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    });
    expect(find(apps.statefulSetResource, sts)).toEqual([]);
    const changed = structuredClone(sts);
    (changed.spec as Obj).serviceName = 'other';
    expect(messages(find(apps.statefulSetResource, changed, sts))).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    const scaled = structuredClone(sts);
    (scaled.spec as Obj).replicas = 5;
    expect(find(apps.statefulSetResource, scaled, sts)).toEqual([]);

    const ds = admit(apps.daemonSetResource, obj('apps/v1', 'DaemonSet', { spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } }));
    expect(ds.spec).toMatchObject({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
    expect(ds.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    expect(find(apps.daemonSetResource, ds)).toEqual([]);
    expect(column(apps.daemonSetResource, 'Node Selector', ds)).toBe('<none>');

    const rs = admit(apps.replicaSetResource, obj('apps/v1', 'ReplicaSet', { spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } }));
    expect((rs.spec as Obj).replicas).toBe(1);
    expect(find(apps.replicaSetResource, rs)).toEqual([]);
    expect(column(apps.replicaSetResource, 'Selector', rs)).toBe('a=b');
  });

  it('validates controller revisions', () => {
    const cr = obj('apps/v1', 'ControllerRevision', { revision: 1 }, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] });
    expect(messages(find(apps.controllerRevisionResource, cr))).toEqual(['data: Required value: data is mandatory']);
    expect(column(apps.controllerRevisionResource, 'Controller', cr)).toBe('statefulset.apps/web');
  });
});

describe('batch/v1', () => {
  const job = batch.jobResource;

  it('defaults a job and generates its selector from the uid', () => {
    const j = admit(job, obj('batch/v1', 'Job', { spec: { template: template(undefined, { restartPolicy: 'Never' }) } }, { name: 'pi', uid: 'abc-123' }));
    expect(j.spec).toMatchObject({
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc-123' } },
    });
    const labels = { 'batch.kubernetes.io/controller-uid': 'abc-123', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'abc-123', 'job-name': 'pi' };
    expect(((j.spec as Obj).template as Obj).metadata).toEqual({ labels });
    expect(j.metadata.labels).toEqual(labels);
    expect(find(job, j)).toEqual([]);
  });

  it('keeps user template labels as the job labels, and Failed replacement with a pod failure policy', () => {
    const j = admit(job, obj('batch/v1', 'Job', { spec: { completions: 3, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] }, template: template({ app: 'x' }, { restartPolicy: 'Never' }) } }));
    expect(j.metadata.labels).toEqual({ app: 'x' });
    expect(j.spec).toMatchObject({ completions: 3, parallelism: 1, podReplacementPolicy: 'Failed' });
    expect(j.spec).toMatchObject({ podFailurePolicy: { rules: [{ onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } });
    expect(find(job, j)).toEqual([]);
  });

  it('rejects restartPolicy Always and foreign selectors', () => {
    const j = admit(job, obj('batch/v1', 'Job', { spec: { template: template(undefined) } }));
    expect(messages(find(job, j))).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const m = admit(job, obj('batch/v1', 'Job', { spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: template({ a: 'c' }, { restartPolicy: 'Never' }) } }));
    expect(messages(find(job, m))).toEqual(['spec.template.metadata.labels: Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`']);
  });

  it('keeps the selector and template immutable', () => {
    const old = admit(job, obj('batch/v1', 'Job', { spec: { template: template(undefined, { restartPolicy: 'Never' }) } }));
    const now = structuredClone(old);
    (((now.spec as Obj).template as Obj).spec as Obj).containers = [{ name: 'c', image: 'busybox' }];
    expect(messages(find(job, now, old)).some((m) => m.startsWith('spec.template: Invalid value:') && m.endsWith('field is immutable'))).toBe(true);
  });

  it('prints job columns', () => {
    const j = admit(job, obj('batch/v1', 'Job', {
      spec: { completions: 2, template: template(undefined, { restartPolicy: 'Never' }) },
      status: { succeeded: 1, startTime: '2024-01-01T00:00:00Z', completionTime: '2024-01-01T00:01:05Z', conditions: [{ type: 'Complete', status: 'True' }] },
    }));
    expect(job.columns.map((c) => c.name)).toEqual(['Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
    expect(column(job, 'Status', j)).toBe('Complete');
    expect(column(job, 'Completions', j)).toBe('1/2');
    expect(column(job, 'Duration', j)).toBe('65s');
    expect(column(job, 'Selector', j)).toBe('batch.kubernetes.io/controller-uid=uid-1');
    expect(job.fieldSelectors).toEqual(['status.successful']);
  });

  it('validates cron schedules with robfig/cron messages', () => {
    expect(batch.cronScheduleError('*/5 * * * *')).toBeUndefined();
    expect(batch.cronScheduleError('0 0 1 jan-mar mon-fri')).toBeUndefined();
    expect(batch.cronScheduleError('@hourly')).toBeUndefined();
    expect(batch.cronScheduleError('* * *')).toBe('expected exactly 5 fields, found 3: [* * *]');
    expect(batch.cronScheduleError('60 * * * *')).toBe('end of range (60) above maximum (59): 60');
    expect(batch.cronScheduleError('x * * * *')).toBe('failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
    expect(batch.cronScheduleError('@fortnightly')).toBe('unrecognized descriptor: @fortnightly');
  });

  it('defaults and validates cronjobs', () => {
    const cj = batch.cronJobResource;
    const c = admit(cj, obj('batch/v1', 'CronJob', { spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: template(undefined, { restartPolicy: 'OnFailure' }) } } } }));
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(find(cj, c)).toEqual([]);
    const bad = admit(cj, obj('batch/v1', 'CronJob', { spec: { schedule: 'nope', timeZone: 'Mars/Olympus', jobTemplate: { spec: { template: template(undefined, { restartPolicy: 'OnFailure' }) } } } }));
    expect(messages(find(cj, bad))).toEqual([
      'spec.schedule: Invalid value: "nope": expected exactly 5 fields, found 1: [nope]',
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    ]);
    const none = admit(cj, obj('batch/v1', 'CronJob', { spec: { jobTemplate: { spec: { template: template(undefined, { restartPolicy: 'OnFailure' }) } } } }));
    expect(messages(find(cj, none))).toEqual(['spec.schedule: Required value']);
    expect(cj.columns.map((c) => c.name)).toEqual(['Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector']);
    expect(column(cj, 'Suspend', c)).toBe('False');
    expect(column(cj, 'Last Schedule', c)).toBe('<none>');
    expect(cj.shortNames).toEqual(['cj']);
  });
});

describe('autoscaling', () => {
  const v1 = autoscaling.hpaV1Resource;
  const v2 = autoscaling.hpaV2Resource;
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

  it('shares storage, with v2 the storage version', () => {
    expect(v1.storagePath).toBe(v2.storagePath);
    expect(v1.conversion?.storageVersion).toBe('autoscaling/v2');
    expect(v2.conversion).toBeUndefined();
  });

  it('converts the CPU target and current utilization both ways', () => {
    const h1 = admit(v1, obj('autoscaling/v1', 'HorizontalPodAutoscaler', { spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 } }));
    const stored = v1.conversion!.toStorage(h1);
    expect(stored.apiVersion).toBe('autoscaling/v2');
    expect(stored.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] });
    expect((stored.status as Obj).currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30 } } }]);
    const back = v1.conversion!.fromStorage(stored);
    expect(back.apiVersion).toBe('autoscaling/v1');
    expect(back.spec).toEqual(h1.spec);
    expect((back.status as Obj).currentCPUUtilizationPercentage).toBe(30);
  });

  it('keeps what v1 cannot express in annotations, and gets it back', () => {
    const h2 = admit(v2, obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: {
      scaleTargetRef: ref, maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    } }));
    expect(((h2.spec as Obj).behavior as Obj).scaleDown).toEqual({ stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    const asV1 = v1.conversion!.fromStorage(h2);
    expect((asV1.spec as Obj).targetCPUUtilizationPercentage).toBe(60);
    expect(JSON.parse(asV1.metadata.annotations![autoscaling.METRIC_SPECS_ANNOTATION]!)).toEqual([{ type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } }]);
    expect(asV1.metadata.annotations![autoscaling.BEHAVIOR_ANNOTATION]).toBeDefined();
    const again = v1.conversion!.toStorage(asV1);
    expect(again.metadata.annotations).toBeUndefined();
    // Other metrics come first, then the CPU target (upstream's order).
    expect((again.spec as Obj).metrics).toEqual([(h2.spec as Obj & { metrics: Obj[] }).metrics[1], (h2.spec as Obj & { metrics: Obj[] }).metrics[0]]);
    expect((again.spec as Obj).behavior).toEqual((h2.spec as Obj).behavior);
  });

  it('defaults v2 to 80% CPU and validates replicas', () => {
    const h = admit(v2, obj('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { scaleTargetRef: ref, minReplicas: 3, maxReplicas: 2 } }));
    expect((h.spec as Obj).metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(messages(find(v2, h))).toEqual(['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
    const bad = admit(v1, obj('autoscaling/v1', 'HorizontalPodAutoscaler', { spec: { scaleTargetRef: { kind: 'Deployment' }, maxReplicas: 0, targetCPUUtilizationPercentage: 0 } }));
    expect(messages(find(v1, bad))).toEqual([
      'spec.scaleTargetRef.name: Required value',
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    ]);
  });

  it('prints targets as upstream', () => {
    const h = admit(v2, obj('autoscaling/v2', 'HorizontalPodAutoscaler', {
      spec: { scaleTargetRef: ref, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
      status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '5m' } } }] },
    }));
    expect(v2.columns.map((c) => c.name)).toEqual(['Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    expect(column(v2, 'Reference', h)).toBe('Deployment/web');
    expect(column(v2, 'Targets', h)).toBe('cpu: 12%/80%');
    expect(column(v2, 'MinPods', h)).toBe('1');
    const asV1 = v1.conversion!.fromStorage(h);
    expect(column(v1, 'Targets', asV1)).toBe('cpu: 12%/80%');
    expect(autoscaling.formatHPAMetrics([], [])).toBe('<none>');
  });
});

describe('policy, scheduling, coordination', () => {
  it('validates and prints pod disruption budgets', () => {
    const pdb = policy.podDisruptionBudgetResource;
    const p = admit(pdb, obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: '50%', selector: { matchLabels: { a: 'b' } } } }));
    expect(find(pdb, p)).toEqual([]);
    expect(pdb.columns.map((c) => c.name)).toEqual(['Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    expect([column(pdb, 'Min Available', p), column(pdb, 'Max Unavailable', p), column(pdb, 'Allowed Disruptions', p)]).toEqual(['50%', 'N/A', 0]);
    const both = admit(pdb, obj('policy/v1', 'PodDisruptionBudget', { spec: { minAvailable: 1, maxUnavailable: '200%' } }));
    const ms = messages(find(pdb, both));
    expect(ms.some((m) => m.startsWith('spec: Invalid value:') && m.endsWith('minAvailable and maxUnavailable cannot be both set'))).toBe(true);
    expect(ms).toContain('spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"200%"}: must not be greater than 100%');
  });

  it('defaults, protects and prints priority classes', () => {
    const pc = scheduling.priorityClassResource;
    expect(pc.namespaced).toBe(false);
    const p = admit(pc, obj('scheduling.k8s.io/v1', 'PriorityClass', { value: 1000 }, { name: 'high', namespace: undefined }));
    expect(p.preemptionPolicy).toBe('PreemptLowerPriority');
    expect(find(pc, p)).toEqual([]);
    expect(pc.columns.map((c) => c.name)).toEqual(['Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
    expect([column(pc, 'Value', p), column(pc, 'Global-Default', p), column(pc, 'PreemptionPolicy', p)]).toEqual([1000, false, 'PreemptLowerPriority']);
    const changed = { ...p, value: 2000 };
    expect(messages(find(pc, changed, p))).toEqual(['value: Forbidden: may not be changed in an update.']);
    const sys = admit(pc, obj('scheduling.k8s.io/v1', 'PriorityClass', { value: 5 }, { name: 'system-mine' }));
    expect(messages(find(pc, sys))).toEqual(["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"]);
    const big = admit(pc, obj('scheduling.k8s.io/v1', 'PriorityClass', { value: 2000000000 }, { name: 'huge' }));
    expect(messages(find(pc, big))).toEqual(['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
    for (const s of scheduling.systemPriorityClasses) expect(find(pc, admit(pc, structuredClone(s)))).toEqual([]);
    expect(scheduling.systemPriorityClasses.map((s) => [s.metadata.name, s.value])).toEqual([['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]]);
  });

  it('validates and prints leases', () => {
    const lease = coordination.leaseResource;
    const l = obj('coordination.k8s.io/v1', 'Lease', { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 0 } });
    expect(messages(find(lease, l))).toEqual(['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
    expect(lease.columns.map((c) => c.name)).toEqual(['Holder', 'Age']);
    expect(column(lease, 'Holder', l)).toBe('node-1');
  });

  it('declares upstream names, scopes and storage paths', () => {
    const byPlural = Object.fromEntries(allResources.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
    expect(Object.keys(byPlural).sort()).toEqual([
      'apps/v1/controllerrevisions', 'apps/v1/daemonsets', 'apps/v1/deployments', 'apps/v1/replicasets', 'apps/v1/statefulsets',
      'autoscaling/v1/horizontalpodautoscalers', 'autoscaling/v2/horizontalpodautoscalers', 'batch/v1/cronjobs', 'batch/v1/jobs',
      'coordination.k8s.io/v1/leases', 'policy/v1/poddisruptionbudgets', 'scheduling.k8s.io/v1/priorityclasses',
    ]);
    for (const r of allResources) expect(r.storagePath).toBe(r.plural);
    expect(byPlural['apps/v1/statefulsets']!.shortNames).toEqual(['sts']);
    expect(byPlural['apps/v1/daemonsets']!.subresources).toEqual({ status: true });
    expect(byPlural['apps/v1/replicasets']!.subresources?.scale?.labelSelectorPath).toBe('.spec.selector');
  });
});
