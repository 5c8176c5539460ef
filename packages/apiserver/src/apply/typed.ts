// Schema-driven walks over JSON objects (structured-merge-diff's typed package): the field set
// of an object, the comparison of two objects, merging an applied configuration into a live
// object, and removing paths. Ownership granularity comes from the schema: struct fields and
// granular maps per key, listType=map lists per key, listType=set lists per value; atomic maps
// and structs, lists without listType and `any` values are one leaf. Fields and types the
// schema does not declare are "deduced": objects per key, lists atomic.
import type { JsonValue } from '../api/types.js';
import type { FieldOptions, ObjectType, TypeRef } from '../schema/dsl.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { FieldSet, FieldSetBuilder, encodePE, goJSON, pathString, byteCompare, type Path, type PathElement } from './fieldset.js';

/** A value's declared type: a schema type with its field's options, or deduced from the value. */
export type Ty = { t: TypeRef; o?: FieldOptions } | 'deduced';

type Shape =
  | { kind: 'leaf' }
  | { kind: 'struct'; type: ObjectType; atomic: boolean }
  | { kind: 'map'; value: Ty; atomic: boolean }
  | { kind: 'list'; item: Ty; rel: 'atomic' | 'set' | 'map'; keys: string[] };

type Obj = { [k: string]: unknown };

/** Raised for values the schema cannot index (duplicate or missing list keys); carries the path. */
export class TypedError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The declared type of a top-level type name (deduced when the registry lacks it). */
export function rootTy(typeName: string): Ty {
  return { t: { ref: typeName } };
}

export class Typed {
  constructor(readonly reg: SchemaRegistry) {}

  /** How a value of type `ty` is owned; values that do not fit their type are leaves. */
  shape(ty: Ty, v: unknown): Shape {
    if (ty === 'deduced') {
      if (isObj(v)) return { kind: 'map', value: 'deduced', atomic: false };
      return { kind: 'leaf' };
    }
    const { t, o } = ty;
    if ('scalar' in t) return { kind: 'leaf' };
    if ('ref' in t) {
      const type = this.reg.get(t.ref);
      if (!type) return this.shape('deduced', v);
      if (!isObj(v)) return { kind: 'leaf' };
      return { kind: 'struct', type, atomic: o?.mapType === 'atomic' || type.mapType === 'atomic' };
    }
    if ('map' in t) {
      if (!isObj(v)) return { kind: 'leaf' };
      return { kind: 'map', value: { t: t.map }, atomic: o?.mapType === 'atomic' };
    }
    if (!Array.isArray(v)) return { kind: 'leaf' };
    const rel = o?.listType ?? 'atomic';
    const keys = o?.listMapKeys ?? [];
    // A map list without keys cannot be indexed; own it as one value.
    if (rel === 'map' && keys.length === 0) return { kind: 'list', item: { t: t.list }, rel: 'atomic', keys };
    return { kind: 'list', item: { t: t.list }, rel, keys };
  }

  /** The type of field `k` of a struct or map shape, and whether it is a declared struct field. */
  child(s: Extract<Shape, { kind: 'struct' | 'map' }>, k: string): { ty: Ty; declared: boolean } {
    if (s.kind === 'map') return { ty: s.value, declared: false };
    const f = this.reg.field(s.type, k);
    return f ? { ty: { t: f.type, o: f }, declared: true } : { ty: 'deduced', declared: false };
  }

  /** The path element of a list item: its key fields (with schema defaults) or its value. */
  itemPE(s: Extract<Shape, { kind: 'list' }>, item: unknown, path: Path): PathElement {
    if (s.rel === 'set') {
      if (isObj(item)) throw new TypedError(pathString(path), "associative list without keys has an element that's a map type");
      if (Array.isArray(item)) throw new TypedError(pathString(path), 'not supported: associative list with lists as elements');
      if (item === null || item === undefined) throw new TypedError(pathString(path), "associative list without keys has an element that's an explicit null");
      return { value: item as JsonValue };
    }
    if (item === null) throw new TypedError(pathString(path), 'associative list with keys may not have a null element');
    if (!isObj(item)) throw new TypedError(pathString(path), 'associative list with keys may not have non-map elements');
    const itemType = s.item !== 'deduced' && 'ref' in s.item.t ? this.reg.get(s.item.t.ref) : undefined;
    const key: Array<[string, JsonValue]> = [];
    for (const k of s.keys) {
      if (item[k] !== undefined) key.push([k, item[k] as JsonValue]);
      else {
        const def = itemType ? this.reg.field(itemType, k)?.default : undefined;
        if (def !== undefined) key.push([k, def]);
      }
    }
    if (key.length === 0) {
      throw new TypedError(pathString(path), `associative list with keys has an element that omits all key fields ${goJSON(s.keys)} (and doesn't have default values for any key fields)`);
    }
    key.sort((a, b) => byteCompare(a[0], b[0]));
    return { key };
  }

