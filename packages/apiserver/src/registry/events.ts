// Resource declarations: events.k8s.io/v1 events. They share storage with core/v1 events: objects
// are stored in the core/v1 shape and converted on the way in and out (upstream's
// pkg/apis/events/v1/conversion.go). Validation as upstream's pkg/apis/core/validation/events.go
// for the events.k8s.io/v1 request version; columns as the core Event printer, which upstream
// also uses for this resource.
import type { KubeObject, StatusCause } from '../api/types.js';
import { type PrinterColumn, type ResourceDef, age } from './resource.js';
import { get, isObj, jsonEqual, str } from './networking.js';
import { fieldErr, qualifiedName } from './validation.js';

/** events.k8s.io/v1 field <- core/v1 field, for the fields whose names differ. */
const RENAMED: ReadonlyArray<readonly [string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];
// series, related, action, eventTime, reason, type and reportingInstance keep their names.

function rename(o: KubeObject, apiVersion: string, pairs: ReadonlyArray<readonly [string, string]>): KubeObject {
  const out: KubeObject = { ...o, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (o[from] !== undefined) out[to] = o[from];
  }
  return out;
}

/** events.k8s.io/v1 Event -> core/v1 Event (the stored shape). */
export function eventToStorage(o: KubeObject): KubeObject {
  return rename(o, 'v1', RENAMED);
}

/** core/v1 Event (the stored shape) -> events.k8s.io/v1 Event. */
export function eventFromStorage(o: KubeObject): KubeObject {
  return rename(o, 'events.k8s.io/v1', RENAMED.map(([a, b]) => [b, a] as const));
}

/** Hooks may see either shape depending on where the server calls them; read the served one. */
const served = (o: KubeObject): KubeObject => (o.apiVersion === 'v1' ? eventFromStorage(o) : o);

const ts = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const LIMIT = { reportingInstance: 128, action: 128, reason: 128, note: 1024 } as const;

function validateSeries(e: KubeObject): StatusCause[] {
  if (!isObj(e.series)) return [];
  const out: StatusCause[] = [];
  if (typeof e.series.count !== 'number' || e.series.count < 2) out.push(fieldErr.invalid('series.count', '', 'should be at least 2'));
  if (!ts(e.series.lastObservedTime)) out.push(fieldErr.required('series.lastObservedTime'));
  return out;
}

