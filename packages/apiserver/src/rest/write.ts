// CREATE, UPDATE and PATCH (merge, JSON, strategic, server-side apply) through one pipeline:
// decode → prepare (server-owned fields) → mutating admission (defaulting first) → validation →
// validating admission → managedFields → storage (skipped with dryRun=All).
import { randomBytes } from 'node:crypto';
import { Errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import { apiVersionOf, validateName, type ResourceDef } from '../registry/resource.js';
import { labelValue, qualifiedName } from '../registry/validation.js';
import { carryOver, stampNew } from '../storage/objects.js';
import { jsonPatch, mergePatch, strategicMergePatch, type PatchSchema } from '../http/patch.js';
import { contentType, decodeAs, parseBody, PATCH_TYPES, readObject, type PatchType } from './body.js';
import { isDryRun, type AdmissionAttributes, type Api, type Operation, type Request, type Target } from './context.js';
import { fieldManager, managerOf } from './fieldmanager.js';
import { served, stored } from './read.js';

export interface Reply { code: number; body: unknown }

const gr = (d: ResourceDef) => ({ group: d.group, resource: d.plural });

/** Upstream's generateName suffix: 5 characters from a consonant-heavy alphabet. */
export function nameSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Admission and validation, in upstream's order. Throws 422 Invalid with field causes. */
export async function admit(api: Api, attrs: AdmissionAttributes & { object: KubeObject }): Promise<void> {
  const { def, object: obj } = attrs;
  if (attrs.subresource !== 'status') def.defaults?.(obj);
  for (const p of api.admission) await p.mutate?.(attrs);
  const causes: StatusCause[] = [];
  const name = obj.metadata.name;
  if (def.compute) { /* reviews are not stored: no name needed */ } else if (!name) causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  else for (const m of validateName(def.nameRule, name)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${m}`, field: 'metadata.name' });
  causes.push(...validateMetadata(obj));
  causes.push(...(def.validate?.(obj, attrs.oldObject) ?? []));
  if (causes.length > 0) throw Errors.invalid(def.kind, def.group, name ?? '', causes);
  for (const p of api.admission) await p.validate?.(attrs);
}

/** Label keys and values, annotation keys (upstream's ValidateObjectMeta, the common part). */
function validateMetadata(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const bad = (field: string, value: string, messages: string[]): void => {
    for (const m of messages) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${m}`, field });
  };
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    bad('metadata.labels', k, qualifiedName(k));
    bad('metadata.labels', String(v), labelValue(String(v)));
  }
  for (const k of Object.keys(obj.metadata.annotations ?? {})) bad('metadata.annotations', k, qualifiedName(k.toLowerCase()));
  const size = Object.entries(obj.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (size > 256 * 1024) out.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most 262144 bytes`, field: 'metadata.annotations' });
  return out;
}

/** Creates in a namespace only if it exists and is not being deleted (NamespaceLifecycle). */
async function checkNamespace(api: Api, def: ResourceDef, ns: string): Promise<void> {
  const nsObj = await api.store.get(api.resources.namespaces, undefined, ns).catch((e: unknown) => {
    if ((e as { code?: number }).code === 404) throw Errors.notFound({ group: '', resource: 'namespaces' }, ns);
    throw e;
  });
  if (nsObj.metadata.deletionTimestamp) {
    throw Errors.forbidden(gr(def), '', `unable to create new content in namespace ${ns} because it is being terminated`);
  }
}

/** Server-owned fields of a new object, then admission, validation and managedFields. */
async function prepareCreate(api: Api, req: Request, t: Target, obj: KubeObject, manager: string | undefined): Promise<KubeObject> {
  const { def } = t;
  if (def.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== t.namespace) {
      throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = t.namespace!;
    await checkNamespace(api, def, t.namespace!);
  } else delete obj.metadata.namespace;
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + nameSuffix();
  stampNew(def, obj);
  delete obj.metadata.deletionTimestamp;
  delete obj.metadata.deletionGracePeriodSeconds;
  if (def.subresources?.status && !def.keepStatusOnCreate) delete obj.status;
  def.prepareCreate?.(obj, { user: req.user });
  await admit(api, { operation: 'CREATE', def, namespace: t.namespace, name: obj.metadata.name, object: obj, user: req.user, dryRun: isDryRun(req.query) } as AdmissionAttributes & { object: KubeObject });
  if (manager !== undefined) fieldManager.update(api, def, undefined, obj, manager);
  return obj;
}

async function storeNew(api: Api, req: Request, def: ResourceDef, obj: KubeObject): Promise<KubeObject> {
  const dryRun = isDryRun(req.query);
  const hooks = api.hooks.filter((h) => h.appliesTo(def));
  for (const h of hooks) await h.beforeCreate?.(obj, dryRun);
  try {
    return served(def, await api.store.create(def, stored(def, obj), { dryRun }));
  } catch (err) {
    for (const h of hooks) await h.createFailed?.(obj);
    throw err;
  }
}

/**
 * store.update with the resource's storage hooks around it. `derive` computes the new served
 * object from the current one; the hooks see every attempt (the store retries on conflicts).
 */
async function storeUpdate(api: Api, req: Request, t: Target, derive: (cur: KubeObject) => Promise<KubeObject>, expectedRV?: string): Promise<KubeObject> {
  const { def } = t;
  const dryRun = isDryRun(req.query);
  const hooks = api.hooks.filter((h) => h.appliesTo(def));
  const attempts: Array<{ next: KubeObject; cur: KubeObject }> = [];
  try {
    const result = await api.store.update(def, t.namespace, t.name!, async (curStored) => {
      const cur = served(def, curStored);
      const next = await derive(cur);
      // Undo what an earlier attempt of this request allocated before trying again.
      for (const a of attempts.splice(0)) for (const h of hooks) await h.updateFailed?.(a.next, a.cur);
      for (const h of hooks) await h.beforeUpdate?.(next, cur, dryRun);
      attempts.push({ next, cur });
      return stored(def, next);
    }, { ...(expectedRV !== undefined ? { expectedRV } : {}), dryRun, deleteIf: (next) => readyToDelete(def, served(def, next)) });
    const done = attempts.pop();
    if (done && !dryRun) {
      const deleted = readyToDelete(def, served(def, result));
      for (const h of hooks) await (deleted ? h.afterDelete?.(done.cur) : h.afterUpdate?.(done.next, done.cur));
    }
    return served(def, result);
  } catch (err) {
    for (const a of attempts) for (const h of hooks) await h.updateFailed?.(a.next, a.cur);
    throw err;
  }
}

export async function create(api: Api, req: Request, t: Target): Promise<Reply> {
  if (t.def.compute) {
    const obj = readObject(api, req, t.def);
    if (t.def.namespaced) obj.metadata.namespace = t.namespace!;
    await admit(api, { operation: 'CREATE', def: t.def, namespace: t.namespace, object: obj, user: req.user, dryRun: isDryRun(req.query) } as AdmissionAttributes & { object: KubeObject });
    return { code: 201, body: await t.def.compute(obj, { user: req.user }) };
  }
  const obj = await prepareCreate(api, req, t, readObject(api, req, t.def), managerOf(req));
  return { code: 201, body: await storeNew(api, req, t.def, obj) };
}

const isNamespaces = (def: ResourceDef): boolean => def.group === '' && def.plural === 'namespaces';

/** Namespaces go when their spec.finalizers and metadata.finalizers are both empty. */
function nsFinalizers(obj: KubeObject): string[] {
  const f = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers;
  return Array.isArray(f) ? f : [];
}

/** Whether an object being deleted can go now (upstream's ShouldDeleteDuringUpdate). */
export function readyToDelete(def: ResourceDef, obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if ((obj.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  return !isNamespaces(def) || nsFinalizers(obj).length === 0;
}

/**
 * Derives the stored object from an updated one: server-owned metadata and, across the status
 * boundary, the side this request may not change; then admission, validation, managedFields.
 */
async function prepareUpdate(api: Api, req: Request, t: Target, next: KubeObject, cur: KubeObject, manager: string, op: Operation = 'UPDATE', applied = false): Promise<KubeObject> {
  const { def } = t;
  if (next.metadata.name !== cur.metadata.name) throw Errors.badRequest(`the name of the object (${next.metadata.name ?? ''}) does not match the name on the URL (${cur.metadata.name})`);
  if (def.namespaced) next.metadata.namespace = t.namespace!;
  if (t.subresource === 'status') {
    // /status changes only .status (and metadata labels/annotations, as upstream allows).
    const out: KubeObject = { ...structuredClone(cur), status: next.status };
    if (next.status === undefined) delete out.status;
    out.metadata = { ...out.metadata, labels: next.metadata.labels ?? {}, annotations: next.metadata.annotations ?? {} };
    if (!next.metadata.labels) delete out.metadata.labels;
    if (!next.metadata.annotations) delete out.metadata.annotations;
    out.metadata.managedFields = next.metadata.managedFields ?? cur.metadata.managedFields ?? [];
    if (out.metadata.managedFields.length === 0) delete out.metadata.managedFields;
    next = out;
  } else if (t.subresource === 'approval') {
    // /approval changes only status.conditions (upstream's csrApprovalStrategy), stamping their times.
    const out: KubeObject = { ...structuredClone(cur) };
    const conditions = (next.status as { conditions?: unknown } | undefined)?.conditions;
    out.status = { ...((cur.status as Record<string, unknown> | undefined) ?? {}), conditions };
    if (conditions === undefined) delete (out.status as Record<string, unknown>).conditions;
    populateConditionTimestamps(out, cur);
    out.metadata = { ...out.metadata, labels: next.metadata.labels ?? {}, annotations: next.metadata.annotations ?? {} };
    if (!next.metadata.labels) delete out.metadata.labels;
    if (!next.metadata.annotations) delete out.metadata.annotations;
    out.metadata.managedFields = next.metadata.managedFields ?? cur.metadata.managedFields ?? [];
    if (out.metadata.managedFields.length === 0) delete out.metadata.managedFields;
    next = out;
  } else if (def.subresources?.status) {
    if (cur.status === undefined) delete next.status;
    else next.status = cur.status;
  }
  carryOver(def, next, cur);
  if (next.metadata.resourceVersion === undefined) next.metadata.resourceVersion = cur.metadata.resourceVersion!;
  await admit(api, { operation: op, def, subresource: t.subresource, namespace: t.namespace, name: t.name, object: next, oldObject: cur, user: req.user, dryRun: isDryRun(req.query) } as AdmissionAttributes & { object: KubeObject });
  if (!applied) fieldManager.update(api, def, cur, next, manager, t.subresource);
  return next;
}

interface CSRCondition { type?: string; status?: string; lastUpdateTime?: string; lastTransitionTime?: string }
const conditionsOf = (o: KubeObject): CSRCondition[] => {
  const c = (o.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as CSRCondition[]) : [];
};

/** Upstream's populateConditionTimestamps: missing lastUpdateTime is now; lastTransitionTime carries over per type/status. */
function populateConditionTimestamps(next: KubeObject, old: KubeObject): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const c of conditionsOf(next)) {
    if (!c || typeof c !== 'object') continue;
    c.lastUpdateTime ||= now;
    if (!c.lastTransitionTime) c.lastTransitionTime = conditionsOf(old).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime)?.lastTransitionTime ?? now;
  }
}

export async function update(api: Api, req: Request, t: Target): Promise<Reply> {
  const obj = readObject(api, req, t.def);
  if (obj.metadata.name !== t.name) throw Errors.badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${t.name!})`);
  const manager = managerOf(req);
  const result = await storeUpdate(api, req, t, (cur) => prepareUpdate(api, req, t, structuredClone(obj), cur, manager), obj.metadata.resourceVersion);
  return { code: 200, body: result };
}

