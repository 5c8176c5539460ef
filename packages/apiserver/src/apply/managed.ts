// metadata.managedFields entries: decoding into per-manager field sets, encoding back in
// upstream's order, manager identities and the cap on Update managers
// (k8s.io/apimachinery/pkg/util/managedfields/internal: managedfields.go, capmanagers.go).
import type { JsonObject } from '../api/types.js';
import { FieldSet } from './fieldset.js';

export type Operation = 'Apply' | 'Update';

/** Who owns a set: Apply managers are one identity across apiVersions, Update managers per apiVersion. */
export interface ManagerInfo {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
}

export interface ManagedEntry {
  info: ManagerInfo;
  set: FieldSet;
  /** RFC 3339, seconds. */
  time?: string;
}

/** Entries by manager identifier (see managerId). */
export type Managed = Map<string, ManagedEntry>;

/** Upstream's BuildManagerIdentifier: the entry as JSON without fields, time, and (for Apply) apiVersion. */
export function managerId(m: Omit<ManagerInfo, 'apiVersion'> & { apiVersion?: string }): string {
  const o: JsonObject = {};
  if (m.manager) o.manager = m.manager;
  o.operation = m.operation;
  if (m.operation !== 'Apply' && m.apiVersion) o.apiVersion = m.apiVersion;
  if (m.subresource) o.subresource = m.subresource;
  return JSON.stringify(o);
}

/** How conflict messages name a manager: "mgr", "mgr" with subresource "status", ... using apps/v1. */
export function printManager(id: string): string {
  let m: Partial<ManagerInfo>;
  try { m = JSON.parse(id) as Partial<ManagerInfo>; } catch { return JSON.stringify(id); }
  let s = JSON.stringify(m.manager ?? '');
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion ?? ''}`;
  return s;
}

/** metav1.Time's JSON form: RFC 3339 in UTC, whole seconds. */
export function formatTime(t: string | Date): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Decodes managedFields; throws with upstream's messages on a malformed entry. */
export function decodeManaged(entries: unknown): Managed {
  const out: Managed = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e: unknown, i) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new Error(`managed fields entry ${i} must be an object`);
    const r = e as Record<string, unknown>;
    if (r.operation !== 'Apply' && r.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof r.apiVersion !== 'string' || r.apiVersion.length < 1) throw new Error('apiVersion must not be empty');
    if (r.fieldsType === undefined || r.fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (r.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(r.fieldsType)} in managed fields entry ${i}`);
    const info: ManagerInfo = {
      manager: typeof r.manager === 'string' ? r.manager : '',
      operation: r.operation,
      apiVersion: r.apiVersion,
      ...(typeof r.subresource === 'string' && r.subresource ? { subresource: r.subresource } : {}),
    };
    const entry: ManagedEntry = { info, set: FieldSet.fromFieldsV1(r.fieldsV1) };
    if (typeof r.time === 'string') entry.time = r.time;
    out.set(managerId(info), entry);
  });
  return out;
}

const seconds = (t: string | undefined): number => {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** managedFields in upstream's order (operation, time, manager, apiVersion, subresource); undefined when none. */
export function encodeManaged(managed: Managed): JsonObject[] | undefined {
  if (managed.size === 0) return undefined;
  const entries = [...managed.values()].sort((p, q) =>
    cmp(p.info.operation, q.info.operation) || seconds(p.time) - seconds(q.time) || cmp(p.info.manager, q.info.manager)
    || cmp(p.info.apiVersion, q.info.apiVersion) || cmp(p.info.subresource ?? '', q.info.subresource ?? ''));
  return entries.map((e) => {
    const o: JsonObject = {};
    if (e.info.manager) o.manager = e.info.manager;
    o.operation = e.info.operation;
    o.apiVersion = e.info.apiVersion;
    if (e.time) o.time = e.time;
    o.fieldsType = 'FieldsV1';
    o.fieldsV1 = e.set.toFieldsV1();
    if (e.info.subresource) o.subresource = e.info.subresource;
    return o;
  });
}

/** Upstream's isResetManagedFields: an empty list or a single empty entry clears managedFields. */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  const e: unknown = entries[0];
  return entries.length === 1 && e !== null && typeof e === 'object' && !Array.isArray(e) && Object.keys(e).length === 0;
}

export const MAX_UPDATE_MANAGERS = 10;

/** Folds the oldest Update managers into "ancient-changes" (one per apiVersion) beyond the cap. */
export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managed.entries()].filter(([, e]) => e.info.operation === 'Update').map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((i, j) => seconds(managed.get(i)!.time) - seconds(managed.get(j)!.time) || cmp(i, j));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const e = managed.get(id)!;
    const version = e.info.apiVersion;
    const bucket = managerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: version });
    const first = firstByVersion.get(version);
    if (first === undefined) { firstByVersion.set(version, id); continue; }
    if (!managed.has(bucket)) {
      const f = managed.get(first)!;
      managed.delete(first);
      managed.set(bucket, { ...f, info: { manager: 'ancient-changes', operation: 'Update', apiVersion: version } });
    }
    const b = managed.get(bucket)!;
    const merged: ManagedEntry = { info: b.info, set: e.set.union(b.set) };
    if (e.time !== undefined) merged.time = e.time;
    managed.set(bucket, merged);
    managed.delete(id);
    length--;
  }
}
