// The HTTPS REST server. Every request goes through the same pipeline — authn → authz →
// mutating admission → validation → validating admission → storage — with allow-all authn/authz
// and no admission plugins yet; each step is a hook so later work plugs in.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import type { Logger } from 'pino';
import { ApiError, Errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import { apiVersionOf, validateName, type ResourceDef } from '../registry/resource.js';
import { parseFieldSelector, parseLabelSelector } from '../registry/selector.js';
import { carryOver, stampNew, type ObjectStore } from '../storage/objects.js';
import { aggregated, aggregatedType, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { table, wantsTable } from './table.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ServerOptions {
  resources: readonly ResourceDef[];
  store: ObjectStore;
  tls: { cert: string; key: string };
  logger: Logger;
  /** host:port clients reach this server on (legacy discovery). */
  advertiseAddress: string;
  version: Record<string, string>;
}

interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

type Query = Record<string, string | undefined>;

export async function buildServer(o: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    https: { cert: o.tls.cert, key: o.tls.key },
    bodyLimit: MAX_BODY_BYTES,
    loggerInstance: o.logger as FastifyBaseLogger,
    disableRequestLogging: true,
  });
  const byGV = new Map<string, Map<string, ResourceDef>>();
  for (const r of o.resources) {
    const gv = `${r.group}/${r.version}`;
    if (!byGV.has(gv)) byGV.set(gv, new Map());
    byGV.get(gv)!.set(r.plural, r);
  }
  const namespaces = o.resources.find((r) => r.group === '' && r.plural === 'namespaces');

  // Bodies: JSON and YAML; anything else is 415. Parsed lazily by the handlers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ApiError) return sendStatus(reply, err);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendStatus(reply, Errors.tooLarge());
    if (err.statusCode && err.statusCode < 500) return sendStatus(reply, Errors.badRequest(err.message));
    o.logger.error({ err }, 'request failed');
    return sendStatus(reply, Errors.internal('an internal error occurred'));
  });
  app.setNotFoundHandler((req, reply) => sendStatus(reply, Errors.notFoundPath(req.url)));

  app.get('/version', async () => o.version);
  for (const p of ['/healthz', '/livez', '/readyz']) {
    app.get(p, async (req, reply) => {
      let ok = true;
      try { await o.store.etcd.get('/registry/health'); } catch { ok = false; }
      reply.code(ok ? 200 : 500).type('text/plain; charset=utf-8');
      if ((req.query as Query).verbose !== undefined) return `[+]ping ok\n[${ok ? '+' : '-'}]etcd ${ok ? 'ok' : 'failed'}\n${p.slice(1)} check ${ok ? 'passed' : 'failed'}\n`;
      return ok ? 'ok' : 'etcd failed';
    });
  }

  app.get('/api', async (req, reply) => {
    const agg = aggregatedType(req.headers.accept);
    if (agg) return reply.type(agg).send(aggregated(o.resources, true, agg));
    return apiVersions(o.advertiseAddress);
  });
  app.get('/apis', async (req, reply) => {
    const agg = aggregatedType(req.headers.accept);
    if (agg) return reply.type(agg).send(aggregated(o.resources, false, agg));
    return apiGroupList(o.resources);
  });

  const route = async (req: FastifyRequest, reply: FastifyReply, group: string, version: string, segs: string[]): Promise<unknown> => {
    const resources = byGV.get(`${group}/${version}`);
    if (!resources) throw Errors.notFoundPath(req.url);
    if (segs.length === 0) {
      if (req.method !== 'GET') throw Errors.notFoundPath(req.url);
      return apiResourceList(o.resources, group, version);
    }
    const t = resolve(resources, segs, namespaces);
    if (!t) throw Errors.notFoundPath(req.url);
    return handle(req, reply, t);
  };
  app.all('/api/:version/*', async (req, reply) => {
    const { version, '*': rest } = req.params as { version: string; '*': string };
    return route(req, reply, '', version, rest.split('/').filter(Boolean));
  });
  app.all('/api/:version', async (req, reply) => route(req, reply, '', (req.params as { version: string }).version, []));
  app.all('/apis/:group/:version/*', async (req, reply) => {
    const { group, version, '*': rest } = req.params as { group: string; version: string; '*': string };
    return route(req, reply, group, version, rest.split('/').filter(Boolean));
  });
  app.all('/apis/:group/:version', async (req, reply) => {
    const { group, version } = req.params as { group: string; version: string };
    return route(req, reply, group, version, []);
  });

  async function handle(req: FastifyRequest, reply: FastifyReply, t: Target): Promise<unknown> {
    const q = req.query as Query;
    const { def } = t;
    const gr = { group: def.group, resource: def.plural };
    if (t.subresource) throw Errors.notFoundPath(req.url);
    switch (req.method) {
      case 'GET': {
        if (t.name !== undefined) {
          const obj = await o.store.get(def, t.namespace, t.name);
          if (wantsTable(req.headers.accept)) return table(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, q.includeObject);
          return obj;
        }
        const labels = parseLabelSelector(q.labelSelector);
        const fields = parseFieldSelector(q.fieldSelector, fieldValue, ['metadata.name', 'metadata.namespace']);
        const filter = (obj: KubeObject): boolean => labels(obj.metadata.labels) && fields(obj as unknown as Record<string, unknown>);
        if (q.watch === 'true' || q.watch === '1') return watch(req, reply, t, filter);
        const limit = q.limit ? Number(q.limit) : 0;
        const list = await o.store.list(def, t.namespace, { limit, ...(q.continue ? { continueToken: q.continue } : {}), filter });
        const meta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
        if (list.continueToken) meta.continue = list.continueToken;
        if (wantsTable(req.headers.accept)) return table(def, list.items, meta, q.includeObject);
        return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: meta, items: list.items };
      }
      case 'POST': {
        if (t.name !== undefined) throw Errors.methodNotSupported(gr, 'create');
        const obj = bodyObject(req, def);
        if (def.namespaced) {
          if (obj.metadata.namespace && obj.metadata.namespace !== t.namespace) {
            throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
          }
          obj.metadata.namespace = t.namespace!;
          await o.store.get(namespaces!, undefined, t.namespace!);
        } else delete obj.metadata.namespace;
        if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomSuffix();
        admitAndValidate(def, obj);
        if (q.dryRun === 'All') return reply.code(201).send(stampNew(def, obj));
        const created = await o.store.create(def, obj);
        return reply.code(201).send(created);
      }
      case 'PUT': {
        if (t.name === undefined) throw Errors.methodNotSupported(gr, 'update');
        const obj = bodyObject(req, def);
        if (obj.metadata.name !== t.name) throw Errors.badRequest('the name of the object (' + (obj.metadata.name ?? '') + ') does not match the name on the URL (' + t.name + ')');
        if (def.namespaced) obj.metadata.namespace = t.namespace!;
        admitAndValidate(def, obj);
        return o.store.update(def, t.namespace, t.name, (cur) => carryOver(def, obj, cur), obj.metadata.resourceVersion);
      }
      case 'PATCH': {
        if (t.name === undefined) throw Errors.methodNotSupported(gr, 'patch');
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (type === 'application/apply-patch+yaml') throw Errors.unsupportedMediaType(`${type} (server-side apply is not implemented yet)`);
        if (!['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json'].includes(type)) throw Errors.unsupportedMediaType(type);
        const patch = parseBody(req);
        const patched = await o.store.update(def, t.namespace, t.name, (cur) => {
          const next = (type === 'application/json-patch+json' ? jsonPatch(cur, patch)
            : type === 'application/merge-patch+json' ? mergePatch(cur, patch) : strategicMergePatch(cur, patch)) as KubeObject;
          if (!next || typeof next !== 'object' || !next.metadata) throw Errors.badRequest('the patch produced an invalid object');
          if (next.kind !== def.kind || next.apiVersion !== apiVersionOf(def)) throw Errors.badRequest('the patch may not change the kind or apiVersion');
          if (next.metadata.name !== t.name) throw Errors.badRequest('the patch may not change metadata.name');
          if (def.namespaced) next.metadata.namespace = t.namespace!;
          admitAndValidate(def, next);
          // Immutable metadata comes from the stored object, whatever the patch said.
          return carryOver(def, next, cur);
        }, patchPrecondition(patch));
        return patched;
      }
      case 'DELETE': {
        if (t.name === undefined) throw Errors.methodNotSupported(gr, 'deletecollection');
        const body = req.body instanceof Buffer && req.body.length ? parseBody(req) as { preconditions?: { resourceVersion?: string } } : {};
        const deleted = await o.store.delete(def, t.namespace, t.name, body.preconditions?.resourceVersion);
        return deleted;
      }
      default:
        throw Errors.methodNotSupported(gr, req.method.toLowerCase());
    }
  }

  async function watch(req: FastifyRequest, reply: FastifyReply, t: Target, filter: (o: KubeObject) => boolean): Promise<void> {
    const q = req.query as Query;
    let from = Number(q.resourceVersion ?? 0);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders(); // the client sees the watch established before any event
    // kubectl get -w asks for Table: then each event carries a one-row Table, as upstream sends.
    const asTable = wantsTable(req.headers.accept);
    const send = (type: string, object: unknown): void => {
      const o2 = asTable && type !== 'ERROR' ? table(t.def, [object as KubeObject], { resourceVersion: (object as KubeObject).metadata.resourceVersion }, q.includeObject) : object;
      res.write(`${JSON.stringify({ type, object: o2 })}\n`);
    };
    if (!q.resourceVersion || q.resourceVersion === '0') {
      // No starting point: the current state as ADDED events, then changes after it.
      const list = await o.store.list(t.def, t.namespace, { filter });
      for (const item of list.items) send('ADDED', item);
      from = Number(list.resourceVersion);
    }
    let cancel = (): void => {};
    const done = (): void => { cancel(); if (!res.writableEnded) res.end(); };
    cancel = o.store.watch(t.def, t.namespace, from, (e) => {
      if (t.name !== undefined && e.object.metadata.name !== t.name) return;
      if (filter(e.object)) send(e.type, e.object);
    }, (status) => { send('ERROR', status.status); done(); });
    const timeout = q.timeoutSeconds ? Number(q.timeoutSeconds) : 1800;
    const timer = setTimeout(done, timeout * 1000);
    req.raw.on('close', () => { clearTimeout(timer); cancel(); });
  }

  return app;
}