  /** Indexes list items by path element; duplicates are an error unless allowed. */
  private index(s: Extract<Shape, { kind: 'list' }>, list: unknown[], path: Path, allowDuplicates: boolean): { pes: PathElement[]; byKey: Map<string, unknown[]> } {
    const pes: PathElement[] = [];
    const byKey = new Map<string, unknown[]>();
    for (const item of list) {
      const pe = this.itemPE(s, item, path);
      const k = encodePE(pe);
      const seen = byKey.get(k);
      if (seen) {
        if (!allowDuplicates) throw new TypedError(pathString(path), `duplicate entries for key ${pathString([pe])}`);
        seen.push(item);
      } else {
        byKey.set(k, [item]);
        pes.push(pe);
      }
    }
    return { pes, byKey };
  }

  /** Every path the object sets: leaves, list items, map entries, atomic values, nulls and empty maps. */
  toFieldSet(v: unknown, ty: Ty, allowDuplicates = true): FieldSet {
    const b = new FieldSetBuilder();
    const walk = (val: unknown, t: Ty, path: Path): void => {
      const s = this.shape(t, val);
      if (s.kind === 'leaf') { if (path.length) b.insert(path); return; }
      if (s.kind === 'list') {
        if (s.rel === 'atomic') { b.insert(path); return; }
        const list = val as unknown[];
        if (!allowDuplicates) this.index(s, list, path, false);
        for (const item of list) {
          const p = [...path, this.itemPE(s, item, path)];
          walk(item, s.item, p);
          b.insert(p);
        }
        return;
      }
      if (s.atomic) { if (path.length) b.insert(path); return; }
      for (const [k, cv] of Object.entries(val as Obj)) {
        if (cv === undefined) continue;
        const { ty: ct, declared } = this.child(s, k);
        const p = [...path, { field: k }];
        walk(cv, ct, p);
        if (cv === null || (isObj(cv) && Object.keys(cv).length === 0) || !declared) b.insert(p);
      }
    };
    walk(v, ty, []);
    return b.build();
  }

  /** Paths added, modified and removed going from `lhs` to `rhs` (absent: undefined). */
  compare(lhs: unknown, rhs: unknown, ty: Ty): { added: FieldSet; modified: FieldSet; removed: FieldSet } {
    const added = new FieldSetBuilder(), modified = new FieldSetBuilder(), removed = new FieldSetBuilder();
    const leaf = (l: unknown, r: unknown, path: Path): void => {
      if (l === undefined) added.insert(path);
      else if (r === undefined) removed.insert(path);
      else if (!deepEqual(l, r)) modified.insert(path);
    };
    const walk = (l: unknown, r: unknown, t: Ty, path: Path): void => {
      if (l === undefined && r === undefined) return;
      const ls = l === undefined ? undefined : this.shape(t, l);
      const rs = r === undefined ? undefined : this.shape(t, r);
      const s = rs ?? ls!;
      // A value that changed kind (or is not a container) is compared as one leaf.
      if (s.kind === 'leaf' || (ls && rs && ls.kind !== rs.kind)) { if (path.length) leaf(l, r, path); return; }
      if (s.kind === 'list') {
        const ll = (l ?? []) as unknown[], rl = (r ?? []) as unknown[];
        if (s.rel === 'atomic' || (ll.length === 0 && rl.length === 0)) { leaf(l, r, path); return; }
        const li = this.index(s, ll, path, true), ri = this.index(s, rl, path, true);
        const all = [...li.pes, ...ri.pes.filter((pe) => !li.byKey.has(encodePE(pe)))];
        for (const pe of all) {
          const k = encodePE(pe);
          const lv = li.byKey.get(k) ?? [], rv = ri.byKey.get(k) ?? [];
          const p = [...path, pe];
          if (lv.length <= 1 && rv.length <= 1) walk(lv[0], rv[0], s.item, p);
          else if (lv.length >= 2 && rv.length >= 2) { if (!deepEqual(lv, rv)) modified.insert(p); }
          else if (lv.length >= 2) { if (rv.length) walk(undefined, rv[0], s.item, p); removed.insert(p); }
          else { if (lv.length) walk(lv[0], undefined, s.item, p); added.insert(p); }
        }
      } else {
        const lo = (l ?? {}) as Obj, ro = (r ?? {}) as Obj;
        if (s.atomic || (Object.keys(lo).length === 0 && Object.keys(ro).length === 0)) { if (path.length) leaf(l, r, path); return; }
        for (const k of unionKeys(lo, ro)) walk(lo[k], ro[k], this.child(s, k).ty, [...path, { field: k }]);
      }
      if (path.length && l === undefined) added.insert(path);
      else if (path.length && r === undefined) removed.insert(path);
    };
    walk(lhs, rhs, ty, []);
    return { added: added.build(), modified: modified.build(), removed: removed.build() };
  }

