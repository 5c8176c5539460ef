// Subresources besides /status (handled by the update pipeline): /scale as autoscaling/v1
// Scale, pods/binding (what the scheduler posts), pods/eviction (PodDisruptionBudget-aware delete).
import { Errors } from '../api/errors.js';
import { formatSelector, selectorMatches } from '../registry/selector.js';
import type { KubeObject } from '../api/types.js';
import type { ResourceDef } from '../registry/resource.js';
import { jsonPatch, mergePatch, strategicMergePatch } from '../http/patch.js';
import { contentType, parseBody, readObject } from './body.js';
import type { TokenIssuer } from '../auth/tokens.js';
import { isDryRun, type Api, type Request, type Target } from './context.js';
import { deleteResource } from './delete.js';
import { served, stored } from './read.js';
import { patchSchema, type Reply } from './write.js';
import { fieldManager, managerOf } from './fieldmanager.js';

type Obj = Record<string, unknown>;

function at(obj: unknown, path: string): unknown {
  return path.split('.').filter(Boolean).reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), obj);
}

function setAt(obj: Obj, path: string, value: unknown): void {
  const keys = path.split('.').filter(Boolean);
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = (cur[k] && typeof cur[k] === 'object' ? cur[k] : (cur[k] = {})) as Obj;
  cur[keys[keys.length - 1]!] = value;
}

function scaleOf(def: ResourceDef, obj: KubeObject): KubeObject {
  const sc = def.subresources!.scale!;
  const m = obj.metadata;
  const status: Obj = { replicas: Number(at(obj, sc.statusReplicasPath) ?? 0) };
  if (sc.labelSelectorPath) {
    const raw = at(obj, sc.labelSelectorPath);
    const sel = typeof raw === 'string' ? raw : formatSelector(raw);
    if (sel) status.selector = sel;
  }
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name!, ...(m.namespace ? { namespace: m.namespace } : {}), uid: m.uid!, resourceVersion: m.resourceVersion!, creationTimestamp: m.creationTimestamp! },
    spec: { replicas: Number(at(obj, sc.specReplicasPath) ?? 0) },
    status,
  };
}

