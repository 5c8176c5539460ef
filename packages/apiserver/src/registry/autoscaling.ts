// autoscaling: horizontalpodautoscalers, served as autoscaling/v2 (the storage version) and
// autoscaling/v1 (converted as upstream's pkg/apis/autoscaling/v1/conversion.go: the CPU target
// maps to a Resource metric; what v1 cannot express rides in upstream's annotations).
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type PrinterColumn, type ResourceDef } from './resource.js';
import { arr, get, invalid, isObj, notSupported, required, type Obj } from './apps.js';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** An object without its undefined members (Go's omitempty on the fields we build). */
const compact = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

// ---- v2 defaults (SetDefaults_HorizontalPodAutoscaler and ...Behavior) ----

const scaleUpDefaults = (): Obj => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
const scaleDownDefaults = (): Obj => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

/** copyHPAScalingRules: user-set fields over the defaults. */
function scalingRules(from: unknown, defaults: Obj): Obj {
  if (!isObj(from)) return defaults;
  const out = { ...defaults };
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) if (from[k] !== undefined && from[k] !== null) out[k] = from[k];
  return out;
}

export function defaultHPAv2(o: KubeObject): void {
  const s = (o.spec = isObj(o.spec) ? o.spec : {}) as Obj;
  s.minReplicas ??= 1;
  if (!Array.isArray(s.metrics) || s.metrics.length === 0) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObj(s.behavior)) {
    s.behavior.scaleUp = scalingRules(s.behavior.scaleUp, scaleUpDefaults());
    s.behavior.scaleDown = scalingRules(s.behavior.scaleDown, scaleDownDefaults());
  }
  const st = (o.status = isObj(o.status) ? o.status : {}) as Obj;
  st.desiredReplicas ??= 0;
}

// ---- v1 <-> v2 ----

const isCpuUtilization = (m: Obj): boolean => m.type === 'Resource' && isObj(m.resource) && m.resource.name === 'cpu' && get(m.resource, 'target', 'averageUtilization') !== undefined;

/** The v1 (autoscaling.alpha) form of a v2 MetricSpec, kept in the metrics annotation. */
function metricSpecToV1(m: Obj): Obj {
  const t = (x: unknown): Obj => (isObj(x) ? x : {});
  switch (m.type) {
    case 'Object': { const o = t(m.object); return { type: m.type, object: compact({ target: o.describedObject, metricName: get(o, 'metric', 'name'), targetValue: get(o, 'target', 'value'), selector: get(o, 'metric', 'selector'), averageValue: get(o, 'target', 'averageValue') }) }; }
    case 'Pods': { const o = t(m.pods); return { type: m.type, pods: compact({ metricName: get(o, 'metric', 'name'), targetAverageValue: get(o, 'target', 'averageValue'), selector: get(o, 'metric', 'selector') }) }; }
    case 'Resource': { const o = t(m.resource); return { type: m.type, resource: compact({ name: o.name, targetAverageUtilization: get(o, 'target', 'averageUtilization'), targetAverageValue: get(o, 'target', 'averageValue') }) }; }
    case 'ContainerResource': { const o = t(m.containerResource); return { type: m.type, containerResource: compact({ name: o.name, targetAverageUtilization: get(o, 'target', 'averageUtilization'), targetAverageValue: get(o, 'target', 'averageValue'), container: o.container }) }; }
    case 'External': { const o = t(m.external); return { type: m.type, external: compact({ metricName: get(o, 'metric', 'name'), metricSelector: get(o, 'metric', 'selector'), targetValue: get(o, 'target', 'value'), targetAverageValue: get(o, 'target', 'averageValue') }) }; }
    default: return { type: m.type };
  }
}