  /** Merges an applied configuration (rhs) into a live object (lhs): upstream's typed Merge. */
  merge(lhs: unknown, rhs: unknown, ty: Ty): unknown {
    const walk = (l: unknown, r: unknown, t: Ty, path: Path): unknown => {
      if (l === undefined && r === undefined) return undefined;
      const ls = l === undefined ? undefined : this.shape(t, l);
      const rs = r === undefined ? undefined : this.shape(t, r);
      const s = rs ?? ls!;
      const keep = r !== undefined ? r : l;
      if (s.kind === 'leaf' || (ls && rs && ls.kind !== rs.kind)) return keep;
      if (s.kind === 'list') {
        const ll = (l ?? []) as unknown[], rl = (r ?? []) as unknown[];
        if (s.rel === 'atomic' || (ll.length === 0 && rl.length === 0)) return keep;
        const out = this.mergeList(s, ll, rl, path, (pe, lc, rc) => walk(lc, rc, s.item, [...path, pe]));
        return out.length ? out : undefined;
      }
      const lo = (l ?? {}) as Obj, ro = (r ?? {}) as Obj;
      if (s.atomic || (Object.keys(lo).length === 0 && Object.keys(ro).length === 0)) return keep;
      const out: Obj = {};
      for (const k of unionKeys(lo, ro)) {
        const v = walk(lo[k], ro[k], this.child(s, k).ty, [...path, { field: k }]);
        if (v !== undefined) out[k] = v;
      }
      return Object.keys(out).length ? out : undefined;
    };
    return walk(lhs, rhs, ty, []);
  }

  /**
   * Upstream's merged list order: live items keep their places, applied items are placed in the
   * applied order relative to the items both lists share.
   */
  private mergeList(s: Extract<Shape, { kind: 'list' }>, lhs: unknown[], rhs: unknown[], path: Path,
    item: (pe: PathElement, l: unknown, r: unknown) => unknown): unknown[] {
    const r = this.index(s, rhs, path, false);
    const l = this.index(s, lhs, path, true);
    // Duplicated live items merge as absent (upstream stores a nil value for them).
    const lget = (k: string): unknown => { const v = l.byKey.get(k); return v && v.length === 1 ? v[0] : undefined; };
    const lPEs: PathElement[] = [];
    for (const it of lhs) lPEs.push(this.itemPE(s, it, path));
    const rPEs = r.pes;
    const shared = rPEs.filter((pe) => l.byKey.has(encodePE(pe)));
    let si = 0;
    let nextShared: PathElement | undefined = shared[si++];
    const merged = new Set<string>();
    const out: unknown[] = [];
    const push = (v: unknown): void => { if (v !== undefined) out.push(v); };
    for (let li = 0, ri = 0; li < lPEs.length || ri < rPEs.length;) {
      if (li < lPEs.length && ri < rPEs.length) {
        const pe = lPEs[li]!;
        const k = encodePE(pe);
        if (k === encodePE(rPEs[ri]!)) {
          merged.add(k);
          push(item(pe, lget(k), r.byKey.get(k)![0]));
          li++; ri++;
          nextShared = shared[si++];
          continue;
        }
        if (r.byKey.has(k) && nextShared !== undefined && encodePE(nextShared) !== k) { li++; continue; }
      }
      if (li < lPEs.length) {
        const pe = lPEs[li]!;
        const k = encodePE(pe);
        if (!r.byKey.has(k)) { push(item(pe, lhs[li], undefined)); li++; continue; }
        if (merged.has(k)) li++;
      }
      if (ri < rPEs.length) {
        const pe = rPEs[ri]!;
        const k = encodePE(pe);
        merged.add(k);
        push(item(pe, lget(k), r.byKey.get(k)![0]));
        ri++;
        if (nextShared !== undefined && encodePE(nextShared) === k) nextShared = shared[si++];
      }
    }
    return out;
  }

