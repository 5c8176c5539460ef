// HorizontalController (pkg/controller/podautoscaler/horizontal.go): every sync period each HPA
// reads its target's scale subresource, computes a replica proposal per metric, normalizes it
// (stabilization, bounds, behavior policies) and writes the scale and the HPA status, with
// upstream's conditions and events.
import { unwrapTombstone, type SharedIndexInformer } from '@kube-ts/client/informer';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { milliValue } from '@kube-ts/client/quantity';
import { R, resourcePath, type ResourceType } from '@kube-ts/client/resources';
import type { Pod } from '@kube-ts/client/types';
import type { ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { metaNow } from '../../util/pods.js';
import { ResourceMapper } from '../resourcequota/discovery.js';
import { setHPACondition } from './conditions.js';
import { getResourceMetric } from './metrics.js';
import { ReplicaNormalizer, type CondSet } from './normalize.js';
import { plainMetricReplicas, resourceReplicas, type CalcOptions } from './replicas.js';
import { parseSelector } from './selector.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, Scale } from './types.js';

type Cond = { type: 'ScalingActive'; status: 'False'; reason: string; message: string };

/** A Quantity of milli-units as resource.NewMilliQuantity(v, DecimalSI).String() prints it. */
export function milliQuantity(v: number): string {
  if (v % 1000 !== 0) return `${v}m`;
  let n = v / 1000; let e = 0;
  const suf = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  while (n !== 0 && n % 1000 === 0 && e < 6) { n /= 1000; e++; }
  return `${n}${suf[e]!}`;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class HorizontalController {
  readonly name = 'horizontalpodautoscaler';
  readonly queue: QueueController;
  readonly normalizer = new ReplicaNormalizer();
  private readonly hpaInf: SharedIndexInformer<HorizontalPodAutoscaler>;
  private readonly podInf: SharedIndexInformer<Pod>;
  private readonly mapper: ResourceMapper;
  private readonly recorder;

  constructor(private readonly ctx: ControllerContext, private readonly calc: Omit<CalcOptions, 'nowMs'> = {}) {
    this.hpaInf = ctx.informers.informerFor<HorizontalPodAutoscaler>(R.horizontalpodautoscalers);
    this.podInf = ctx.informers.informerFor<Pod>(R.pods);
    this.mapper = new ResourceMapper(ctx.rest);
    this.recorder = ctx.recorder('horizontal-pod-autoscaler');
    this.queue = new QueueController({
      name: 'horizontalpodautoscaler', queueName: 'horizontalpodautoscaler', ctx, caches: [this.hpaInf, this.podInf],
      sync: async (key) => {
        const hpa = this.hpaInf.store.get(key);
        if (!hpa) { this.normalizer.forget(key); return; }
        try {
          await this.reconcile(structuredClone(hpa), key);
        } catch (err) {
          ctx.logger.info({ controller: this.name, key, err: errText(err) }, 'failed to reconcile HPA');
        }
        // Every HPA is processed once per sync period, whatever happened.
        return { requeueAfterMs: ctx.options.hpaSyncPeriodMs };
      },
    });
    this.hpaInf.addEventHandler({
      add: (h) => this.queue.enqueue(h),
      update: (o, n) => { if (o !== n && JSON.stringify(o.spec) !== JSON.stringify(n.spec)) this.queue.enqueue(n); },
      delete: (h) => this.queue.enqueue(unwrapTombstone(h)),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> { await this.queue.run(workers, signal); }

  private event(hpa: HorizontalPodAutoscaler, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' }, type, reason, message);
  }

  private now(): string { return metaNow(this.ctx.clock.now()); }

  private cond(hpa: HorizontalPodAutoscaler, c: CondSet | ['ScalingActive', 'True' | 'False', string, string]): void {
    setHPACondition(hpa, c[0], c[1], c[2], c[3], this.now());
  }

  private async updateStatusIfNeeded(before: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    if (JSON.stringify(hpa.status ?? {}) === before) return;
    try {
      await this.ctx.rest.resource<HorizontalPodAutoscaler>(R.horizontalpodautoscalers).updateStatus(hpa);
    } catch (err) {
      this.event(hpa, 'Warning', 'FailedUpdateStatus', errText(err));
      throw new Error(`failed to update status for ${hpa.metadata.name ?? ''}: ${errText(err)}`);
    }
  }

  /** setStatus / setCurrentReplicasAndMetricsInStatus. */
  private setStatus(hpa: HorizontalPodAutoscaler, current: number, desired: number, metrics: MetricStatus[] | undefined, rescale: boolean): void {
    const prev = hpa.status ?? {};
    hpa.status = {
      ...(prev.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
      currentReplicas: current, desiredReplicas: desired,
      ...(metrics && metrics.length ? { currentMetrics: metrics } : {}),
      ...(prev.conditions ? { conditions: prev.conditions } : {}),
    };
    if (rescale) hpa.status.lastScaleTime = this.now();
  }

  /** reconcileAutoscaler. */
  async reconcile(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    const before = JSON.stringify(hpa.status ?? {});
    const ns = hpa.metadata.namespace!;
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${ns}/${ref.name}`;
    const [group, version] = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion ?? '').split('/') as [string, string] : ['', ref.apiVersion ?? ''];

    let type: ResourceType;
    let scale: Scale;
    try {
      type = await this.mapper.byKind(group, version, ref.kind);
      scale = await this.ctx.rest.request<Scale>({ path: resourcePath(type, ns, ref.name, 'scale') });
    } catch (err) {
      this.event(hpa, 'Warning', 'FailedGetScale', errText(err));
      this.cond(hpa, ['AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${errText(err)}`]);
      this.setStatus(hpa, hpa.status?.currentReplicas ?? 0, hpa.status?.desiredReplicas ?? 0, hpa.status?.currentMetrics ?? undefined, false);
      await this.updateStatusIfNeeded(before, hpa).catch(() => undefined);
      throw new Error(`failed to query scale subresource for ${reference}: ${errText(err)}`);
    }
    this.cond(hpa, ['AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale"]);
    const current = scale.spec?.replicas ?? 0;
    const now = this.ctx.clock.now();
    this.normalizer.recordInitial(key, current, now);

    const min = hpa.spec.minReplicas ?? 1;
    let desired = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: MetricStatus[] | undefined;
    if (current === 0 && min !== 0) {
      desired = 0;
      rescale = false;
      this.cond(hpa, ['ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero']);
    } else if (current > hpa.spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desired = hpa.spec.maxReplicas;
    } else if (current < min) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const r = await this.computeReplicasForMetrics(hpa, scale, now);
      metricStatuses = r.statuses;
      if (r.error && r.replicas === -1) {
        this.setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
        await this.updateStatusIfNeeded(before, hpa).catch(() => undefined);
        this.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', r.error);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${r.error}`);
      }
      let rescaleMetric = '';
      if (r.replicas > desired) { desired = r.replicas; rescaleMetric = r.metricName; }
      if (desired > current) rescaleReason = `${rescaleMetric} above target`;
      if (desired < current) rescaleReason = 'All metrics below target';
      const n = hpa.spec.behavior
        ? this.normalizer.normalizeWithBehaviors(key, hpa, current, desired, min, now)
        : this.normalizer.normalize(key, hpa, current, desired, min, now);
      for (const c of n.conditions) this.cond(hpa, c);
      desired = n.replicas;
      rescale = desired !== current;
    }

    if (rescale) {
      try {
        await this.ctx.rest.request({
          method: 'PUT', path: resourcePath(type, ns, ref.name, 'scale'),
          body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: scale.metadata, spec: { ...(scale.spec ?? {}), replicas: desired } },
        });
      } catch (err) {
        this.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${errText(err)}`);
        this.cond(hpa, ['AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${errText(err)}`]);
        this.setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
        await this.updateStatusIfNeeded(before, hpa).catch(() => undefined);
        throw new Error(`failed to rescale ${reference}: ${errText(err)}`);
      }
      this.cond(hpa, ['AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`]);
      this.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
      this.normalizer.storeScaleEvent(key, hpa, current, desired, now);
    } else {
      desired = current;
    }
    this.setStatus(hpa, current, desired, metricStatuses, rescale);
    await this.updateStatusIfNeeded(before, hpa);
  }

  /** computeReplicasForMetrics: the largest proposal of the valid metrics, or -1 with the first error. */
  private async computeReplicasForMetrics(hpa: HorizontalPodAutoscaler, scale: Scale, now: number): Promise<{ replicas: number; metricName: string; statuses: MetricStatus[] | undefined; error?: string }> {
    const sel = scale.status?.selector ?? '';
    if (!sel) {
      const msg = 'selector is required';
      this.event(hpa, 'Warning', 'SelectorRequired', msg);
      this.cond(hpa, ['ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector"]);
      return { replicas: -1, metricName: '', statuses: undefined, error: msg };
    }
    let reqs;
    try { reqs = parseSelector(sel); } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${errText(e)}`;
      this.event(hpa, 'Warning', 'InvalidSelector', msg);
      this.cond(hpa, ['ScalingActive', 'False', 'InvalidSelector', msg]);
      return { replicas: -1, metricName: '', statuses: undefined, error: msg };
    }
    const pods = this.podInf.store.byIndex('namespace', hpa.metadata.namespace!).filter((p) => labelSelectorMatches({ matchExpressions: reqs }, p.metadata.labels));
    const specs = hpa.spec.metrics ?? [];
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' as MetricStatus['type'] }));
    let replicas = 0; let metricName = ''; let invalid = 0;
    let firstError: string | undefined; let firstCond: Cond | undefined;
    for (let i = 0; i < specs.length; i++) {
      const r = await this.computeReplicasForMetric(hpa, specs[i]!, scale.spec?.replicas ?? 0, sel, pods, now);
      if ('error' in r) {
        if (invalid === 0) { firstError = r.error; firstCond = r.condition; }
        invalid++;
        continue;
      }
      statuses[i] = r.status;
      if (replicas === 0 || r.replicas > replicas) { replicas = r.replicas; metricName = r.name; }
    }
    const specReplicas = scale.spec?.replicas ?? 0;
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      if (firstCond) this.cond(hpa, [firstCond.type, firstCond.status, firstCond.reason, firstCond.message]);
      return { replicas: -1, metricName: '', statuses, error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError ?? 'no metrics'}` };
    }
    this.cond(hpa, ['ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`]);
    return { replicas, metricName, statuses, ...(invalid > 0 ? { error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError ?? ''}` } : {}) };
  }

  private unable(hpa: HorizontalPodAutoscaler, reason: string, err: string): Cond {
    this.event(hpa, 'Warning', reason, err);
    return { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${err}` };
  }

  /** computeReplicasForMetric for one metric spec. */
  private async computeReplicasForMetric(hpa: HorizontalPodAutoscaler, spec: MetricSpec, specReplicas: number, selector: string, pods: Pod[], now: number): Promise<{ replicas: number; name: string; status: MetricStatus } | { error: string; condition: Cond }> {
    const ns = hpa.metadata.namespace!;
    const src = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
    if (src) {
      const container = spec.type === 'ContainerResource' ? (spec.containerResource?.container ?? '') : '';
      const reason = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
      const wrap = (e: string): string => (spec.type === 'Resource' ? `failed to get ${src.name} resource metric value: ${e}` : `failed to get ${src.name} container metric value: ${e}`);
      try {
        const r = await this.resourceProposal(specReplicas, src.name, src.target, ns, selector, container, pods, now);
        const current = { averageUtilization: r.utilization, averageValue: milliQuantity(r.raw) };
        if (r.utilization === undefined) delete current.averageUtilization;
        const status: MetricStatus = spec.type === 'Resource'
          ? { type: 'Resource', resource: { name: src.name, current } }
          : { type: 'ContainerResource', containerResource: { name: src.name, container, current } };
        const name = spec.type === 'ContainerResource' ? r.name.replace(' resource', ' container resource') : r.name;
        return { replicas: r.replicas, name, status };
      } catch (e) {
        return { error: wrap(errText(e)), condition: this.unable(hpa, reason, errText(e)) };
      }
    }
    // Custom and external metrics need custom.metrics.k8s.io / external.metrics.k8s.io, which are not served.
    const [reason, wrap, inner] = spec.type === 'Pods'
      ? ['FailedGetPodsMetric', 'failed to get pods metric value', `unable to get metric ${spec.pods?.metric.name ?? ''}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`]
      : spec.type === 'Object'
        ? ['FailedGetObjectMetric', 'failed to get object metric value', `unable to get metric ${spec.object?.metric.name ?? ''}: ${spec.object?.describedObject.kind ?? ''} on ${ns} ${spec.object?.describedObject.name ?? ''}/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`]
        : spec.type === 'External'
          ? ['FailedGetExternalMetric', `failed to get ${spec.external?.metric.name ?? ''} external metric value`, `unable to get external metric ${ns}/${spec.external?.metric.name ?? ''}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${spec.external?.metric.name ?? ''}.external.metrics.k8s.io)`]
          : ['InvalidMetricSourceType', 'unknown metric source type', `unknown metric source type "${String(spec.type)}"`];
    return { error: `${wrap}: ${inner}`, condition: this.unable(hpa, reason, inner) };
  }

  /** computeStatusForResourceMetricGeneric. */
  private async resourceProposal(specReplicas: number, resource: string, target: MetricSpec['resource'] extends infer S ? S extends { target: infer T } ? T : never : never, ns: string, selector: string, container: string, pods: Pod[], now: number): Promise<{ replicas: number; utilization?: number; raw: number; name: string }> {
    const opts: CalcOptions = { ...this.calc, nowMs: now };
    if (target.averageValue !== undefined) {
      let m;
      try { m = await getResourceMetric(this.ctx.rest, resource, ns, selector, container); } catch (e) { throw new Error(`failed to get ${resource} usage: unable to get metrics for resource ${resource}: ${errText(e)}`); }
      try {
        const r = plainMetricReplicas(specReplicas, milliValue(target.averageValue), resource, pods, m.metrics, opts);
        return { replicas: r.replicas, raw: r.usage, name: `${resource} resource` };
      } catch (e) { throw new Error(`failed to get ${resource} usage: ${errText(e)}`); }
    }
    if (target.averageUtilization === undefined) {
      throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    }
    let m;
    try { m = await getResourceMetric(this.ctx.rest, resource, ns, selector, container); } catch (e) { throw new Error(`failed to get ${resource} utilization: unable to get metrics for resource ${resource}: ${errText(e)}`); }
    try {
      const r = resourceReplicas(specReplicas, target.averageUtilization, resource, container, pods, m.metrics, opts);
      return { replicas: r.replicas, utilization: r.utilization, raw: r.rawUtilization, name: `${resource} resource utilization (percentage of request)` };
    } catch (e) {
      throw new Error(`failed to get ${resource} utilization: ${errText(e)}`);
    }
  }
}
