// The three PATCH types kubectl sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and
// strategic merge patch: a merge patch whose lists merge by key where the schema declares a
// patch merge key (containers by name, ports by containerPort, ...) and are replaced otherwise.
import { Errors } from '../api/errors.js';
import type { Field, TypeRef } from '../schema/dsl.js';

type J = unknown;
type Obj = Record<string, J>;
const isObj = (v: J): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: J, patch: J): J {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Where a value sits in the schema: its type (undefined = untyped: merged as JSON). */
export interface PatchSchema {
  /** The field `name` of the object type `type`, if declared. */
  field(type: string, name: string): Field | undefined;
}

const elemType = (t: TypeRef | undefined): TypeRef | undefined => (t && 'list' in t ? t.list : t && 'map' in t ? t.map : t);
const refName = (t: TypeRef | undefined): string | undefined => (t && 'ref' in t ? t.ref : undefined);

/**
 * Upstream's strategic merge patch (k8s.io/apimachinery strategicpatch) over our schemas: lists
 * whose field declares patchStrategy merge are merged by patchMergeKey (primitive lists: union),
 * other lists are replaced; maps and structs merge recursively; null deletes. Directives:
 * $patch (replace / delete / merge), $retainKeys, $setElementOrder/<list>,
 * $deleteFromPrimitiveList/<list>.
 */
export function strategicMergePatch(target: J, patch: J, schema?: PatchSchema, type?: string): J {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') { const { $patch: _p, ...rest } = patch; return stripDirectives(rest); }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  const orders: Array<[string, J[]]> = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) { if (Array.isArray(v)) orders.push([k.slice(17), v]); continue; }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice(25);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = (out[f] as J[]).filter((x) => !v.some((d) => d === x));
      continue;
    }
    if (v === null) { delete out[k]; continue; }
    const field = type && schema ? schema.field(type, k) : undefined;
    const merged = mergeValue(out[k], v, field, schema);
    if (merged === undefined) delete out[k]; else out[k] = merged;
  }
  for (const [f, order] of orders) {
    const field = type && schema ? schema.field(type, f) : undefined;
    if (Array.isArray(out[f])) out[f] = reorder(out[f] as J[], order, field?.patchMergeKey);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as J[]);
    for (const k of Object.keys(out)) if (!keep.has(k) && !(k in patch)) delete out[k];
  }
  return out;
}

function mergeValue(cur: J, v: J, field: Field | undefined, schema: PatchSchema | undefined): J {
  const t = field?.type;
  if (Array.isArray(v)) {
    const strategy = field?.patchStrategy ?? '';
    if (!strategy.includes('merge') || !Array.isArray(cur)) {
      return v.filter((e) => !(isObj(e) && e.$patch === 'delete')).map((e) => (isObj(e) ? strategicMergePatch(undefined, e, schema, refName(elemType(t))) : e));
    }
    return mergeList(cur, v, field!.patchMergeKey, schema, refName(elemType(t)));
  }
  if (!isObj(v)) return v;
  if (t && 'map' in t) {
    // A map of values: merge key by key, each value as its own type.
    if (v.$patch === 'replace') { const { $patch: _p, ...rest } = v; return rest; }
    const out: Obj = isObj(cur) ? { ...cur } : {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$patch') continue;
      if (x === null) delete out[k];
      else out[k] = mergeValue(out[k], x, { type: t.map }, schema);
    }
    return out;
  }
  return strategicMergePatch(cur, v, schema, refName(t));
}

function mergeList(cur: J[], patch: J[], key: string | undefined, schema: PatchSchema | undefined, item: string | undefined): J[] {
  const out = [...cur];
  if (!key) {
    // Primitive list with merge strategy: a union in patch order.
    for (const p of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(p))) out.push(p);
    return out;
  }
  for (const p of patch) {
    if (!isObj(p)) { out.push(p); continue; }
    // Service ports merge by "port", container ports by "containerPort": the declared key.
    const i = out.findIndex((e) => isObj(e) && e[key] === p[key]);
    if (p.$patch === 'delete') { if (i >= 0) out.splice(i, 1); continue; }
    if (i >= 0) out[i] = strategicMergePatch(out[i], p, schema, item);
    else out.push(strategicMergePatch(undefined, p, schema, item));
  }
  return out;
}

/** $setElementOrder: listed elements in the given order, the others after them as they were. */
function reorder(list: J[], order: J[], key: string | undefined): J[] {
  const id = (e: J): string => JSON.stringify(key && isObj(e) ? e[key] : e);
  const rank = new Map(order.map((e, i) => [id(e), i]));
  const listed = list.filter((e) => rank.has(id(e))).sort((a, b) => rank.get(id(a))! - rank.get(id(b))!);
  return [...listed, ...list.filter((e) => !rank.has(id(e)))];
}

function stripDirectives(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

interface Op { op: string; path: string; value?: J; from?: string }

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw Errors.badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(doc: J, ops: unknown): J {
  if (!Array.isArray(ops)) throw Errors.badRequest('json patch must be a JSON array of operations');
  let root: J = structuredClone(doc);
  const parent = (segs: string[]): { container: J; key: string } => {
    let cur: J = root;
    for (const s of segs.slice(0, -1)) {
      cur = Array.isArray(cur) ? cur[Number(s)] : isObj(cur) ? cur[s] : undefined;
      if (cur === undefined) throw Errors.badRequest(`doc is missing path: "/${segs.join('/')}": missing value`);
    }
    return { container: cur, key: segs[segs.length - 1]! };
  };
  const getAt = (segs: string[]): J => segs.reduce<J>((c, s) => (Array.isArray(c) ? c[Number(s)] : isObj(c) ? c[s] : undefined), root);
  const remove = (segs: string[]): J => {
    const { container, key } = parent(segs);
    if (Array.isArray(container)) return container.splice(Number(key), 1)[0];
    if (isObj(container) && key in container) { const v = container[key]; delete container[key]; return v; }
    throw Errors.badRequest(`doc is missing path: "/${segs.join('/')}": missing value`);
  };
  const add = (segs: string[], value: J): void => {
    if (segs.length === 0) { root = value; return; }
    const { container, key } = parent(segs);
    if (Array.isArray(container)) container.splice(key === '-' ? container.length : Number(key), 0, value);
    else if (isObj(container)) container[key] = value;
    else throw Errors.badRequest(`doc is missing path: "/${segs.join('/')}": missing value`);
  };
  for (const o of ops as Op[]) {
    const segs = pointer(o.path);
    switch (o.op) {
      case 'add': add(segs, o.value); break;
      case 'remove': remove(segs); break;
      case 'replace': remove(segs); add(segs, o.value); break;
      case 'move': { const v = remove(pointer(o.from ?? '')); add(segs, v); break; }
      case 'copy': add(segs, structuredClone(getAt(pointer(o.from ?? '')))); break;
      case 'test':
        if (JSON.stringify(getAt(segs)) !== JSON.stringify(o.value)) throw Errors.badRequest(`the server rejected our request due to an error in our request: testing value ${o.path} failed`);
        break;
      default: throw Errors.badRequest(`Unexpected kind: ${o.op}`);
    }
  }
  return root;
}