/** The schema view strategic merge patch needs: declared fields by type. */
export function patchSchema(api: Api): PatchSchema {
  return { field: (type, name) => { const t = api.schemas.get(type); return t ? api.schemas.field(t, name) : undefined; } };
}

/** A merge patch that names metadata.resourceVersion makes it a precondition, as upstream. */
function patchPrecondition(patch: unknown): string | undefined {
  const rv = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
}

function applyPatch(api: Api, t: Target, type: PatchType, cur: KubeObject, patch: unknown): unknown {
  if (type === 'application/json-patch+json') return jsonPatch(structuredClone(cur), patch);
  if (type === 'application/merge-patch+json') return mergePatch(structuredClone(cur), patch as never);
  return strategicMergePatch(structuredClone(cur), patch, patchSchema(api), t.def.schema);
}

export async function patch(api: Api, req: Request, t: Target): Promise<Reply> {
  const type = contentType(req) as PatchType;
  if (!PATCH_TYPES.includes(type)) throw Errors.unsupportedMediaType(type, PATCH_TYPES.join(', ').replace('application/merge-patch+json, application/json-patch+json', 'application/json-patch+json, application/merge-patch+json'));
  if (type === 'application/apply-patch+yaml') return apply(api, req, t);
  if (req.query.force !== undefined) throw Errors.badRequest('force is only supported for apply');
  const body = parseBody(req);
  if (type !== 'application/json-patch+json' && (!body || typeof body !== 'object' || Array.isArray(body))) {
    throw Errors.badRequest(`json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type map[string]interface {}`);
  }
  const manager = managerOf(req);
  const result = await storeUpdate(api, req, t, async (cur) => {
    const raw = applyPatch(api, t, type, cur, body);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.badRequest('the patch produced an invalid object');
    const r = raw as Record<string, unknown>;
    if (r.kind !== t.def.kind || r.apiVersion !== apiVersionOf(t.def)) throw Errors.badRequest('the patch may not change the kind or apiVersion');
    const next = decodeAs(api, req, t.def, raw);
    if (!next.metadata || typeof next.metadata !== 'object') next.metadata = {};
    if (next.metadata.name !== t.name) throw Errors.badRequest('the patch may not change metadata.name');
    return prepareUpdate(api, req, t, next, cur, manager);
  }, patchPrecondition(body));
  return { code: 200, body: result };
}