/** A merge patch that names metadata.resourceVersion makes it a precondition, as upstream. */
function patchPrecondition(patch: unknown): string | undefined {
  const rv = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function fieldValue(obj: Record<string, unknown>, path: string): string | undefined {
  let v: unknown = obj;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

/** /namespaces/{ns}/{plural}/{name}/{sub} and /{plural}/{name}/{sub}, resolved to a resource. */
function resolve(resources: Map<string, ResourceDef>, segs: string[], namespaces?: ResourceDef): Target | undefined {
  if (segs[0] === 'namespaces' && segs.length >= 3 && !(namespaces && ['status', 'finalize'].includes(segs[2]!) && segs.length === 3)) {
    const def = resources.get(segs[2]!);
    if (!def || !def.namespaced || segs.length > 5) return undefined;
    const t: Target = { def, namespace: segs[1]! };
    if (segs[3] !== undefined) t.name = segs[3];
    if (segs[4] !== undefined) t.subresource = segs[4];
    return t;
  }
  const def = resources.get(segs[0]!);
  if (!def || segs.length > 3) return undefined;
  if (def.namespaced && segs.length > 1) return undefined;
  const t: Target = { def };
  if (segs[1] !== undefined) t.name = segs[1];
  if (segs[2] !== undefined) t.subresource = segs[2];
  return t;
}

function parseBody(req: FastifyRequest): unknown {
  const body = req.body;
  if (!(body instanceof Buffer) || body.length === 0) throw Errors.badRequest('the body of the request was empty');
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  try {
    if (type === 'application/json' || type.endsWith('patch+json')) return JSON.parse(body.toString());
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(body.toString());
  } catch (e) {
    throw Errors.badRequest(`${type === 'application/yaml' ? 'yaml' : 'json'}: ${(e as Error).message}`);
  }
  throw Errors.unsupportedMediaType(type);
}

function bodyObject(req: FastifyRequest, def: ResourceDef): KubeObject {
  const raw = parseBody(req);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.badRequest('Object \'Kind\' is missing in \'' + JSON.stringify(raw).slice(0, 100) + '\'');
  const obj = raw as KubeObject;
  const apiVersion = apiVersionOf(def);
  if (obj.kind !== undefined && obj.kind !== def.kind) throw Errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) throw Errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
  obj.kind = def.kind;
  obj.apiVersion = apiVersion;
  if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
  return obj;
}

/** Mutating admission (defaulting), then validation; invalid objects are 422 with causes. */
function admitAndValidate(def: ResourceDef, obj: KubeObject): void {
  def.defaults?.(obj);
  const causes: StatusCause[] = [];
  const name = obj.metadata.name;
  if (!name) causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  else for (const m of validateName(def.nameRule, name)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${m}`, field: 'metadata.name' });
  causes.push(...(def.validate?.(obj) ?? []));
  if (causes.length > 0) throw Errors.invalid(def.kind, def.group, name ?? '', causes);
}

function sendStatus(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.code).type('application/json').send(err.status);
}