  /** The value without the paths in `toRemove` (a member removes its whole subtree). */
  removeItems(v: unknown, toRemove: FieldSet, ty: Ty): unknown {
    const walk = (val: unknown, rm: FieldSet, t: Ty, path: Path): unknown => {
      if (rm.empty()) return val;
      const s = this.shape(t, val);
      if (s.kind === 'leaf') return val;
      if (s.kind === 'list') {
        const list = val as unknown[];
        if (list.length === 0 || s.rel === 'atomic') return val;
        const out: unknown[] = [];
        for (const it of list) {
          const pe = this.itemPE(s, it, path);
          if (rm.hasMember(pe)) continue;
          out.push(walk(it, rm.withPrefix(pe), s.item, [...path, pe]));
        }
        return out.length ? out : undefined;
      }
      const o = val as Obj;
      if (Object.keys(o).length === 0 || s.atomic) return val;
      const out: Obj = {};
      for (const [k, cv] of Object.entries(o)) {
        const pe = { field: k };
        if (rm.hasMember(pe)) continue;
        const nv = walk(cv, rm.withPrefix(pe), this.child(s, k).ty, [...path, pe]);
        if (nv !== undefined) out[k] = nv;
      }
      return Object.keys(out).length ? out : undefined;
    };
    return walk(v, toRemove, ty, []);
  }

  /** The value without null struct fields (upstream drops them converting to Go types). */
  dropNulls(v: unknown, ty: Ty): unknown {
    const s = this.shape(ty, v);
    if (s.kind === 'leaf' || (s.kind !== 'list' && s.atomic) || (s.kind === 'list' && s.rel === 'atomic')) return v;
    if (s.kind === 'list') return (v as unknown[]).map((it) => this.dropNulls(it, s.item));
    const out: Obj = {};
    for (const [k, cv] of Object.entries(v as Obj)) {
      if (cv === undefined || (cv === null && s.kind === 'struct')) continue;
      out[k] = this.dropNulls(cv, this.child(s, k).ty);
    }
    return out;
  }

  /** Marks the declared struct fields that have children as members themselves (upstream's EnsureNamedFieldsAreMembers). */
  ensureNamedFieldsAreMembers(set: FieldSet, ty: Ty): FieldSet {
    const walk = (s: FieldSet, t: Ty): FieldSet => s.mapLevels((members, children) => {
      const type = t !== 'deduced' && 'ref' in t.t ? this.reg.get(t.t.ref) : undefined;
      const extra: PathElement[] = [];
      const kids = children.map((c) => {
        let ct: Ty = 'deduced';
        if ('field' in c.pe && t !== 'deduced') {
          if (type) {
            const f = this.reg.field(type, c.pe.field);
            if (f) { extra.push(c.pe); ct = { t: f.type, o: f }; }
          } else if ('map' in t.t) ct = { t: t.t.map };
        } else if ('key' in c.pe && t !== 'deduced' && 'list' in t.t) ct = { t: t.t.list };
        return { pe: c.pe, set: walk(c.set, ct) };
      });
      return { members: [...members, ...extra], children: kids };
    });
    return walk(set, ty);
  }
}

function unionKeys(a: Obj, b: Obj): string[] {
  const keys = Object.keys(a);
  for (const k of Object.keys(b)) if (!Object.prototype.hasOwnProperty.call(a, k)) keys.push(k);
  return keys;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined), kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
