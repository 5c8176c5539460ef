// batch/v1: jobs and cronjobs. Defaults follow upstream's pkg/apis/batch/v1/defaults.go and the job
// strategy's selector generation; validation pkg/apis/batch/validation; columns the printers.
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, age, type ResourceDef } from './resource.js';
import { validatePodSpec } from './pod.js';
import {
  arr, canonical, defaultTemplate, get, goLabelSelector, goStringMap, humanDuration,
  immutable, invalid, isObj, nonNegative, notSupported, required, validateLabelSelector, validateLabels,
  wideTemplateColumns, type Obj,
} from './apps.js';
import { formatLabelSelector, selectorMatches } from './selector.js';
import { goValue } from './validation.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const spec = (o: KubeObject): Obj => (isObj(o.spec) ? o.spec : (o.spec = {}) as Obj);

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';

// ---- cron schedules (robfig/cron's ParseStandard, which upstream validates with) ----

interface Bounds { min: number; max: number; names?: Record<string, number> }
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DAYS }];
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function parseCronInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseCronRange(expr: string, b: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const named = (s: string): number => b.names?.[s.toLowerCase()] ?? parseCronInt(s);
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') { start = b.min; end = b.max; }
  else {
    start = named(lowAndHigh[0]!);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = named(lowAndHigh[1]!);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseCronInt(rangeAndStep[1]!);
    if (lowAndHigh.length === 1) end = b.max; // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) throw new Error(`too many slashes: ${expr}`);
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** The parse error of a standard 5-field cron schedule (or descriptor), or undefined when valid. */
export function cronScheduleError(schedule: string): string | undefined {
  try {
    let s = schedule;
    if (s.length === 0) return 'empty spec string';
    if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
      const i = s.indexOf(' ');
      const tz = s.slice(s.indexOf('=') + 1, i < 0 ? undefined : i);
      if (timeZoneError(tz)) return `provided bad location ${tz}: unknown time zone ${tz}`;
      s = i < 0 ? '' : s.slice(i).trim();
    }
    if (s.startsWith('@')) {
      if (DESCRIPTORS.has(s)) return undefined;
      if (s.startsWith('@every ')) {
        const d = s.slice(7);
        return /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(d) ? undefined : `failed to parse duration ${d}: time: invalid duration ${JSON.stringify(d)}`;
      }
      return `unrecognized descriptor: ${s}`;
    }
    const fields = s.split(/\s+/).filter((x) => x !== '');
    if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
    fields.forEach((f, i) => { for (const part of f.split(',')) parseCronRange(part, FIELDS[i]!); });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Go's time.LoadLocation failure for a zone name, via the IANA database Node carries. */
function timeZoneError(tz: string): string | undefined {
  if (tz === 'UTC' || tz === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone ${tz}`;
  }
}

function validateTimeZone(tz: unknown, field: string): StatusCause[] {
  if (tz === undefined || tz === null) return [];
  const s = String(tz);
  if (s.length === 0) return [invalid(field, '""', 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) return [invalid(field, goValue(s), `unknown time zone ${s}`)];
  }
  if (s.toLowerCase() === 'local') return [invalid(field, goValue(s), 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  const err = timeZoneError(s);
  return err ? [invalid(field, goValue(s), err)] : [];
}

// ---- Job ----

/** SetDefaults_PodFailurePolicyOnPodConditionsPattern: status defaults to True. */
function defaultPodFailurePolicy(s: Obj): void {
  for (const rule of arr(get(s, 'podFailurePolicy', 'rules'))) for (const p of arr(rule.onPodConditions)) if (!p.status) p.status = 'True';
}

/** SetDefaults_Job, then the job strategy's selector generation (the uid is already assigned). */
function defaultJob(o: KubeObject): void {
  const s = spec(o);
  if (s.completions === undefined && s.parallelism === undefined) { s.completions = 1; s.parallelism = 1; }
  s.parallelism ??= 1;
  if (s.backoffLimit === undefined) s.backoffLimit = s.backoffLimitPerIndex !== undefined && s.backoffLimitPerIndex !== null ? 2147483647 : 6;
  const template = (s.template = isObj(s.template) ? s.template : {}) as Obj;
  const tmeta = (template.metadata = isObj(template.metadata) ? template.metadata : {}) as Obj;
  const userLabels = isObj(tmeta.labels) ? { ...(tmeta.labels as Record<string, string>) } : undefined;
  if (userLabels && Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = userLabels;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  defaultPodFailurePolicy(s);
  s.podReplacementPolicy ??= isObj(s.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  s.manualSelector ??= false;
  defaultTemplate(template);
  if (s.manualSelector !== true) {
    const labels = (tmeta.labels = isObj(tmeta.labels) ? tmeta.labels : {}) as Record<string, string>;
    const uid = o.metadata.uid ?? '';
    const name = o.metadata.name ?? '';
    for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
    for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
    const sel = (s.selector = isObj(s.selector) ? s.selector : {}) as Obj;
    const ml = (sel.matchLabels = isObj(sel.matchLabels) ? sel.matchLabels : {}) as Record<string, string>;
    if (!(CONTROLLER_UID_LABEL in ml)) ml[CONTROLLER_UID_LABEL] = uid;
    // Upstream copies the template labels to the job when it has none; for a job created without
    // template labels that happens when it is next read (defaulting on decode), after generation.
    if (Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = { ...labels };
  }
  o.status = isObj(o.status) ? o.status : {};
}

/** validateJobSpec: what jobs and cronjobs' job templates share. */
function validateJobSpecCommon(s: Obj, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) out.push(...nonNegative(s[k], `${path}.${k}`));
  const mode = s.completionMode;
  if (mode !== undefined && mode !== null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') out.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed' && (s.completions === undefined || s.completions === null)) out.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  if ((s.backoffLimitPerIndex !== undefined && s.backoffLimitPerIndex !== null) && mode !== 'Indexed') {
    out.push(invalid(`${path}.completionMode`, goValue(mode ?? 'NonIndexed'), 'requires indexed completion mode'));
  }
  const prp = s.podReplacementPolicy;
  if (prp !== undefined && prp !== null) {
    if (isObj(s.podFailurePolicy) && prp !== 'Failed') out.push(notSupported(`${path}.podReplacementPolicy`, prp, ['Failed']));
    else if (prp !== 'TerminatingOrFailed' && prp !== 'Failed') out.push(notSupported(`${path}.podReplacementPolicy`, prp, ['Failed', 'TerminatingOrFailed']));
  }
  arr(get(s, 'podFailurePolicy', 'rules')).forEach((r, i) => {
    const p = `${path}.podFailurePolicy.rules[${i}]`;
    if (!['FailJob', 'FailIndex', 'Ignore', 'Count'].includes(String(r.action))) out.push(notSupported(`${p}.action`, r.action ?? '', ['Count', 'FailIndex', 'FailJob', 'Ignore']));
    if (isObj(r.onExitCodes) && Array.isArray(r.onPodConditions) && r.onPodConditions.length > 0) out.push(invalid(p, goValue(r), 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  out.push(...validateLabels(get(s, 'template', 'metadata', 'labels'), `${path}.template.metadata.labels`));
  const ps = get(s, 'template', 'spec');
  out.push(...validatePodSpec(ps, `${path}.template.spec`));
  const rp = get(ps, 'restartPolicy');
  if (rp !== 'OnFailure' && rp !== 'Never') out.push(notSupported(`${path}.template.spec.restartPolicy`, rp ?? '', ['OnFailure', 'Never']));
  else if (rp === 'OnFailure' && isObj(s.podFailurePolicy)) out.push(invalid(`${path}.template.spec.restartPolicy`, goValue(rp), 'only "Never" is supported when podFailurePolicy is specified'));
  return out;
}

/** validateGeneratedSelector: auto-generated selectors must select this job's uid and name. */
function validateGeneratedSelector(o: KubeObject, s: Obj): StatusCause[] {
  if (s.manualSelector === true) return [];
  const out: StatusCause[] = [];
  const labels = get(s, 'template', 'metadata', 'labels') as Record<string, string> | undefined;
  if (!isObj(labels)) out.push(required('spec.template.metadata.labels'));
  const uid = o.metadata.uid ?? '';
  const name = o.metadata.name ?? '';
  if (!uid) out.push(required('metadata.uid'));
  const expected: [string, string][] = [[LEGACY_CONTROLLER_UID_LABEL, uid], [LEGACY_JOB_NAME_LABEL, name], [CONTROLLER_UID_LABEL, uid], [JOB_NAME_LABEL, name]];
  for (const [k, v] of expected) {
    const f = `spec.template.metadata.labels[${k}]`;
    if (!labels || !(k in labels)) out.push(required(f, v));
    else if (labels[k] !== v) out.push(invalid(f, goStringMap(labels), `must be '${v}'`));
  }
  if (isObj(s.selector) && !selectorMatches(s.selector, Object.fromEntries(expected))) {
    out.push(invalid('spec.selector', goLabelSelector(s.selector), '`selector` not auto-generated'));
  }
  return out;
}

function validateJob(o: KubeObject, old?: KubeObject): StatusCause[] {
  const s = spec(o);
  const out = [...validateGeneratedSelector(o, s), ...validateJobSpecCommon(s, 'spec')];
  if (s.selector === undefined || s.selector === null) out.push(required('spec.selector'));
  else out.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const labels = get(s, 'template', 'metadata', 'labels') as Record<string, string> | undefined;
  if (!selectorMatches(s.selector, labels)) out.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  if (old) {
    const os = isObj(old.spec) ? old.spec : {};
    if (s.completionMode !== 'Indexed') out.push(...immutable(s.completions, os.completions, 'spec.completions'));
    out.push(...immutable(s.selector, os.selector, 'spec.selector', goLabelSelector));
    // A suspended job that never started may change its pods' scheduling directives and metadata.
    const mutableScheduling = os.suspend === true && get(old, 'status', 'startTime') === undefined;
    const comparable = (t: unknown): unknown => {
      if (!mutableScheduling || !isObj(t)) return t;
      const ps = isObj(t.spec) ? { ...t.spec } : {};
      for (const k of ['nodeSelector', 'tolerations', 'schedulingGates', 'affinity']) delete ps[k];
      return { ...t, metadata: isObj(t.metadata) ? { ...t.metadata, labels: undefined, annotations: undefined } : t.metadata, spec: ps };
    };
    if (JSON.stringify(canonical(comparable(s.template))) !== JSON.stringify(canonical(comparable(os.template)))) {
      out.push(invalid('spec.template', `core.PodTemplateSpec${JSON.stringify(s.template)}`, 'field is immutable'));
    }
    for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) out.push(...immutable(s[k], os[k], `spec.${k}`));
  }
  return out;
}

function hasJobCondition(o: KubeObject, type: string): boolean {
  const c = arr(get(o, 'status', 'conditions')).find((x) => x.type === type);
  return c?.status === 'True';
}

function jobStatus(o: KubeObject): string {
  if (hasJobCondition(o, 'Complete')) return 'Complete';
  if (hasJobCondition(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(o, 'Suspended')) return 'Suspended';
  if (hasJobCondition(o, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(o: KubeObject): string {
  const succeeded = num(get(o, 'status', 'succeeded'));
  const completions = get(o, 'spec', 'completions');
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = num(get(o, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject): string {
  const start = get(o, 'status', 'startTime');
  if (typeof start !== 'string') return '';
  const end = get(o, 'status', 'completionTime');
  return humanDuration((typeof end === 'string' ? Date.parse(end) : Date.now()) - Date.parse(start));
}

export const jobResource: ResourceDef = {
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', shortNames: [], categories: ['all'],
  namespaced: true, nameRule: 'subdomain', storagePath: 'jobs', schema: 'io.k8s.api.batch.v1.Job', hasSpec: true,
  subresources: { status: true },
  fieldSelectors: ['status.successful'],
  columns: [
    { name: 'Status', type: 'string', description: 'Status of the job.', value: jobStatus },
    { name: 'Completions', type: 'string', description: 'The number of pods which reached phase Succeeded.', value: jobCompletions },
    { name: 'Duration', type: 'string', description: 'Time required to complete the job.', value: jobDuration },
    AGE,
    ...wideTemplateColumns(['spec', 'template'], ['spec', 'selector'], 'A label query over pods that should match the pod count.'),
  ],
  defaults: defaultJob,
  validate: validateJob,
};

// ---- CronJob ----

function validateCronJob(o: KubeObject, old?: KubeObject): StatusCause[] {
  const s = spec(o);
  const out: StatusCause[] = [];
  const name = o.metadata.name ?? '';
  if (!old && name.length > 52) out.push(invalid('metadata.name', goValue(name), 'must be no more than 52 characters'));
  const schedule = typeof s.schedule === 'string' ? s.schedule : '';
  if (schedule.length === 0) out.push(required('spec.schedule'));
  else {
    const err = cronScheduleError(schedule);
    if (err) out.push(invalid('spec.schedule', goValue(schedule), err));
    const allowTZ = typeof get(old, 'spec', 'schedule') === 'string' && String(get(old, 'spec', 'schedule')).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && s.timeZone !== undefined && s.timeZone !== null) out.push(invalid('spec.schedule', goValue(schedule), 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && schedule.includes('TZ')) out.push(invalid('spec.schedule', goValue(schedule), 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  out.push(...nonNegative(s.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || get(old, 'spec', 'timeZone') !== s.timeZone) out.push(...validateTimeZone(s.timeZone, 'spec.timeZone'));
  const cp = s.concurrencyPolicy;
  if (cp === undefined || cp === '') out.push(required('spec.concurrencyPolicy'));
  else if (cp !== 'Allow' && cp !== 'Forbid' && cp !== 'Replace') out.push(notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const js = get(s, 'jobTemplate', 'spec');
  const jspec = isObj(js) ? js : {};
  out.push(...validateJobSpecCommon(jspec, 'spec.jobTemplate.spec'));
  if (jspec.selector !== undefined && jspec.selector !== null) out.push(invalid('spec.jobTemplate.spec.selector', goLabelSelector(jspec.selector), '`selector` will be auto-generated'));
  if (jspec.manualSelector === true) out.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  out.push(...nonNegative(s.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'), ...nonNegative(s.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return out;
}

export const cronJobResource: ResourceDef = {
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob', shortNames: ['cj'], categories: ['all'],
  namespaced: true, nameRule: 'subdomain', storagePath: 'cronjobs', schema: 'io.k8s.api.batch.v1.CronJob', hasSpec: true,
  subresources: { status: true },
  columns: [
    { name: 'Schedule', type: 'string', description: 'The schedule in Cron format.', value: (o) => String(get(o, 'spec', 'schedule') ?? '') },
    { name: 'Timezone', type: 'string', description: 'The time zone name for the given schedule.', value: (o) => (typeof get(o, 'spec', 'timeZone') === 'string' ? String(get(o, 'spec', 'timeZone')) : '<none>') },
    { name: 'Suspend', type: 'boolean', description: 'This flag tells the controller to suspend subsequent executions.', value: (o) => { const v = get(o, 'spec', 'suspend'); return typeof v === 'boolean' ? (v ? 'True' : 'False') : '<unset>'; } },
    { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', value: (o) => arr(get(o, 'status', 'active')).length },
    { name: 'Last Schedule', type: 'string', description: 'Information when was the last time the job was successfully scheduled.', value: (o) => { const t = get(o, 'status', 'lastScheduleTime'); return typeof t === 'string' ? age(t) : '<none>'; } },
    AGE,
    ...wideTemplateColumns(['spec', 'jobTemplate', 'spec', 'template'], null, ''),
    { name: 'Selector', type: 'string', priority: 1, description: 'A label query over pods that should match the pod count.', value: (o) => formatLabelSelector(get(o, 'spec', 'jobTemplate', 'spec', 'selector')) },
  ],
  defaults: (o) => {
    const s = spec(o);
    if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    const jt = (s.jobTemplate = isObj(s.jobTemplate) ? s.jobTemplate : {}) as Obj;
    const js = (jt.spec = isObj(jt.spec) ? jt.spec : {}) as Obj;
    defaultPodFailurePolicy(js);
    js.template = isObj(js.template) ? js.template : {};
    defaultTemplate(js.template);
    o.status = isObj(o.status) ? o.status : {};
  },
  validate: validateCronJob,
};

export const resources: ResourceDef[] = [cronJobResource, jobResource];
