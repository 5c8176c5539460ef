// apps/v1: deployments, replicasets, statefulsets, daemonsets, controllerrevisions. Defaults follow
// upstream's pkg/apis/apps/v1/defaults.go, validation pkg/apis/apps/validation (with its messages),
// columns pkg/printers/internalversion. Also the helpers the other workload groups share: label
// selector formatting/matching/validation, Go-style value rendering for field errors, durations.
import type { JsonValue, KubeObject, StatusCause } from '../api/types.js';
import { AGE, type PrinterColumn, type ResourceDef } from './resource.js';
import { defaultPodSpec, validatePodSpec } from './pod.js';
import { fieldErr, goValue, labelValue, qualifiedName } from './validation.js';
import { formatLabelSelector, formatSelector, selectorMatches } from './selector.js';

export type Obj = Record<string, unknown>;
export const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
export const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const strMap = (v: unknown): Record<string, string> => (isObj(v) ? (v as Record<string, string>) : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

// ---- field errors, rendered as upstream's field.Error.ErrorBody ----

/** Go's %v/%q/%#v rendering of a bad value, as upstream prints it in "Invalid value: ...". */
/** %#v of a map[string]string (keys sorted, as fmt prints maps). */
export function goStringMap(v: unknown): string {
  if (!isObj(v)) return 'map[string]string(nil)';
  return `map[string]string{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(v[k]))}`).join(', ')}}`;
}

/** %#v of a metav1.LabelSelector. */
export function goLabelSelector(v: unknown): string {
  if (!isObj(v)) return 'null';
  const exprs = Array.isArray(v.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${arr(v.matchExpressions).map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(e.key ?? ''))}, Operator:${JSON.stringify(String(e.operator ?? ''))}, Values:${Array.isArray(e.values) ? `[]string{${(e.values as unknown[]).map((x) => JSON.stringify(String(x))).join(', ')}}` : '[]string(nil)'}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(v.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** %#v of an intstr.IntOrString. */
export function goIntOrString(v: unknown): string {
  return typeof v === 'string' ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}` : `intstr.IntOrString{Type:0, IntVal:${num(v)}, StrVal:""}`;
}

export const { required, forbidden, notSupported } = fieldErr;
/** field.Invalid with the value already printed as Go's %#v would (maps, selectors, IntOrString). */
export const invalid = (field: string, repr: string, detail: string): StatusCause => fieldErr.invalid(field, undefined, detail, repr);

/** ValidateNonnegativeField: numbers below 0 are invalid. */
export function nonNegative(v: unknown, field: string): StatusCause[] {
  return typeof v === 'number' && v < 0 ? [invalid(field, String(v), 'must be greater than or equal to 0')] : [];
}

/** ValidateImmutableField, comparing JSON forms. */
export function immutable(now: unknown, old: unknown, field: string, repr: (v: unknown) => string = goValue): StatusCause[] {
  return JSON.stringify(canonical(now)) === JSON.stringify(canonical(old)) ? [] : [invalid(field, repr(now), 'field is immutable')];
}

/** Key-sorted copy, so that semantically equal objects compare equal as JSON. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, canonical(v[k])]));
  return v;
}

// ---- label selectors (metav1.LabelSelector) ----

/** ValidateLabels: keys are qualified names, values label values; errors sit on the map's path. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(strMap(labels))) {
    for (const m of qualifiedName(k)) out.push(invalid(field, JSON.stringify(k), m));
    for (const m of labelValue(String(v))) out.push(invalid(field, JSON.stringify(String(v)), m));
  }
  return out;
}

/** metav1 validation.ValidateLabelSelector. */
export function validateLabelSelector(sel: unknown, field: string): StatusCause[] {
  if (!isObj(sel)) return [];
  const out = validateLabels(sel.matchLabels, `${field}.matchLabels`);
  arr(sel.matchExpressions).forEach((e, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) out.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) out.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        out.push(invalid(`${p}.operator`, goValue(e.operator ?? ''), 'not a valid selector operator'));
    }
    for (const m of qualifiedName(String(e.key ?? ''))) out.push(invalid(`${p}.key`, JSON.stringify(String(e.key ?? '')), m));
  });
  return out;
}

