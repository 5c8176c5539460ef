// Field ownership on writes (operation Update) and server-side apply (operation Apply):
// structured-merge-diff's merge.Updater behind the apiserver's field manager chain
// (strip server-owned metadata, skip untracked objects, cap Update managers).
import { ApiError } from '../api/errors.js';
import type { KubeObject, Status, StatusCause } from '../api/types.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { FieldSet, pathString, type Path } from './fieldset.js';
import {
  capUpdateManagers, decodeManaged, encodeManaged, formatTime, isReset, managerId, printManager,
  type Managed, type ManagerInfo,
} from './managed.js';
import { Typed, TypedError, deepEqual, isObj, rootTy, type Ty } from './typed.js';

type Obj = { [k: string]: unknown };

/** Paths the server owns; no manager is ever recorded for them (upstream's stripMeta, plus deletion fields). */
const SERVER_OWNED = FieldSet.of(
  ...['apiVersion', 'kind'].map((f): Path => [{ field: f }]),
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields',
    'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'].map((f): Path => [{ field: 'metadata' }, { field: f }]),
);
const METADATA = FieldSet.of([{ field: 'metadata' }]);

/** Removes server-owned paths: `metadata` itself as a member only, the others with their subtrees. */
function stripServerOwned(s: FieldSet): FieldSet {
  return s.difference(METADATA).recursiveDifference(SERVER_OWNED);
}

function ignoreSet(ignoredTopLevel: readonly string[] | undefined): FieldSet {
  return FieldSet.of(...(ignoredTopLevel ?? []).map((f): Path => [{ field: f }]));
}

export interface UpdateInfo {
  /** The field manager (the request's fieldManager, or the user agent's program name). */
  manager: string;
  /** apiVersion the request was served at, e.g. "apps/v1". */
  apiVersion: string;
  /** "status", "scale"... when the request went to a subresource. */
  subresource?: string;
  /** Time of the write: RFC 3339 string or Date (stored with seconds precision). */
  time: string | Date;
  /** Top-level fields whose changes are not attributed (e.g. ['status'] on the main resource). */
  ignoredTopLevel?: readonly string[];
}

export interface ApplyOptions {
  manager: string;
  apiVersion: string;
  force: boolean;
  time: string | Date;
  subresource?: string;
  /** Top-level fields not applied here: kept as they are live, never owned by the applier. */
  ignoredTopLevel?: readonly string[];
}

/** The set of paths an object sets, without server-owned fields and the ignored top-level fields. */
export function fieldSetOf(reg: SchemaRegistry, typeName: string, obj: unknown, ignoredTopLevel?: readonly string[]): FieldSet {
  return stripServerOwned(new Typed(reg).toFieldSet(obj, rootTy(typeName))).recursiveDifference(ignoreSet(ignoredTopLevel));
}

/** A deep copy of the object without metadata.managedFields. */
function withoutManaged(o: Obj): Obj {
  const c = structuredClone(o);
  if (isObj(c.metadata)) delete c.metadata.managedFields;
  return c;
}

/**
 * What an object is compared against on create: upstream compares with the Go zero value, in
 * which top-level structs (spec, status) exist empty, so they are not owned as a whole.
 */
function zeroOf(t: Typed, ty: Ty, next: Obj): Obj {
  const out: Obj = {};
  if (ty === 'deduced' || !('ref' in ty.t)) return out;
  const type = t.reg.get(ty.t.ref);
  if (!type) return out;
  for (const [k, v] of Object.entries(next)) {
    const f = t.reg.field(type, k);
    if (f && 'ref' in f.type && t.reg.get(f.type.ref) && isObj(v)) out[k] = {};
  }
  return out;
}

class Updater {
  readonly typed: Typed;
  readonly ty: Ty;
  readonly ignore: FieldSet;

  constructor(reg: SchemaRegistry, typeName: string, ignoredTopLevel: readonly string[] | undefined) {
    this.typed = new Typed(reg);
    this.ty = rootTy(typeName);
    this.ignore = ignoreSet(ignoredTopLevel);
  }

  filter(s: FieldSet): FieldSet {
    return s.recursiveDifference(this.ignore);
  }