export async function scale(api: Api, req: Request, t: Target): Promise<Reply> {
  const { def } = t;
  if (!def.subresources?.scale) throw Errors.notFoundPath(req.url);
  if (req.method === 'GET') return { code: 200, body: scaleOf(def, served(def, await api.store.get(def, t.namespace, t.name!))) };
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw Errors.methodNotSupported({ group: def.group, resource: `${def.plural}/scale` }, req.method.toLowerCase());
  const body = parseBody(req);
  const type = contentType(req);
  let expectedRV: string | undefined;
  const manager = managerOf(req);
  const result = await api.store.update(def, t.namespace, t.name!, (curStored) => {
    const cur = served(def, curStored);
    const before = scaleOf(def, cur);
    let want: unknown;
    if (req.method === 'PUT') {
      want = body;
      expectedRV = (body as KubeObject | undefined)?.metadata?.resourceVersion;
    } else if (type === 'application/json-patch+json') want = jsonPatch(structuredClone(before), body);
    else if (type === 'application/merge-patch+json') want = mergePatch(structuredClone(before), body as never);
    else if (type === 'application/strategic-merge-patch+json') want = strategicMergePatch(structuredClone(before), body, patchSchema(api), 'io.k8s.api.autoscaling.v1.Scale');
    else throw Errors.unsupportedMediaType(type);
    const replicas = at(want, 'spec.replicas');
    if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
      throw Errors.invalid('Scale', 'autoscaling', t.name!, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' }]);
    }
    if (expectedRV && expectedRV !== cur.metadata.resourceVersion) {
      throw Errors.conflict({ group: def.group, resource: def.plural }, t.name!, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const next = structuredClone(cur);
    setAt(next as Obj, def.subresources!.scale!.specReplicasPath, replicas ?? 0);
    if (def.hasSpec && (replicas ?? 0) !== (before.spec as Obj).replicas) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    fieldManager.update(api, def, cur, next, manager, 'scale');
    return stored(def, next);
  }, { dryRun: isDryRun(req.query) });
  return { code: 200, body: scaleOf(def, served(def, result)) };
}

/** POST pods/{name}/binding: assigns the pod to a node once (the scheduler's write). */
export async function bind(api: Api, req: Request, t: Target): Promise<Reply> {
  if (req.method !== 'POST') throw Errors.methodNotSupported({ group: '', resource: 'pods/binding' }, req.method.toLowerCase());
  const b = parseBody(req) as { metadata?: { name?: string }; target?: { kind?: string; name?: string } } | null;
  const node = b?.target?.name;
  if (!node) throw Errors.invalid('Binding', '', t.name!, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }]);
  if (b?.target?.kind && b.target.kind !== 'Node') throw Errors.invalid('Binding', '', t.name!, [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${b.target.kind}": supported values: "Node"`, field: 'target.kind' }]);
  await api.store.update(t.def, t.namespace, t.name!, (pod) => {
    const spec = (pod.spec ?? {}) as Obj;
    if (pod.metadata.deletionTimestamp) throw Errors.conflict({ group: '', resource: 'pods/binding' }, t.name!, `pod ${t.name!} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw Errors.conflict({ group: '', resource: 'pods/binding' }, t.name!, `pod ${t.name!} is already assigned to node "${String(spec.nodeName)}"`);
    spec.nodeName = node;
    pod.spec = spec;
    const status = (pod.status ?? (pod.status = {})) as Obj;
    const conds = (Array.isArray(status.conditions) ? status.conditions : []) as Obj[];
    status.conditions = [...conds.filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }];
    return pod;
  }, { dryRun: isDryRun(req.query) });
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

const BUDGET_MSG = 'Cannot evict pod as it would violate the pod\'s disruption budget.';
const MAX_DISRUPTED_PODS = 2000;

/**
 * Takes one disruption from the PodDisruptionBudget (upstream checkAndDecrement): refuses while the
 * disruption controller has not processed the budget's current generation or none is allowed, and
 * records the pod in status.disruptedPods so the controller stops counting it as healthy. The
 * status write is conditional on the version read, so two evictions cannot spend one disruption.
 */
async function checkAndDecrement(api: Api, def: ResourceDef, pdb: KubeObject, podName: string, dryRun: boolean): Promise<void> {
  const name = pdb.metadata.name!;
  const gr = { group: 'policy', resource: 'poddisruptionbudgets' };
  await api.store.update(def, pdb.metadata.namespace, name, (cur) => {
    const status = { ...((cur.status ?? {}) as Obj) };
    if (Number(status.observedGeneration ?? 0) < Number(cur.metadata.generation ?? 0)) {
      throw Errors.tooManyRequests(BUDGET_MSG, [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} is still being processed by the server.`, field: '' }], 10);
    }
    const allowed = Number(status.disruptionsAllowed ?? 0);
    if (allowed < 0) throw Errors.forbidden(gr, '', 'pdb disruptions allowed is negative');
    const disrupted = { ...((status.disruptedPods ?? {}) as Record<string, string>) };
    if (Object.keys(disrupted).length > MAX_DISRUPTED_PODS) throw Errors.forbidden(gr, '', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    if (allowed === 0) {
      throw Errors.tooManyRequests(BUDGET_MSG, [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${String(status.desiredHealthy ?? 0)} healthy pods and has ${String(status.currentHealthy ?? 0)} currently`, field: '' }]);
    }
    status.disruptionsAllowed = allowed - 1;
    if (status.disruptionsAllowed === 0 && Array.isArray(status.conditions)) {
      status.conditions = (status.conditions as Obj[]).map((c) => (c.type === 'DisruptionAllowed' && c.status !== 'False'
        ? { ...c, status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }
        : c));
    }
    disrupted[podName] = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    status.disruptedPods = disrupted;
    return { ...cur, status };
  }, { dryRun });
}

/** POST pods/{name}/eviction: a delete that PodDisruptionBudgets may refuse (429). */
export async function evict(api: Api, req: Request, t: Target): Promise<Reply> {
  if (req.method !== 'POST') throw Errors.methodNotSupported({ group: '', resource: 'pods/eviction' }, req.method.toLowerCase());
  const ev = parseBody(req) as { metadata?: { name?: string }; deleteOptions?: unknown } | null;
  if (ev?.metadata?.name && ev.metadata.name !== t.name) throw Errors.badRequest(`name in URL does not match name in Eviction object`);
  const pod = await api.store.get(t.def, t.namespace, t.name!);
  const pdbs = api.resources.get('policy', 'v1', 'poddisruptionbudgets');
  const phase = (pod.status as Obj | undefined)?.phase;
  if (pdbs && phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp) {
    const list = await api.store.list(pdbs, t.namespace);
    const covering = list.items.filter((p) => selectorMatches((p.spec as Obj | undefined)?.selector, pod.metadata.labels));
    if (covering.length > 1) throw Errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = covering[0];
    if (pdb) await checkAndDecrement(api, pdbs, pdb, t.name!, isDryRun(req.query));
  }
  const opts = ev?.deleteOptions && typeof ev.deleteOptions === 'object' ? Buffer.from(JSON.stringify(ev.deleteOptions)) : Buffer.alloc(0);
  await deleteResource(api, { ...req, body: opts, headers: { ...req.headers, 'content-type': 'application/json' } }, { ...t, subresource: undefined } as Target);
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

/** POST serviceaccounts/{name}/token: a TokenRequest answered with a signed token. */
export async function token(api: Api, req: Request, t: Target, issuer: TokenIssuer | undefined): Promise<Reply> {
  if (req.method !== 'POST') throw Errors.methodNotSupported({ group: '', resource: 'serviceaccounts/token' }, req.method.toLowerCase());
  const trDef = api.resources.get('authentication.k8s.io', 'v1', 'tokenrequests') ?? { ...t.def, kind: 'TokenRequest', group: 'authentication.k8s.io', schema: 'io.k8s.api.authentication.v1.TokenRequest' };
  const tr = readObject(api, req, { ...trDef, kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', schema: 'io.k8s.api.authentication.v1.TokenRequest' });
  const spec = (tr.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } };
  const exp = spec.expirationSeconds ?? 3600;
  if (exp < 600) throw Errors.invalid('TokenRequest', 'authentication.k8s.io', t.name!, [{ reason: 'FieldValueInvalid', message: 'Invalid value: ' + exp + ': may not specify a duration less than 10 minutes', field: 'spec.expirationSeconds' }]);
  if (exp > 2 ** 32) throw Errors.invalid('TokenRequest', 'authentication.k8s.io', t.name!, [{ reason: 'FieldValueTooLong', message: `Too long: may not specify a duration larger than 2^32 seconds`, field: 'spec.expirationSeconds' }]);
  if (!issuer) throw Errors.internal('no service account token signing key is configured');
  const sa = await api.store.get(t.def, t.namespace, t.name!);
  let bound: { kind: string; name: string; uid: string } | undefined;
  const b = spec.boundObjectRef;
  if (b) {
    const kinds: Record<string, [string, string, string]> = { Pod: ['', 'v1', 'pods'], Secret: ['', 'v1', 'secrets'], Node: ['', 'v1', 'nodes'] };
    const k = kinds[b.kind ?? ''];
    if (!k) throw Errors.badRequest(`cannot bind token to object of type ${b.kind ?? ''}`);
    const def = api.resources.get(...k)!;
    const obj = await api.store.get(def, def.namespaced ? t.namespace : undefined, b.name ?? '');
    if (b.uid && b.uid !== obj.metadata.uid) throw Errors.conflict({ group: '', resource: k[2] }, b.name ?? '', `the UID in the bound object reference (${b.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    bound = { kind: b.kind!, name: b.name!, uid: obj.metadata.uid! };
  }
  const { token: jwt, expires } = issuer.issue({ namespace: t.namespace!, name: t.name!, uid: sa.metadata.uid! }, { ...(spec.audiences ? { audiences: spec.audiences } : {}), expirationSeconds: exp, ...(bound ? { bound } : {}) });
  const out: KubeObject = {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: t.name!, namespace: t.namespace!, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    spec: { ...spec, audiences: spec.audiences && spec.audiences.length > 0 ? spec.audiences : issuer.audiences, expirationSeconds: exp, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token: jwt, expirationTimestamp: expires.toISOString().replace(/\.\d+Z$/, 'Z') },
  };
  return { code: 201, body: out };
}