/** Whether the selector has no requirements at all. */
export const selectorEmpty = (sel: unknown): boolean => !isObj(sel) || (Object.keys(strMap(sel.matchLabels)).length === 0 && arr(sel.matchExpressions).length === 0);

// ---- ints or percents (intstr.IntOrString) ----

const PERCENT = /^[0-9]+%$/;

/** ValidatePositiveIntOrPercent and, optionally, IsNotMoreThan100Percent. */
export function validateIntOrPercent(v: unknown, field: string, max100: boolean): StatusCause[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return nonNegative(v, field);
  if (typeof v !== 'string') return [invalid(field, goValue(v), "must be an integer or percentage (e.g '5%')")];
  if (!PERCENT.test(v)) return [invalid(field, goIntOrString(v), `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`)];
  if (max100 && Number(v.slice(0, -1)) > 100) return [invalid(field, goIntOrString(v), 'must not be greater than 100%')];
  return [];
}

/** getIntOrPercentValue: the number, whether a count or a percentage. */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && PERCENT.test(v)) return Number(v.slice(0, -1));
  return 0;
}

// ---- printing ----

/** Upstream's layoutContainerCells: container names and images, comma separated. */
export function containerCells(podSpec: unknown): [string, string] {
  const cs = arr(get(podSpec, 'containers'));
  return [cs.map((c) => String(c.name ?? '')).join(','), cs.map((c) => String(c.image ?? '')).join(',')];
}

export const CONTAINERS_DESC = 'Names of each container in the template.';
export const IMAGES_DESC = 'Images referenced by each container in the template.';

/** Containers / Images / Selector columns shown with -o wide, for a pod template at `templatePath`. */
export function wideTemplateColumns(templatePath: string[], selectorPath: string[] | null, selectorDesc: string): PrinterColumn[] {
  const cols: PrinterColumn[] = [
    { name: 'Containers', type: 'string', priority: 1, description: CONTAINERS_DESC, value: (o) => containerCells(get(o, ...templatePath, 'spec'))[0] },
    { name: 'Images', type: 'string', priority: 1, description: IMAGES_DESC, value: (o) => containerCells(get(o, ...templatePath, 'spec'))[1] },
  ];
  if (selectorPath) cols.push({ name: 'Selector', type: 'string', priority: 1, description: selectorDesc, value: (o) => formatLabelSelector(get(o, ...selectorPath)) });
  return cols;
}

/** apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

// ---- shared workload pieces ----

const spec = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : (o.spec = {}) as Obj);

/** The pod template's spec, created if absent, with pod-spec defaults applied. */
export function defaultTemplate(template: unknown): void {
  if (!isObj(template)) return;
  const ps = (template.spec = isObj(template.spec) ? template.spec : {}) as Obj;
  defaultPodSpec(ps);
}

/** Status fields upstream always serializes (non-omitempty ints), so a new object shows them as 0. */
function zeroStatus(o: KubeObject, fields: string[]): void {
  const st = (o.status = isObj(o.status) ? o.status : {}) as Obj;
  for (const f of fields) st[f] ??= 0;
}