function metricSpecFromV1(m: Obj): Obj {
  const t = (x: unknown): Obj => (isObj(x) ? x : {});
  const metric = (name: unknown, selector: unknown): Obj => compact({ name, selector });
  switch (m.type) {
    case 'Object': { const o = t(m.object); return { type: m.type, object: { describedObject: o.target, target: compact({ type: o.averageValue === undefined ? 'Value' : 'AverageValue', value: o.targetValue, averageValue: o.averageValue }), metric: metric(o.metricName, o.selector) } }; }
    case 'Pods': { const o = t(m.pods); return { type: m.type, pods: { metric: metric(o.metricName, o.selector), target: compact({ type: 'AverageValue', averageValue: o.targetAverageValue }) } }; }
    case 'Resource': { const o = t(m.resource); return { type: m.type, resource: { name: o.name, target: compact({ type: o.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization', averageValue: o.targetAverageValue, averageUtilization: o.targetAverageUtilization }) } }; }
    case 'ContainerResource': { const o = t(m.containerResource); return { type: m.type, containerResource: { name: o.name, target: compact({ type: o.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization', averageValue: o.targetAverageValue, averageUtilization: o.targetAverageUtilization }), container: o.container } }; }
    case 'External': { const o = t(m.external); return { type: m.type, external: { metric: metric(o.metricName, o.metricSelector), target: compact({ type: o.targetValue === undefined ? 'AverageValue' : 'Value', value: o.targetValue, averageValue: o.targetAverageValue }) } }; }
    default: return { type: m.type };
  }
}

function metricStatusToV1(m: Obj): Obj {
  const t = (x: unknown): Obj => (isObj(x) ? x : {});
  switch (m.type) {
    case 'Object': { const o = t(m.object); return { type: m.type, object: compact({ target: o.describedObject, metricName: get(o, 'metric', 'name'), currentValue: get(o, 'current', 'value'), selector: get(o, 'metric', 'selector'), averageValue: get(o, 'current', 'averageValue') }) }; }
    case 'Pods': { const o = t(m.pods); return { type: m.type, pods: compact({ metricName: get(o, 'metric', 'name'), currentAverageValue: get(o, 'current', 'averageValue'), selector: get(o, 'metric', 'selector') }) }; }
    case 'Resource': { const o = t(m.resource); return { type: m.type, resource: compact({ name: o.name, currentAverageUtilization: get(o, 'current', 'averageUtilization'), currentAverageValue: get(o, 'current', 'averageValue') }) }; }
    case 'ContainerResource': { const o = t(m.containerResource); return { type: m.type, containerResource: compact({ name: o.name, currentAverageUtilization: get(o, 'current', 'averageUtilization'), currentAverageValue: get(o, 'current', 'averageValue'), container: o.container }) }; }
    case 'External': { const o = t(m.external); return { type: m.type, external: compact({ metricName: get(o, 'metric', 'name'), metricSelector: get(o, 'metric', 'selector'), currentValue: get(o, 'current', 'value'), currentAverageValue: get(o, 'current', 'averageValue') }) }; }
    default: return { type: m.type };
  }
}

function metricStatusFromV1(m: Obj): Obj {
  const t = (x: unknown): Obj => (isObj(x) ? x : {});
  const metric = (name: unknown, selector: unknown): Obj => compact({ name, selector });
  switch (m.type) {
    case 'Object': { const o = t(m.object); return { type: m.type, object: { metric: metric(o.metricName, o.selector), current: compact({ value: o.currentValue, averageValue: o.averageValue }), describedObject: o.target } }; }
    case 'Pods': { const o = t(m.pods); return { type: m.type, pods: { metric: metric(o.metricName, o.selector), current: compact({ averageValue: o.currentAverageValue }) } }; }
    case 'Resource': { const o = t(m.resource); return { type: m.type, resource: { name: o.name, current: compact({ averageValue: o.currentAverageValue, averageUtilization: o.currentAverageUtilization }) } }; }
    case 'ContainerResource': { const o = t(m.containerResource); return { type: m.type, containerResource: { name: o.name, current: compact({ averageValue: o.currentAverageValue, averageUtilization: o.currentAverageUtilization }), container: o.container } }; }
    case 'External': { const o = t(m.external); return { type: m.type, external: { metric: metric(o.metricName, o.metricSelector), current: compact({ value: o.currentValue, averageValue: o.currentAverageValue }) } }; }
    default: return { type: m.type };
  }
}

function parseAnnotation(annotations: Record<string, string>, key: string): unknown {
  const raw = annotations[key];
  delete annotations[key];
  if (raw === undefined) return undefined;
  try { return JSON.parse(raw) as unknown; } catch { return undefined; }
}

/** autoscaling/v1 -> autoscaling/v2. */
export function hpaV1ToV2(v1: KubeObject): KubeObject {
  const o = clone(v1);
  const out: KubeObject = { ...o, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: o.metadata };
  const annotations = { ...(o.metadata.annotations ?? {}) };
  const s = isObj(o.spec) ? o.spec : {};
  const metrics = arr(parseAnnotation(annotations, METRIC_SPECS_ANNOTATION)).map(metricSpecFromV1);
  if (typeof s.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.targetCPUUtilizationPercentage } } });
  }
  const spec: Obj = compact({ scaleTargetRef: s.scaleTargetRef, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas });
  if (metrics.length > 0) spec.metrics = metrics;
  const behavior = parseAnnotation(annotations, BEHAVIOR_ANNOTATION);
  if (isObj(behavior)) spec.behavior = behavior;
  out.spec = spec;
  if (isObj(o.status)) {
    const st = o.status;
    const status: Obj = compact({ observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime, currentReplicas: st.currentReplicas, desiredReplicas: st.desiredReplicas });
    const current = parseAnnotation(annotations, METRIC_STATUSES_ANNOTATION);
    if (Array.isArray(current)) status.currentMetrics = arr(current).map(metricStatusFromV1);
    else if (typeof st.currentCPUUtilizationPercentage === 'number') {
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }];
    }
    const conditions = parseAnnotation(annotations, CONDITIONS_ANNOTATION);
    if (Array.isArray(conditions)) status.conditions = conditions;
    out.status = status;
  } else {
    for (const k of [METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION]) delete annotations[k];
  }
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out;
}

/** autoscaling/v2 -> autoscaling/v1. */
export function hpaV2ToV1(v2: KubeObject): KubeObject {
  const o = clone(v2);
  const out: KubeObject = { ...o, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: o.metadata };
  const s = isObj(o.spec) ? o.spec : {};
  const metrics = arr(s.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  out.spec = compact({ scaleTargetRef: s.scaleTargetRef, minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, targetCPUUtilizationPercentage: cpu ? get(cpu, 'resource', 'target', 'averageUtilization') : undefined });
  const st = isObj(o.status) ? o.status : {};
  const currentMetrics = arr(st.currentMetrics);
  const conditions = arr(st.conditions);
  const cpuNow = currentMetrics.find((m) => m.type === 'Resource' && get(m, 'resource', 'name') === 'cpu' && get(m, 'resource', 'current', 'averageUtilization') !== undefined);
  if (isObj(o.status)) {
    out.status = compact({
      observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime, currentReplicas: num(st.currentReplicas), desiredReplicas: num(st.desiredReplicas),
      currentCPUUtilizationPercentage: cpuNow ? get(cpuNow, 'resource', 'current', 'averageUtilization') : undefined,
    });
  }
  const annotations = { ...(o.metadata.annotations ?? {}) };
  if (others.length > 0) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others);
  if (currentMetrics.length > 0) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  if (isObj(s.behavior)) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(s.behavior);
  if (conditions.length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  if (Object.keys(annotations).length > 0) out.metadata.annotations = annotations;
  return out;
}

// ---- validation (upstream's pkg/apis/autoscaling/validation, on the v2 form) ----

const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'External', 'ContainerResource'];
const SOURCE_FIELD: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

function validateTarget(t: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const target = isObj(t) ? t : {};
  if (!target.type) out.push(required(`${path}.type`, 'must specify a metric target type'));
  else if (!['Utilization', 'Value', 'AverageValue'].includes(String(target.type))) out.push(notSupported(`${path}.type`, target.type, ['Utilization', 'Value', 'AverageValue']));
  if (typeof target.averageUtilization === 'number' && target.averageUtilization < 1) out.push(invalid(`${path}.averageUtilization`, String(target.averageUtilization), 'must be greater than 0'));
  return out;
}

export function validateHPAv2(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const s = isObj(o.spec) ? o.spec : {};
  const ref = isObj(s.scaleTargetRef) ? s.scaleTargetRef : {};
  if (!ref.kind) out.push(required('spec.scaleTargetRef.kind'));
  if (!ref.name) out.push(required('spec.scaleTargetRef.name'));
  if (typeof s.minReplicas === 'number' && s.minReplicas < 1) out.push(invalid('spec.minReplicas', String(s.minReplicas), 'must be greater than or equal to 1'));
  const max = num(s.maxReplicas);
  if (max < 1) out.push(invalid('spec.maxReplicas', String(max), 'must be greater than 0'));
  if (typeof s.minReplicas === 'number' && max < s.minReplicas) out.push(invalid('spec.maxReplicas', String(max), 'must be greater than or equal to `minReplicas`'));
  arr(s.metrics).forEach((m, i) => {
    const p = `spec.metrics[${i}]`;
    const type = String(m.type ?? '');
    if (!type) out.push(required(`${p}.type`, 'must specify a metric source type'));
    if (!METRIC_TYPES.includes(type)) { out.push(notSupported(`${p}.type`, type, METRIC_TYPES)); return; }
    const present = Object.values(SOURCE_FIELD).filter((k) => isObj(m[k]));
    const want = SOURCE_FIELD[type]!;
    if (!isObj(m[want])) out.push(required(`${p}.${want}`, 'must populate information for the given metric source'));
    for (const k of present) if (k !== want) out.push({ reason: 'FieldValueForbidden', message: 'Forbidden: must populate the given metric source only', field: `${p}.${k}` });
    const src = m[want];
    if (!isObj(src)) return;
    if (type === 'Resource' || type === 'ContainerResource') {
      if (!src.name) out.push(required(`${p}.${want}.name`, 'must specify a resource name'));
      if (type === 'ContainerResource' && !src.container) out.push(required(`${p}.${want}.container`, 'must specify a container'));
      const t = isObj(src.target) ? src.target : {};
      if (t.averageUtilization === undefined && t.averageValue === undefined) out.push(required(`${p}.${want}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
      if (t.value !== undefined) out.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not set value for resource metrics', field: `${p}.${want}.target.value` });
    } else if (!isObj(src.metric) || !src.metric.name) out.push(required(`${p}.${want}.metric.name`, 'must specify a metric name'));
    out.push(...validateTarget(src.target, `${p}.${want}.target`));
  });
  for (const dir of ['scaleUp', 'scaleDown']) {
    const rules = get(s, 'behavior', dir);
    if (!isObj(rules)) continue;
    const p = `spec.behavior.${dir}`;
    const w = rules.stabilizationWindowSeconds;
    if (typeof w === 'number' && (w < 0 || w > 3600)) out.push(invalid(`${p}.stabilizationWindowSeconds`, String(w), w < 0 ? 'must be greater than or equal to zero' : 'must be less than or equal to 3600'));
    if (rules.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(String(rules.selectPolicy))) out.push(notSupported(`${p}.selectPolicy`, rules.selectPolicy, ['Disabled', 'Max', 'Min']));
    arr(rules.policies).forEach((pol, i) => {
      const pp = `${p}.policies[${i}]`;
      if (pol.type !== 'Pods' && pol.type !== 'Percent') out.push(notSupported(`${pp}.type`, pol.type ?? '', ['Percent', 'Pods']));
      if (num(pol.value) <= 0) out.push(invalid(`${pp}.value`, String(num(pol.value)), 'must be greater than zero'));
      if (num(pol.periodSeconds) <= 0) out.push(invalid(`${pp}.periodSeconds`, String(num(pol.periodSeconds)), 'must be greater than zero'));
      else if (num(pol.periodSeconds) > 1800) out.push(invalid(`${pp}.periodSeconds`, String(num(pol.periodSeconds)), 'must be less than or equal to 1800'));
    });
  }
  return out;
}

// ---- columns (printHorizontalPodAutoscaler, on the v2 form) ----

const qty = (v: unknown): string => (v === undefined || v === null ? '<unknown>' : String(v));

/** Upstream's formatHPAMetrics: "cpu: 40%/80%", at most two, then "+ N more...". */
export function formatHPAMetrics(specs: Obj[], statuses: Obj[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((m, i) => {
    const st = statuses[i];
    switch (m.type) {
      case 'External': {
        const avg = get(m, 'external', 'target', 'averageValue');
        if (avg !== undefined) return `${st && isObj(st.external) && get(st, 'external', 'current', 'averageValue') !== undefined ? qty(get(st, 'external', 'current', 'averageValue')) : '<unknown>'}/${qty(avg)} (avg)`;
        return `${st && isObj(st.external) ? qty(get(st, 'external', 'current', 'value')) : '<unknown>'}/${qty(get(m, 'external', 'target', 'value'))}`;
      }
      case 'Pods':
        return `${st && isObj(st.pods) ? qty(get(st, 'pods', 'current', 'averageValue')) : '<unknown>'}/${qty(get(m, 'pods', 'target', 'averageValue'))}`;
      case 'Object': {
        const avg = get(m, 'object', 'target', 'averageValue');
        if (avg !== undefined) return `${st && isObj(st.object) && get(st, 'object', 'current', 'averageValue') !== undefined ? qty(get(st, 'object', 'current', 'averageValue')) : '<unknown>'}/${qty(avg)} (avg)`;
        return `${st && isObj(st.object) ? qty(get(st, 'object', 'current', 'value')) : '<unknown>'}/${qty(get(m, 'object', 'target', 'value'))}`;
      }
      case 'Resource': case 'ContainerResource': {
        const key = m.type === 'Resource' ? 'resource' : 'containerResource';
        const name = String(get(m, key, 'name') ?? '');
        const avg = get(m, key, 'target', 'averageValue');
        if (avg !== undefined) return `${name}: ${st && isObj(st[key]) ? qty(get(st, key, 'current', 'averageValue')) : '<unknown>'}/${qty(avg)}`;
        const cur = st && isObj(st[key]) ? get(st, key, 'current', 'averageUtilization') : undefined;
        const target = get(m, key, 'target', 'averageUtilization');
        return `${name}: ${typeof cur === 'number' ? `${cur}%` : '<unknown>'}/${typeof target === 'number' ? `${target}%` : '<auto>'}`;
      }
      default: return '<unknown type>';
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

function hpaColumns(toV2: (o: KubeObject) => KubeObject): PrinterColumn[] {
  return [
    { name: 'Reference', type: 'string', description: 'scaleTargetRef points to the target resource to scale.', value: (o) => `${String(get(o, 'spec', 'scaleTargetRef', 'kind') ?? '')}/${String(get(o, 'spec', 'scaleTargetRef', 'name') ?? '')}` },
    { name: 'Targets', type: 'string', description: 'metrics contains the specifications for which to use to calculate the desired replica count.', value: (o) => { const v2 = toV2(o); return formatHPAMetrics(arr(get(v2, 'spec', 'metrics')), arr(get(v2, 'status', 'currentMetrics'))); } },
    { name: 'MinPods', type: 'string', description: 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.', value: (o) => { const m = get(o, 'spec', 'minReplicas'); return typeof m === 'number' ? String(m) : '<unset>'; } },
    { name: 'MaxPods', type: 'string', description: 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', value: (o) => num(get(o, 'spec', 'maxReplicas')) },
    { name: 'Replicas', type: 'string', description: 'currentReplicas is current number of replicas of pods managed by this autoscaler.', value: (o) => num(get(o, 'status', 'currentReplicas')) },
    AGE,
  ];
}

const base = {
  group: 'autoscaling', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'], categories: ['all'], namespaced: true, nameRule: 'subdomain', storagePath: 'horizontalpodautoscalers',
  hasSpec: true, subresources: { status: true },
} as const;

export const hpaV2Resource: ResourceDef = {
  ...base, shortNames: ['hpa'], categories: ['all'], subresources: { status: true }, version: 'v2',
  schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  columns: hpaColumns((o) => o),
  defaults: defaultHPAv2,
  validate: (o) => validateHPAv2(o),
};

export const hpaV1Resource: ResourceDef = {
  ...base, shortNames: ['hpa'], categories: ['all'], subresources: { status: true }, version: 'v1',
  schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  columns: hpaColumns(hpaV1ToV2),
  defaults: (o) => {
    const s = (o.spec = isObj(o.spec) ? o.spec : {}) as Obj;
    s.minReplicas ??= 1;
    const st = (o.status = isObj(o.status) ? o.status : {}) as Obj;
    st.currentReplicas ??= 0;
    st.desiredReplicas ??= 0;
  },
  // Upstream validates the internal (v2-shaped) object, so v1 errors carry v2 paths.
  validate: (o) => validateHPAv2(hpaV1ToV2(o)),
  conversion: {
    storageVersion: 'autoscaling/v2',
    toStorage: (o) => { const v2 = hpaV1ToV2(o); defaultHPAv2(v2); return v2; },
    fromStorage: hpaV2ToV1,
  },
};

export const resources: ResourceDef[] = [hpaV2Resource, hpaV1Resource];