/** Server-side apply: creates the object when missing, else merges with field ownership. */
async function apply(api: Api, req: Request, t: Target): Promise<Reply> {
  const manager = req.query.fieldManager;
  if (!manager) throw Errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
  const force = req.query.force === 'true';
  const raw = parseBody(req);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.badRequest('error decoding YAML: the applied configuration must be an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.apiVersion !== 'string' || r.apiVersion === '') throw Errors.badRequest(`invalid object type: /, Kind=${String(r.kind ?? '')}`);
  if (r.kind !== t.def.kind || r.apiVersion !== apiVersionOf(t.def)) {
    throw Errors.badRequest(`the API version in the data (${String(r.apiVersion)}) does not match the expected API version (${apiVersionOf(t.def)})`);
  }
  const applied = decodeAs(api, req, t.def, raw);
  if (!applied.metadata || typeof applied.metadata !== 'object') applied.metadata = {};
  if (applied.metadata.name !== undefined && applied.metadata.name !== t.name) throw Errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${t.name!})`);
  applied.metadata.name = t.name!;
  try {
    const result = await storeUpdate(api, req, t, async (cur) => {
      const merged = fieldManager.apply(api, t.def, cur, structuredClone(applied), manager, force, t.subresource);
      const managed = merged.metadata.managedFields;
      const next = await prepareUpdate(api, req, t, merged, cur, manager, 'UPDATE', true);
      if (managed) next.metadata.managedFields = managed;
      return next;
    });
    return { code: 200, body: result };
  } catch (err) {
    if ((err as { code?: number }).code !== 404 || (err as { status?: { details?: { name?: string } } }).status?.details?.name !== t.name) throw err;
    // Applying a subresource of a missing object does not create it.
    if (t.subresource) throw err;
  }
  const fresh = fieldManager.apply(api, t.def, undefined, structuredClone(applied), manager, force);
  const managed = fresh.metadata.managedFields;
  const obj = await prepareCreate(api, req, t, fresh, undefined);
  if (managed) obj.metadata.managedFields = managed;
  return { code: 201, body: await storeNew(api, req, t.def, obj) };
}

export { gr };
