// Deciding whether a status pass changed anything (nodeStatusHasChanged: heartbeats ignored,
// quantities by value, empty fields as absent) and the two-way strategic merge patch of metadata
// and status that nodeutil.PatchNodeStatus sends to nodes/<name>/status.
import { deepEqual, type Node, type NodeCondition, type NodeStatus } from '@kube-ts/client';
import { resourceListsEqual } from './quantity.js';

type J = unknown;
type Obj = Record<string, J>;
const isObj = (v: J): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops what JSON omitempty drops (undefined, null, "", [], {}) so wire copies compare equal. */
function prune(v: J): J {
  if (Array.isArray(v)) return v.map(prune);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p === undefined || p === null || p === '' || (Array.isArray(p) && p.length === 0) || (isObj(p) && Object.keys(p).length === 0)) continue;
    out[k] = p;
  }
  return out;
}

function conditionsChanged(a: NodeCondition[] = [], b: NodeCondition[] = []): boolean {
  if (a.length !== b.length) return true;
  const strip = (cs: NodeCondition[]): J[] => [...cs].sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : 0)).map(({ lastHeartbeatTime: _h, ...rest }) => prune(rest));
  return !deepEqual(strip(a), strip(b));
}

/** nodeStatusHasChanged. */
export function nodeStatusHasChanged(original: NodeStatus | undefined, status: NodeStatus | undefined): boolean {
  if (!original && !status) return false;
  if (!original || !status) return true;
  if (conditionsChanged(original.conditions, status.conditions)) return true;
  if (!resourceListsEqual(original.capacity, status.capacity) || !resourceListsEqual(original.allocatable, status.allocatable)) return true;
  const rest = (s: NodeStatus): J => {
    const { conditions: _c, capacity: _cap, allocatable: _a, ...r } = s;
    return prune(r);
  };
  return !deepEqual(rest(original), rest(status));
}

/** Lists merged by key under strategic merge patch (NodeStatus.conditions/addresses by type). */
const MERGE_KEYS: Record<string, string> = { 'status.conditions': 'type', 'status.addresses': 'type' };

function diffKeyedList(orig: Obj[], mod: Obj[], key: string, field: string, out: Obj): void {
  const items: J[] = [];
  const origBy = new Map(orig.map((o) => [String(o[key]), o]));
  const modKeys = new Set(mod.map((m) => String(m[key])));
  for (const m of mod) {
    const o = origBy.get(String(m[key]));
    if (!o) { items.push(m); continue; }
    const d = diff(o, m, '');
    if (d) items.push({ [key]: m[key], ...d });
  }
  for (const o of orig) if (!modKeys.has(String(o[key]))) items.push({ [key]: o[key], $patch: 'delete' });
  const sameOrder = orig.length === mod.length && orig.every((o, i) => String(o[key]) === String(mod[i]![key]));
  if (items.length || !sameOrder) {
    out[`$setElementOrder/${field}`] = mod.map((m) => ({ [key]: m[key] }));
    if (items.length) out[field] = items;
  }
}

/** The strategic merge patch turning `orig` into `mod` (undefined when they are equal). */
function diff(orig: Obj, mod: Obj, path: string): Obj | undefined {
  const out: Obj = {};
  for (const [k, m] of Object.entries(mod)) {
    if (m === undefined) continue;
    const o = orig[k];
    const p = path ? `${path}.${k}` : k;
    if (o === undefined || o === null) { if (m !== null) out[k] = m; continue; }
    if (isObj(o) && isObj(m)) {
      const d = diff(o, m, p);
      if (d) out[k] = d;
    } else if (Array.isArray(o) && Array.isArray(m) && MERGE_KEYS[p]) {
      diffKeyedList(o as Obj[], m as Obj[], MERGE_KEYS[p], k, out);
    } else if (!deepEqual(o, m)) out[k] = m;
  }
  for (const k of Object.keys(orig)) if (!(k in mod) || mod[k] === undefined) out[k] = null;
  return Object.keys(out).length ? out : undefined;
}

/** preparePatchBytesforNodeStatus: metadata and status of both, spec left out. */
export function nodeStatusPatch(original: Node, modified: Node): Obj | undefined {
  const pick = (n: Node): Obj => ({
    metadata: { labels: n.metadata.labels ?? {}, annotations: n.metadata.annotations ?? {} },
    status: (n.status ?? {}) as Obj,
  });
  return diff(pick(original), pick(modified), '');
}