  /**
   * Upstream's Updater.update: other managers lose what changed (on conflict, unless forced, an
   * error instead) and what was removed; empty managers are dropped.
   */
  update(oldObj: unknown, newObj: unknown, managed: Managed, workflow: string, force: boolean): { added: FieldSet; modified: FieldSet; removed: FieldSet } {
    const c = this.typed.compare(oldObj, newObj, this.ty);
    const cmp = { added: this.filter(c.added), modified: this.filter(c.modified), removed: this.filter(c.removed) };
    const changed = cmp.modified.union(cmp.added);
    const conflicts = new Map<string, FieldSet>();
    for (const [id, e] of managed) {
      if (id === workflow) continue;
      const s = e.set.intersection(changed);
      if (!s.empty()) conflicts.set(id, s);
    }
    if (!force && conflicts.size) throw conflictError(conflicts);
    for (const [id, e] of [...managed]) {
      const s = e.set.difference(conflicts.get(id) ?? FieldSet.EMPTY).difference(id === workflow ? FieldSet.EMPTY : cmp.removed);
      if (s.empty()) managed.delete(id);
      else managed.set(id, { ...e, set: s });
    }
    return cmp;
  }

  /** Updater.Update as the apiserver chains it: the changed fields join the manager's Update entry. */
  recordUpdate(oldObj: Obj | undefined, newObj: Obj, managed: Managed, info: ManagerInfo, time: string): void {
    // Computed as a fresh manager, then merged into the real one (upstream's managedFieldsUpdater).
    const self = '\u0000current-operation';
    const old = oldObj ?? zeroOf(this.typed, this.ty, newObj);
    const cmp = this.update(old, newObj, managed, self, true);
    const set = stripServerOwned(this.filter(cmp.modified.union(cmp.added)));
    if (!set.empty()) {
      const id = managerId(info);
      const prev = managed.get(id);
      managed.set(id, { info, set: prev ? set.union(prev.set) : set, time });
    }
    capUpdateManagers(managed);
  }

  /** Removes what the applier applied last time and omits now, unless another manager owns it (Updater.prune). */
  prune(merged: unknown, managed: Managed, last: FieldSet | undefined): unknown {
    if (!last || last.empty()) return merged;
    const t = this.typed, ty = this.ty;
    const named = (s: FieldSet): FieldSet => t.ensureNamedFieldsAreMembers(s, ty);
    const lastN = named(last);
    let pruned = t.removeItems(merged, lastN, ty) ?? {};
    // Add back what any manager owns.
    let owned = FieldSet.EMPTY;
    for (const e of managed.values()) owned = owned.union(e.set);
    const mergedN = named(t.toFieldSet(merged, ty));
    pruned = t.removeItems(merged, mergedN.difference(named(t.toFieldSet(pruned, ty)).union(named(owned))), ty) ?? {};
    // Only remove what the applier had applied (e.g. not the parents of removed items).
    return t.removeItems(merged, mergedN.difference(named(t.toFieldSet(pruned, ty))).intersection(lastN), ty) ?? {};
  }
}

/** Upstream's decodeLiveOrNew: a request may replace managedFields, or reset them with [] or [{}]. */
function decodeLiveOrNew(old: Obj | undefined, next: Obj, useRequest: boolean): Managed {
  const liveMF = isObj(old?.metadata) ? old.metadata.managedFields : undefined;
  const live = (): Managed => { try { return decodeManaged(liveMF); } catch { return new Map(); } };
  if (!useRequest) return live();
  const reqMF = isObj(next.metadata) ? next.metadata.managedFields : undefined;
  if (isReset(reqMF)) return new Map();
  try {
    const m = decodeManaged(reqMF);
    if (m.size) return m;
  } catch { /* fall back to the live object's */ }
  return live();
}

function setManaged(obj: Obj, managed: Managed): void {
  if (!isObj(obj.metadata)) obj.metadata = {};
  const md = obj.metadata as Obj;
  const enc = encodeManaged(managed);
  if (enc) md.managedFields = enc;
  else delete md.managedFields;
}

/**
 * Records a create, update or patch (operation Update) in next.metadata.managedFields: the
 * fields that differ from `old` (undefined on create) join the manager's entry and leave every
 * other entry; removed fields leave all entries. Never throws: on a value the schema cannot
 * index, next keeps old's managedFields (upstream's UpdateNoErrors). Returns next.
 */
export function updateManagedFields<T extends object>(reg: SchemaRegistry, typeName: string, old: T | undefined, next: T, info: UpdateInfo): T {
  const n = next as Obj;
  const o = old as Obj | undefined;
  if (!isObj(n.metadata)) n.metadata = {};
  const nextMeta = n.metadata as Obj;
  const managed = decodeLiveOrNew(o, n, !info.subresource);
  delete nextMeta.managedFields;
  // Objects that exist but have no managedFields stay untracked until applied (skipNonApplied).
  if (managed.size === 0 && o !== undefined) return next;
  try {
    const u = new Updater(reg, typeName, info.ignoredTopLevel);
    const mi: ManagerInfo = { manager: info.manager || 'unknown', operation: 'Update', apiVersion: info.apiVersion, ...(info.subresource ? { subresource: info.subresource } : {}) };
    u.recordUpdate(o && withoutManaged(o), withoutManaged(n), managed, mi, formatTime(info.time));
    setManaged(n, managed);
  } catch (e) {
    if (!(e instanceof TypedError)) throw e;
    const prev = isObj(o?.metadata) ? o.metadata.managedFields : undefined;
    if (prev !== undefined) nextMeta.managedFields = structuredClone(prev);
  }
  return next;
}

