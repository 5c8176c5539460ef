// GET and LIST, with upstream's resourceVersion / resourceVersionMatch semantics: unset reads the
// latest from the store, "0" (or NotOlderThan) may be served from the watch cache, Exact (or a
// resourceVersion with a limit) reads the store at that revision.
import { Errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import { apiVersionOf, type ResourceDef } from '../registry/resource.js';
import { parseFieldSelector, parseLabelSelector } from '../registry/selector.js';
import { table, wantsTable } from '../http/table.js';
import { header, type Api, type Query, type Request, type Target } from './context.js';

/** The object as served: converted from the storage version when the two differ. */
export function served(def: ResourceDef, obj: KubeObject): KubeObject {
  return def.conversion ? def.conversion.fromStorage(obj) : obj;
}

/** The object as stored. */
export function stored(def: ResourceDef, obj: KubeObject): KubeObject {
  return def.conversion ? def.conversion.toStorage(obj) : obj;
}

/** Field labels that are not the literal path (upstream's per-resource field label conversion). */
const FIELD_ALIASES: Record<string, string> = { 'status.successful': 'status.succeeded' };
const ZERO_DEFAULTS = new Set(['status.replicas', 'status.successful']);
const FALSE_DEFAULTS = new Set(['spec.unschedulable', 'spec.hostNetwork']);

export function fieldValue(obj: Record<string, unknown>, path: string): string | undefined {
  let v: unknown = obj;
  for (const k of (FIELD_ALIASES[path] ?? path).split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined || v === null) return FALSE_DEFAULTS.has(path) ? 'false' : ZERO_DEFAULTS.has(path) ? '0' : '';
  return String(v);
}

export type Filter = (obj: KubeObject) => boolean;

/** Label and field selectors of a request, as one predicate over served objects. */
export function selectorFilter(def: ResourceDef, q: Query): Filter {
  const labels = parseLabelSelector(q.labelSelector);
  const fields = parseFieldSelector(q.fieldSelector, fieldValue, ['metadata.name', 'metadata.namespace', ...(def.fieldSelectors ?? [])]);
  return (obj) => labels(obj.metadata.labels) && fields(obj as unknown as Record<string, unknown>);
}

const invalidListOptions = (causes: StatusCause[]): never => {
  throw Errors.invalid('ListOptions', 'meta.k8s.io', '', causes);
};

/** Upstream's ValidateListOptions (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation). */
export function validateListOptions(q: Query, watch: boolean): void {
  const match = q.resourceVersionMatch;
  const causes: StatusCause[] = [];
  if (q.sendInitialEvents !== undefined) {
    if (!watch) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for list', field: 'sendInitialEvents' });
    else {
      if (match !== 'NotOlderThan') causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', field: 'resourceVersionMatch' });
      if (q.allowWatchBookmarks !== 'true') causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true', field: 'allowWatchBookmarks' });
    }
  } else if (match) {
    if (watch) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided', field: 'resourceVersionMatch' });
    else {
      if (!q.resourceVersion) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' });
      if (q.continue) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided', field: 'resourceVersionMatch' });
      if (match === 'Exact' && q.resourceVersion === '0') causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"', field: 'resourceVersionMatch' });
    }
  }
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`, field: 'resourceVersionMatch' });
  }
  if (causes.length > 0) invalidListOptions(causes);
  if (q.continue && q.resourceVersion && q.resourceVersion !== '0') throw Errors.badRequest('specifying resource version is not allowed when using continue');
}

export function parseRV(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (!/^\d+$/.test(s)) throw Errors.badRequest(`invalid resource version: ${s}`);
  return Number(s);
}

export async function getObject(api: Api, req: Request, t: Target): Promise<unknown> {
  const obj = served(t.def, await api.store.get(t.def, t.namespace, t.name!));
  if (wantsTable(header(req, 'accept'))) return table(t.def, [obj], { resourceVersion: obj.metadata.resourceVersion }, req.query.includeObject);
  return obj;
}

export interface Listed { items: KubeObject[]; resourceVersion: string; continueToken?: string }

/** The objects a LIST asks for, from the cache or the store as the options require. */
export async function listObjects(api: Api, t: Target, q: Query, filter: Filter): Promise<Listed> {
  validateListOptions(q, false);
  const rv = parseRV(q.resourceVersion);
  const limit = q.limit ? Number(q.limit) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw Errors.badRequest(`invalid limit: ${q.limit}`);
  const match = q.resourceVersionMatch;
  const dir = api.store.dir(t.def, t.namespace);
  const fromCache = !q.continue && rv !== undefined && match !== 'Exact' && (rv === 0 || match === 'NotOlderThan' || !limit);
  if (fromCache) {
    const cache = api.caches.for(api.store.dir(t.def));
    if (rv! > 0) await cache.waitFor(rv!);
    const snap = await cache.list(dir);
    return { items: snap.items.map((o) => served(t.def, o)).filter(filter), resourceVersion: String(snap.rev) };
  }
  const r = await api.store.list(t.def, t.namespace, {
    limit,
    ...(q.continue ? { continueToken: q.continue } : {}),
    ...(rv !== undefined ? { revision: rv } : {}),
    filter: (o) => filter(served(t.def, o)),
  });
  const out: Listed = { items: r.items.map((o) => served(t.def, o)), resourceVersion: r.resourceVersion };
  if (r.continueToken) out.continueToken = r.continueToken;
  return out;
}

export async function listResponse(api: Api, req: Request, t: Target): Promise<unknown> {
  const filter = selectorFilter(t.def, req.query);
  const list = await listObjects(api, t, req.query, filter);
  const meta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
  if (list.continueToken) meta.continue = list.continueToken;
  if (wantsTable(header(req, 'accept'))) return table(t.def, list.items, meta, req.query.includeObject);
  return { kind: `${t.def.kind}List`, apiVersion: apiVersionOf(t.def), metadata: meta, items: list.items };
}
