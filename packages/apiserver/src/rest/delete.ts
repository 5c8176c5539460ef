// DELETE and DELETECOLLECTION with upstream's semantics: preconditions, graceful deletion (pods),
// finalizers and deletionTimestamp, propagationPolicy (orphan / foregroundDeletion finalizers for
// the garbage collector), namespaces that stay Terminating until finalized, and dryRun.
import { Errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { apiVersionOf, type ResourceDef } from '../registry/resource.js';
import { parseBody } from './body.js';
import { isDryRun, type Api, type Request, type Target } from './context.js';
import { listObjects, selectorFilter, served, stored } from './read.js';
import { gr, readyToDelete, type Reply } from './write.js';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string[];
}

function deleteOptions(req: Request): DeleteOptions {
  let o: DeleteOptions = {};
  if (req.body instanceof Buffer && req.body.length > 0) {
    const raw = parseBody(req);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.badRequest('DeleteOptions must be an object');
    o = raw as DeleteOptions;
  }
  const q = req.query;
  if (q.gracePeriodSeconds !== undefined) o.gracePeriodSeconds = Number(q.gracePeriodSeconds);
  if (q.propagationPolicy !== undefined) o.propagationPolicy = q.propagationPolicy;
  if (q.orphanDependents !== undefined) o.orphanDependents = q.orphanDependents === 'true';
  if (q.dryRun !== undefined) o.dryRun = [q.dryRun];
  if (o.gracePeriodSeconds !== undefined && (!Number.isInteger(o.gracePeriodSeconds))) throw Errors.badRequest('gracePeriodSeconds must be an integer');
  const pp = o.propagationPolicy;
  if (pp !== undefined && !['Orphan', 'Background', 'Foreground'].includes(pp)) {
    throw Errors.invalid('DeleteOptions', 'meta.k8s.io', '', [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`, field: 'propagationPolicy' }]);
  }
  if (pp !== undefined && o.orphanDependents !== undefined) {
    throw Errors.invalid('DeleteOptions', 'meta.k8s.io', '', [{ reason: 'FieldValueInvalid', message: 'Invalid value: "null": orphanDependents and deletionPropagation cannot be both set', field: 'propagationPolicy' }]);
  }
  return o;
}

function checkPreconditions(def: ResourceDef, cur: KubeObject, p: DeleteOptions['preconditions']): void {
  if (!p) return;
  const name = cur.metadata.name!;
  if (p.uid && p.uid !== cur.metadata.uid) {
    throw Errors.conflict(gr(def), name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${cur.metadata.uid ?? ''}`);
  }
  if (p.resourceVersion && p.resourceVersion !== cur.metadata.resourceVersion) {
    throw Errors.conflict(gr(def), name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ''}`);
  }
}

const timestamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Deletes one object; returns it as last stored (immediate) or with deletionTimestamp set (pending). */
async function deleteOne(api: Api, t: Target, name: string, o: DeleteOptions, dryRun: boolean): Promise<KubeObject> {
  const { def } = t;
  const result = await api.store.update(def, t.namespace, name, (curStored) => {
    const cur = served(def, curStored);
    checkPreconditions(def, cur, o.preconditions);
    const next = structuredClone(cur);
    const m = next.metadata;
    const finalizers = new Set(m.finalizers ?? []);
    const policy = o.propagationPolicy ?? (o.orphanDependents === true ? 'Orphan' : undefined);
    if (!m.deletionTimestamp || finalizers.size > 0) {
      if (policy === 'Orphan') { finalizers.add('orphan'); finalizers.delete('foregroundDeletion'); }
      if (policy === 'Foreground') { finalizers.add('foregroundDeletion'); finalizers.delete('orphan'); }
      if (policy === 'Background') { finalizers.delete('orphan'); finalizers.delete('foregroundDeletion'); }
    }
    if (finalizers.size > 0) m.finalizers = [...finalizers]; else delete m.finalizers;
    const grace = def.deleteGracePeriod ? def.deleteGracePeriod(cur, o.gracePeriodSeconds) : 0;
    const now = Date.now();
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = timestamp(now + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
      if (def.group === '' && def.plural === 'namespaces') (next.status as Record<string, unknown> | undefined ?? (next.status = {}) as Record<string, unknown>).phase = 'Terminating';
    } else if (grace < (m.deletionGracePeriodSeconds ?? 0)) {
      // A second delete may only shorten the grace period.
      m.deletionTimestamp = timestamp(now + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
    }
    return stored(def, next);
  }, { dryRun, deleteIf: (next) => readyToDelete(def, served(def, next)) });
  const out = served(def, result);
  if (!dryRun && readyToDelete(def, out)) for (const h of api.hooks) if (h.appliesTo(def)) await h.afterDelete?.(out);
  return out;
}

export async function deleteResource(api: Api, req: Request, t: Target): Promise<Reply> {
  const o = deleteOptions(req);
  const obj = await deleteOne(api, t, t.name!, o, isDryRun(req.query) || (o.dryRun ?? []).includes('All'));
  return { code: 200, body: obj };
}

export async function deleteCollection(api: Api, req: Request, t: Target): Promise<Reply> {
  const o = deleteOptions(req);
  const dryRun = isDryRun(req.query) || (o.dryRun ?? []).includes('All');
  const list = await listObjects(api, t, { labelSelector: req.query.labelSelector, fieldSelector: req.query.fieldSelector }, selectorFilter(t.def, req.query));
  const items: KubeObject[] = [];
  for (const item of list.items) {
    try {
      items.push(await deleteOne(api, { ...t, namespace: item.metadata.namespace }, item.metadata.name!, o, dryRun));
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err; // gone meanwhile: fine
    }
  }
  return { code: 200, body: { kind: `${t.def.kind}List`, apiVersion: apiVersionOf(t.def), metadata: { resourceVersion: list.resourceVersion }, items } };
}

/** PUT namespaces/{name}/finalize: replaces spec.finalizers; the namespace goes once none remain. */
export async function finalizeNamespace(api: Api, req: Request, t: Target, body: KubeObject): Promise<Reply> {
  const def = t.def;
  const result = await api.store.update(def, undefined, t.name!, (cur) => {
    const next = structuredClone(cur);
    const spec = (next.spec ?? {}) as Record<string, unknown>;
    const want = (body.spec as { finalizers?: unknown } | undefined)?.finalizers;
    spec.finalizers = Array.isArray(want) ? want.filter((f): f is string => typeof f === 'string') : [];
    next.spec = spec;
    return next;
  }, { dryRun: isDryRun(req.query), deleteIf: (next) => readyToDelete(def, next) });
  return { code: 200, body: result };
}