function validateEvent(obj: KubeObject, oldObj?: KubeObject): StatusCause[] {
  const e = served(obj);
  const out: StatusCause[] = [];
  const ns = e.metadata.namespace ?? '';
  const regardingNs = str(get(e, 'regarding', 'namespace'));
  // Upstream's legacy checks, which every event passes (field names are the core/v1 ones).
  if (!ts(e.eventTime)) {
    if (regardingNs ? regardingNs !== ns : ns !== '' && ns !== 'default') out.push(fieldErr.invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
  } else {
    if (!regardingNs && ns !== 'default' && ns !== 'kube-system') out.push(fieldErr.invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    const rc = str(e.reportingController);
    if (!rc) out.push(fieldErr.required('reportingController'));
    for (const m of qualifiedName(rc)) out.push(fieldErr.invalid('reportingController', rc, m));
    for (const k of ['reportingInstance', 'action', 'reason'] as const) {
      const v = str(e[k]);
      if (!v) out.push(fieldErr.required(k));
      if (v.length > LIMIT[k]) out.push(fieldErr.invalid(k, '', `can have at most ${LIMIT[k]} characters`));
    }
    if (str(e.note).length > LIMIT.note) out.push(fieldErr.invalid('message', '', `can have at most ${LIMIT.note} characters`));
  }
  if (!oldObj) {
    // Strict checks for events created through events.k8s.io/v1.
    out.push(...validateSeries(e));
    if (!ts(e.eventTime)) out.push(fieldErr.required('eventTime'));
    if (e.type !== 'Normal' && e.type !== 'Warning') out.push(fieldErr.invalid('type', '', `has invalid value: ${str(e.type)}`));
    if (ts(e.deprecatedFirstTimestamp)) out.push(fieldErr.invalid('firstTimestamp', '', 'needs to be unset'));
    if (ts(e.deprecatedLastTimestamp)) out.push(fieldErr.invalid('lastTimestamp', '', 'needs to be unset'));
    if (typeof e.deprecatedCount === 'number' && e.deprecatedCount !== 0) out.push(fieldErr.invalid('count', '', 'needs to be unset'));
    if (str(get(e, 'deprecatedSource', 'component')) || str(get(e, 'deprecatedSource', 'host'))) out.push(fieldErr.invalid('source', '', 'needs to be unset'));
    return out;
  }
  const old = served(oldObj);
  if (!jsonEqual(e.series, old.series)) out.push(...validateSeries(e));
  const immutable: ReadonlyArray<readonly [string, string]> = [
    ['regarding', 'involvedObject'], ['reason', 'reason'], ['note', 'note'], ['deprecatedSource', 'source'],
    ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count'],
    ['type', 'type'], ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'],
    ['reportingController', 'reportingController'], ['reportingInstance', 'reportingInstance'],
  ];
  for (const [k, path] of immutable) if (!jsonEqual(e[k] ?? null, old[k] ?? null)) out.push(fieldErr.immutable(path, e[k]));
  return out;
}

// ---- columns (upstream's printEvent) ----

function firstSeen(e: KubeObject): string {
  return age(ts(e.deprecatedFirstTimestamp) ?? ts(e.eventTime));
}

function lastSeen(e: KubeObject): string {
  if (isObj(e.series)) return age(ts(e.series.lastObservedTime));
  return ts(e.deprecatedLastTimestamp) ? age(ts(e.deprecatedLastTimestamp)) : firstSeen(e);
}

function count(e: KubeObject): number {
  if (isObj(e.series) && typeof e.series.count === 'number') return e.series.count;
  return typeof e.deprecatedCount === 'number' && e.deprecatedCount !== 0 ? e.deprecatedCount : 1;
}

function target(e: KubeObject): string {
  const kind = str(get(e, 'regarding', 'kind')).toLowerCase();
  const name = str(get(e, 'regarding', 'name'));
  return name ? `${kind}/${name}` : kind;
}

function source(e: KubeObject): string {
  const component = str(get(e, 'deprecatedSource', 'component')) || str(e.reportingController);
  const instance = str(get(e, 'deprecatedSource', 'host')) || str(e.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

const col = (name: string, description: string, value: (e: KubeObject) => string | number, priority = 0): PrinterColumn =>
  ({ name, type: 'string', description, priority, value: (o) => value(served(o)) });

export const resources: ResourceDef[] = [{
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
  shortNames: ['ev'], categories: [], namespaced: true, nameRule: 'subdomain', storagePath: 'events',
  schema: 'io.k8s.api.events.v1.Event', hasSpec: false,
  // Upstream's field label conversion for events.k8s.io/v1 (regarding.* maps to involvedObject.*).
  fieldSelectors: [
    'reason', 'type', 'reportingController', 'regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid',
    'regarding.apiVersion', 'regarding.resourceVersion', 'regarding.fieldPath',
  ],
  columns: [
    col('Last Seen', 'Time when this Event was last observed.', lastSeen),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future', (e) => str(e.type)),
    col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.', (e) => str(e.reason)),
    col('Object', 'The object that this event is about.', target),
    col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', (e) => str(get(e, 'regarding', 'fieldPath')), 1),
    col('Source', 'The component reporting this event. Should be a short machine understandable string.', source, 1),
    col('Message', 'A human-readable description of the status of this operation.', (e) => str(e.note).trim()),
    col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', firstSeen, 1),
    col('Count', 'The number of times this event has occurred.', count, 1),
    // Upstream's table has no leading NAME (it ends with a wide Name column); the Table builder
    // always puts NAME first, so it is not repeated here.
  ],
  validate: validateEvent,
  conversion: { storageVersion: 'v1', toStorage: eventToStorage, fromStorage: eventFromStorage },
}];