/** Selector required, non-empty and valid, matching the template's labels (ValidateReplicaSetSpec & co). */
function validateSelectorAndTemplate(s: Obj, kind: string, checkRequired: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  const sel = s.selector;
  if (sel === undefined || sel === null) {
    if (checkRequired) out.push(required('spec.selector'));
  } else {
    out.push(...validateLabelSelector(sel, 'spec.selector'));
    if (selectorEmpty(sel)) out.push(invalid('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kind}`));
  }
  const labels = get(s, 'template', 'metadata', 'labels');
  if (!selectorEmpty(sel) && !selectorMatches(sel, labels as Record<string, string> | undefined)) {
    out.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  out.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  return out;
}

/** The pod template of a long-running workload: a valid pod spec, restartPolicy Always, no deadline. */
function validateAlwaysTemplate(s: Obj, kindName: string): StatusCause[] {
  const ps = get(s, 'template', 'spec');
  const out = validatePodSpec(ps, 'spec.template.spec');
  const rp = get(ps, 'restartPolicy');
  if (rp !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', rp ?? '', ['Always']));
  if (get(ps, 'activeDeadlineSeconds') !== undefined && get(ps, 'activeDeadlineSeconds') !== null) {
    out.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kindName} is not Supported`));
  }
  return out;
}

function workload(p: Partial<ResourceDef> & Pick<ResourceDef, 'kind' | 'plural' | 'singular'>): ResourceDef {
  return {
    group: 'apps', version: 'v1', shortNames: [], categories: ['all'], namespaced: true, nameRule: 'subdomain',
    storagePath: p.plural, columns: [AGE], hasSpec: true, schema: `io.k8s.api.apps.v1.${p.kind}`,
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' } },
    ...p,
  };
}

/** apps/v1 forbids changing the selector of an existing workload. */
const selectorImmutable = (o: KubeObject, old?: KubeObject): StatusCause[] =>
  old ? immutable(get(o, 'spec', 'selector'), get(old, 'spec', 'selector'), 'spec.selector', goLabelSelector) : [];

// ---- Deployment ----

function defaultDeployment(o: KubeObject): void {
  const s = spec(o);
  s.replicas ??= 1;
  const strategy = (s.strategy = isObj(s.strategy) ? s.strategy : {}) as Obj;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate = isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : {}) as Obj;
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  defaultTemplate(s.template);
  o.status = isObj(o.status) ? o.status : {};
}

function validateDeployment(o: KubeObject, old?: KubeObject): StatusCause[] {
  const s = spec(o);
  const out = [...nonNegative(s.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(s, 'deployment', true)];
  out.push(...validateAlwaysTemplate(s, 'ReplicaSet'));
  const strategy = isObj(s.strategy) ? s.strategy : {};
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) out.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!isObj(ru)) { out.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')); break; }
      out.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', false));
      out.push(...validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', false));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        out.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', typeof ru.maxUnavailable === 'string' ? goIntOrString(ru.maxUnavailable) : goIntOrString(ru.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
      }
      out.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', true).filter((c) => c.message?.endsWith('100%')));
      break;
    }
    default:
      out.push(notSupported('spec.strategy', strategy.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  out.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof s.progressDeadlineSeconds === 'number') {
    out.push(...nonNegative(s.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (s.progressDeadlineSeconds <= num(s.minReadySeconds)) out.push(invalid('spec.progressDeadlineSeconds', String(s.progressDeadlineSeconds), 'must be greater than minReadySeconds'));
  }
  out.push(...selectorImmutable(o, old));
  return out;
}

export const deploymentResource: ResourceDef = workload({
  kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'],
  columns: [
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', value: (o) => `${num(get(o, 'status', 'readyReplicas'))}/${num(get(o, 'spec', 'replicas'))}` },
    { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', value: (o) => num(get(o, 'status', 'updatedReplicas')) },
    { name: 'Available', type: 'string', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', value: (o) => num(get(o, 'status', 'availableReplicas')) },
    AGE,
    ...wideTemplateColumns(['spec', 'template'], null, ''),
    // Deployments print LabelSelectorAsSelector(...).String(): empty, not <none>, for no selector.
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', value: (o) => formatSelector(get(o, 'spec', 'selector')) },
  ],
  defaults: defaultDeployment,
  validate: validateDeployment,
});

// ---- ReplicaSet ----

export const replicaSetResource: ResourceDef = workload({
  kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', shortNames: ['rs'],
  fieldSelectors: ['status.replicas'],
  columns: [
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', value: (o) => num(get(o, 'spec', 'replicas')) },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', value: (o) => num(get(o, 'status', 'replicas')) },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replica set.', value: (o) => num(get(o, 'status', 'readyReplicas')) },
    AGE,
    ...wideTemplateColumns(['spec', 'template'], ['spec', 'selector'], 'Selector is a label query over pods that should match the replica count.'),
  ],
  defaults: (o) => {
    const s = spec(o);
    s.replicas ??= 1;
    defaultTemplate(s.template);
    zeroStatus(o, ['replicas']);
  },
  validate: (o, old) => {
    const s = spec(o);
    return [
      ...nonNegative(s.replicas, 'spec.replicas'), ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'),
      // Upstream's ReplicaSet validation reuses the deployment wording.
      ...validateSelectorAndTemplate(s, 'deployment', true), ...validateAlwaysTemplate(s, 'ReplicaSet'), ...selectorImmutable(o, old),
    ];
  },
});

// ---- StatefulSet ----

/** PVC defaults for volumeClaimTemplates (SetDefaults_PersistentVolumeClaim / ...Spec). */
function defaultClaimTemplates(list: unknown): void {
  for (const pvc of arr(list)) {
    const ps = (pvc.spec = isObj(pvc.spec) ? pvc.spec : {}) as Obj;
    ps.volumeMode ??= 'Filesystem';
    const st = (pvc.status = isObj(pvc.status) ? pvc.status : {}) as Obj;
    st.phase ??= 'Pending';
  }
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSet(o: KubeObject, old?: KubeObject): StatusCause[] {
  const s = spec(o);
  const out: StatusCause[] = [];
  const pmp = s.podManagementPolicy;
  if (pmp === undefined || pmp === '') out.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') out.push(invalid('spec.podManagementPolicy', goValue(pmp), "must be 'OrderedReady' or 'Parallel'"));
  const us = isObj(s.updateStrategy) ? s.updateStrategy : {};
  switch (us.type) {
    case undefined: case '': out.push(required('spec.updateStrategy')); break;
    case 'OnDelete':
      if (isObj(us.rollingUpdate)) out.push(invalid('spec.updateStrategy.rollingUpdate', goValue(us.rollingUpdate), "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) {
        const ru = us.rollingUpdate;
        out.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
          out.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', false));
          if (intOrPercentValue(ru.maxUnavailable) === 0) out.push(invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', goIntOrString(ru.maxUnavailable), 'cannot be 0'));
          out.push(...validateIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', true).filter((c) => c.message?.endsWith('100%')));
        }
      }
      break;
    default: out.push(invalid('spec.updateStrategy', goValue(us), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const policy = s.persistentVolumeClaimRetentionPolicy;
  if (isObj(policy)) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      if (policy[k] !== 'Retain' && policy[k] !== 'Delete') out.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, policy[k] ?? '', ['Retain', 'Delete']));
    }
  }
  out.push(...nonNegative(s.replicas, 'spec.replicas'), ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  if (isObj(s.ordinals)) out.push(...nonNegative(s.ordinals.start, 'spec.ordinals.start'));
  out.push(...validateSelectorAndTemplate(s, 'statefulset', true));
  // Upstream checks only restartPolicy and the deadline here, not the whole pod spec (volumes
  // come from the claim templates), but container names and images are still required.
  out.push(...validateAlwaysTemplate(s, 'StatefulSet'));
  if (old) {
    const strip = (x: unknown): unknown => (isObj(x) ? Object.fromEntries(Object.entries(x).filter(([k]) => !STS_MUTABLE.includes(k))) : x);
    if (JSON.stringify(canonical(strip(o.spec))) !== JSON.stringify(canonical(strip(old.spec)))) {
      out.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return out;
}

export const statefulSetResource: ResourceDef = workload({
  kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', shortNames: ['sts'],
  columns: [
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', value: (o) => `${num(get(o, 'status', 'readyReplicas'))}/${num(get(o, 'spec', 'replicas'))}` },
    AGE,
    ...wideTemplateColumns(['spec', 'template'], null, ''),
  ],
  defaults: (o) => {
    const s = spec(o);
    s.podManagementPolicy ??= 'OrderedReady';
    const us = (s.updateStrategy = isObj(s.updateStrategy) ? s.updateStrategy : {}) as Obj;
    if (us.type === undefined || us.type === '') {
      us.type = 'RollingUpdate';
      us.rollingUpdate ??= {};
    }
    if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) us.rollingUpdate.partition ??= 0;
    const pol = (s.persistentVolumeClaimRetentionPolicy = isObj(s.persistentVolumeClaimRetentionPolicy) ? s.persistentVolumeClaimRetentionPolicy : {}) as Obj;
    if (!pol.whenDeleted) pol.whenDeleted = 'Retain';
    if (!pol.whenScaled) pol.whenScaled = 'Retain';
    s.replicas ??= 1;
    s.revisionHistoryLimit ??= 10;
    defaultTemplate(s.template);
    defaultClaimTemplates(s.volumeClaimTemplates);
    zeroStatus(o, ['replicas', 'availableReplicas']);
  },
  validate: validateStatefulSet,
});

// ---- DaemonSet ----

function validateDaemonSet(o: KubeObject, old?: KubeObject): StatusCause[] {
  const s = spec(o);
  const out: StatusCause[] = [];
  const sel = s.selector;
  if (sel === undefined || sel === null) out.push(required('spec.selector'));
  out.push(...validateLabelSelector(sel, 'spec.selector'));
  const labels = get(s, 'template', 'metadata', 'labels') as Record<string, string> | undefined;
  if (isObj(sel) && !selectorMatches(sel, labels)) out.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  if (isObj(sel) && selectorEmpty(sel)) out.push(invalid('spec.selector', goLabelSelector(sel), 'empty selector is invalid for daemonset'));
  out.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  out.push(...validateAlwaysTemplate(s, 'DaemonSet'));
  out.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  const us = isObj(s.updateStrategy) ? s.updateStrategy : {};
  switch (us.type) {
    case 'OnDelete': break;
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      if (!isObj(ru)) { out.push(required('spec.updateStrategy.rollingUpdate')); break; }
      const p = 'spec.updateStrategy.rollingUpdate';
      out.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`, true), ...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`, true));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) out.push(invalid(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) out.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default: out.push(notSupported('spec.updateStrategy', us.type ?? '', ['RollingUpdate', 'OnDelete']));
  }
  out.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  out.push(...selectorImmutable(o, old));
  return out;
}

export const daemonSetResource: ResourceDef = workload({
  kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', shortNames: ['ds'],
  subresources: { status: true },
  columns: [
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod.', value: (o) => num(get(o, 'status', 'desiredNumberScheduled')) },
    { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', value: (o) => num(get(o, 'status', 'currentNumberScheduled')) },
    { name: 'Ready', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', value: (o) => num(get(o, 'status', 'numberReady')) },
    { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod', value: (o) => num(get(o, 'status', 'updatedNumberScheduled')) },
    { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.', value: (o) => num(get(o, 'status', 'numberAvailable')) },
    { name: 'Node Selector', type: 'string', description: 'NodeSelector is a selector which must be true for the pod to fit on a node.', value: (o) => Object.entries(strMap(get(o, 'spec', 'template', 'spec', 'nodeSelector'))).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' },
    AGE,
    ...wideTemplateColumns(['spec', 'template'], ['spec', 'selector'], 'A label query over pods that are managed by the daemon set.'),
  ],
  defaults: (o) => {
    const s = spec(o);
    const us = (s.updateStrategy = isObj(s.updateStrategy) ? s.updateStrategy : {}) as Obj;
    us.type ??= 'RollingUpdate';
    if (us.type === 'RollingUpdate') {
      const ru = (us.rollingUpdate = isObj(us.rollingUpdate) ? us.rollingUpdate : {}) as Obj;
      ru.maxUnavailable ??= 1;
      ru.maxSurge ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    defaultTemplate(s.template);
    zeroStatus(o, ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady']);
  },
  validate: validateDaemonSet,
});

// ---- ControllerRevision ----

/** "<kind>.<group>/<name>" of the controller owner, as upstream's printControllerRevision. */
function controllerOf(o: KubeObject): string {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = String(ref.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = String(ref.kind ?? '');
  if (!kind && !group) return String(ref.name ?? '');
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${String(ref.name ?? '')}`;
}

export const controllerRevisionResource: ResourceDef = workload({
  kind: 'ControllerRevision', plural: 'controllerrevisions', singular: 'controllerrevision', categories: [],
  hasSpec: false, subresources: undefined,
  columns: [
    { name: 'Controller', type: 'string', description: 'Controller of the object', value: controllerOf },
    { name: 'Revision', type: 'string', description: 'Revision indicates the revision of the state represented by Data.', value: (o) => num(o.revision) },
    AGE,
  ],
  defaults: (o) => { o.revision ??= 0; },
  validate: (o, old) => {
    const out: StatusCause[] = [];
    if (o.data === undefined || o.data === null) out.push(required('data', 'data is mandatory'));
    out.push(...nonNegative(o.revision, 'revision'));
    if (old) out.push(...immutable(o.data, old.data, 'data', (v) => `runtime.RawExtension{Raw:${JSON.stringify(JSON.stringify(v as JsonValue))}}`));
    return out;
  },
});

export const resources: ResourceDef[] = [
  controllerRevisionResource, daemonSetResource, deploymentResource, replicaSetResource, statefulSetResource,
];
