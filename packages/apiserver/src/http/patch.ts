// The three PATCH types kubectl sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and
// strategic merge patch: a merge patch whose lists merge by key where upstream's types declare a
// patch merge key (containers by name, ports by containerPort, ...) and are replaced otherwise.
import { Errors } from '../api/errors.js';

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

/** Upstream's x-kubernetes-patch-merge-key for the list fields users patch, by field name. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name', tolerations: 'key',
  hostAliases: 'ip', conditions: 'type', ownerReferences: 'uid', secrets: 'name',
  ports: 'containerPort',
};

/** A strategic merge patch (no $retainKeys/$setElementOrder support yet). */
export function strategicMergePatch(target: J, patch: J, field = ''): J {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return patch.filter((e) => !(isObj(e) && e.$patch === 'delete'));
    const out = [...target] as J[];
    for (const p of patch) {
      if (!isObj(p)) { out.push(p); continue; }
      // Service ports merge by "port"; container ports by "containerPort".
      const k = key === 'containerPort' && p.containerPort === undefined && p.port !== undefined ? 'port' : key;
      const i = out.findIndex((e) => isObj(e) && e[k] === p[k]);
      if (p.$patch === 'delete') { if (i >= 0) out.splice(i, 1); continue; }
      if (i >= 0) out[i] = strategicMergePatch(out[i], p);
      else out.push(strategicMergePatch(undefined, p));
    }
    return out;
  }
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') { const { $patch: _p, ...rest } = patch; return rest; }
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k.startsWith('$setElementOrder/') || k === '$retainKeys') continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
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