/**
 * Server-side apply: merges `applied` into `live` (undefined: create), removes what this manager
 * applied before and omits now unless another manager owns it, and records the applied fields as
 * the manager's Apply entry. Throws a 409 ApiError (reason Conflict, causes FieldManagerConflict)
 * when the applied config changes a field another manager owns, unless forced; a 400 for an
 * apiVersion mismatch or managedFields in the body; a 500 for list items that cannot be keyed.
 * Ignored top-level fields are left as they are live. Returns a new object (inputs are not changed).
 */
export function serverSideApply(reg: SchemaRegistry, typeName: string, live: object | undefined, applied: object, opts: ApplyOptions): KubeObject {
  const a = applied as Obj;
  if (isObj(a.metadata) && a.metadata.managedFields !== undefined && a.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (typeof a.apiVersion === 'string' && a.apiVersion !== opts.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${a.apiVersion}, expected: ${opts.apiVersion}`);
  }
  const l = live as Obj | undefined;
  let managed: Managed;
  try {
    managed = decodeManaged(isObj(l?.metadata) ? l.metadata.managedFields : undefined);
  } catch (e) {
    throw unknownError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const time = formatTime(opts.time);
  const u = new Updater(reg, typeName, opts.ignoredTopLevel);
  const liveObj = l ? withoutManaged(l) : undefined;
  try {
    // An object nobody tracked yet: its current fields belong to "before-first-apply".
    if (managed.size === 0 && liveObj) {
      u.recordUpdate(undefined, liveObj, managed, {
        manager: 'before-first-apply', operation: 'Update', apiVersion: opts.apiVersion,
        ...(opts.subresource ? { subresource: opts.subresource } : {}),
      }, time);
    }
    const info: ManagerInfo = { manager: opts.manager || 'unknown', operation: 'Apply', apiVersion: opts.apiVersion, ...(opts.subresource ? { subresource: opts.subresource } : {}) };
    const id = managerId(info);
    const prev = managed.get(id);
    const merged = u.typed.merge(liveObj ?? {}, withoutManaged(a), u.ty) ?? {};
    const set = u.filter(u.typed.toFieldSet(a, u.ty, false));
    managed.set(id, { info, set, ...(prev?.time ? { time: prev.time } : {}) });
    const pruned = u.prune(merged, managed, prev?.set) as Obj;
    for (const f of opts.ignoredTopLevel ?? []) {
      if (liveObj && liveObj[f] !== undefined) pruned[f] = structuredClone(liveObj[f]);
      else delete pruned[f];
    }
    u.update(liveObj, pruned, managed, id, opts.force);
    const noop = liveObj !== undefined && deepEqual(liveObj, pruned);
    const mine = managed.get(id);
    if (mine) {
      const s = stripServerOwned(mine.set);
      if (s.empty()) managed.delete(id);
      else managed.set(id, { ...mine, set: s, time: noop && mine.time ? mine.time : time });
    }
    const result = structuredClone(u.typed.dropNulls(noop ? liveObj : pruned, u.ty)) as Obj;
    setManaged(result, managed);
    return result as KubeObject;
  } catch (e) {
    if (e instanceof TypedError) throw unknownError(`failed to create typed patch object: ${e.message}`);
    throw e;
  }
}

function status(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return new ApiError(s);
}

const badRequest = (message: string): ApiError => status(400, 'BadRequest', message);
/** A plain Go error turned into a Status: code 500 with no reason. */
const unknownError = (message: string): ApiError => status(500, '', message);

/** Upstream's NewConflictError: one cause per conflicting path, managers sorted in the message. */
export function conflictError(conflicts: Map<string, FieldSet>): ApiError {
  const ids = [...conflicts.keys()].sort();
  const list: Array<{ id: string; path: string }> = [];
  for (const id of ids) for (const p of conflicts.get(id)!.paths()) list.push({ id, path: pathString(p) });
  const causes: StatusCause[] = list.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.id)}`, field: c.path }));
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(list[0]!.id)}: ${list[0]!.path}`;
  } else {
    const lines: string[] = [];
    for (const id of ids) {
      lines.push(`conflicts with ${printManager(id)}:`);
      for (const p of conflicts.get(id)!.paths()) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${list.length} conflicts: ${lines.join('\n')}`;
  }
  return status(409, 'Conflict', message, { causes });
}
