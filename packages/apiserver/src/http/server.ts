// The HTTPS server: routing, the request pipeline's outer steps (authentication, authorization —
// allow-all until the auth issue plugs in real ones), and errors as Status objects. Resource
// semantics live in src/rest, one file per verb family.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ServerResponse, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ApiError, Errors } from '../api/errors.js';
import type { UserInfo } from '../api/types.js';
import type { Api, Query, Request, Target } from '../rest/context.js';
import { deleteCollection, deleteResource, finalizeNamespace } from '../rest/delete.js';
import { getObject, listResponse } from '../rest/read.js';
import { bind, evict, scale, token } from '../rest/subresources.js';
import { watch } from '../rest/watch.js';
import { create, patch, update, type Reply } from '../rest/write.js';
import { readObject } from '../rest/body.js';
import { VERBS, type Verb } from '../registry/resource.js';
import { aggregated, aggregatedType, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { defaultKubeletClientConfig, type KubeletClientConfig } from '../kubelet/client.js';
import { isPodProxyTarget, isStreamTarget, PodProxy } from '../kubelet/podproxy.js';
import { writeStatus } from '../kubelet/upgrade.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ServerOptions {
  api: Api;
  tls: { cert: string; key: string };
  logger: Logger;
  /** host:port clients reach this server on (legacy discovery). */
  advertiseAddress: string;
  version: Record<string, string>;
  /** Extra routes (OpenAPI, metrics) registered on the same instance. */
  extraRoutes?: Array<(app: FastifyInstance) => void>;
  /** Called with every finished API request (metrics). */
  onRequest?: (info: { verb: string; target?: Target; code: number; seconds: number }) => void;
  /** How pods/log, exec, attach and portforward reach kubelets (the --kubelet-* flags). */
  kubelet?: KubeletClientConfig;
}

/** Who a request is from. Authentication is allow-all until the auth issue: everyone is anonymous. */
export interface Authenticator { authenticate(req: { headers: IncomingHttpHeaders; socket: Socket }): UserInfo }
const anonymous: Authenticator = { authenticate: () => ({ username: 'system:anonymous', groups: ['system:unauthenticated'] }) };

/** The verb upstream's request-info resolver names a request with. */
function verbOf(method: string, t: Target | undefined, q: Query): string {
  const named = t?.name !== undefined;
  switch (method) {
    case 'GET': case 'HEAD': return q.watch === 'true' || q.watch === '1' ? 'watch' : named ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return named ? 'delete' : 'deletecollection';
    default: return method.toLowerCase();
  }
}

export async function buildServer(o: ServerOptions): Promise<FastifyInstance> {
  const { api } = o;
  const app = Fastify({
    https: { cert: o.tls.cert, key: o.tls.key },
    bodyLimit: MAX_BODY_BYTES,
    // On shutdown, open watches and idle keep-alive connections must not hold the process.
    forceCloseConnections: true,
    loggerInstance: o.logger as FastifyBaseLogger,
    disableRequestLogging: true,
  });
  const authn = anonymous;
  const podProxy = new PodProxy(api, o.kubelet ?? defaultKubeletClientConfig());

  // Bodies stay raw buffers; the REST layer decodes them by content type and schema.
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
      try { await api.store.currentRevision(); } catch { ok = false; }
      reply.code(ok ? 200 : 500).type('text/plain; charset=utf-8');
      if ((req.query as Query).verbose !== undefined) return `[+]ping ok\n[+]log ok\n[${ok ? '+' : '-'}]etcd ${ok ? 'ok' : 'failed'}\n${p.slice(1)} check ${ok ? 'passed' : 'failed'}\n`;
      return ok ? 'ok' : `[-]etcd failed: reason withheld\n${p.slice(1)} check failed`;
    });
  }
  for (const r of o.extraRoutes ?? []) r(app);

  app.get('/api', async (req, reply) => {
    const agg = aggregatedType(req.headers.accept);
    if (agg) return reply.type(agg).send(aggregated(api.resources.all(), true, agg));
    return apiVersions(o.advertiseAddress);
  });
  app.get('/apis', async (req, reply) => {
    const agg = aggregatedType(req.headers.accept);
    if (agg) return reply.type(agg).send(aggregated(api.resources.all(), false, agg));
    return apiGroupList(api.resources.all());
  });
  app.get('/apis/:group', async (req) => {
    const g = apiGroup(api.resources.all(), (req.params as { group: string }).group);
    if (!g) throw Errors.notFoundPath(req.url);
    return g;
  });

  const route = async (req: FastifyRequest, reply: FastifyReply, group: string, version: string, segs: string[]): Promise<unknown> => {
    const started = process.hrtime.bigint();
    let t: Target | undefined;
    let code = 500;
    try {
      if (!api.resources.hasGroupVersion(group, version)) throw Errors.notFoundPath(req.url);
      if (segs.length === 0) {
        if (req.method !== 'GET') throw Errors.notFoundPath(req.url);
        code = 200;
        return apiResourceList(api.resources.all(), group, version);
      }
      t = api.resources.resolve(group, version, segs);
      if (!t) throw Errors.notFoundPath(req.url);
      const r: Request = {
        method: req.method, query: req.query as Query, headers: req.headers, body: req.body, url: req.url,
        user: authn.authenticate(req), warnings: [],
      };
      const verb = verbOf(req.method, t, r.query);
      const allowed: readonly Verb[] = t.def.verbs ?? VERBS;
      if (!t.subresource && !allowed.includes(verb as Verb)) throw Errors.methodNotSupported({ group: t.def.group, resource: t.def.plural }, verb);
      if (isPodProxyTarget(t)) {
        const stream = await podProxy.serve(req.method, req.url, t);
        code = 200;
        // The response closing (done, or the client gone) ends the kubelet stream too.
        reply.raw.on('close', () => stream.destroy());
        return reply.code(200).type('text/plain').send(stream);
      }
      if (verb === 'watch') {
        code = 200;
        await watch(api, r, t, () => {
          reply.hijack();
          return { res: reply.raw, onClose: (cb) => req.raw.on('close', cb) };
        });
        return reply;
      }
      const out = await dispatch(r, t, verb);
      code = out.code;
      if (r.warnings.length > 0) reply.header('Warning', r.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
      return reply.code(out.code).send(out.body);
    } catch (err) {
      code = err instanceof ApiError ? err.code : 500;
      throw err;
    } finally {
      o.onRequest?.({ verb: verbOf(req.method, t, req.query as Query), ...(t ? { target: t } : {}), code, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    }
  };

  async function dispatch(r: Request, t: Target, verb: string): Promise<Reply> {
    const gr = { group: t.def.group, resource: `${t.def.plural}${t.subresource ? `/${t.subresource}` : ''}` };
    switch (t.subresource) {
      case undefined:
        switch (verb) {
          case 'get': return { code: 200, body: await getObject(api, r, t) };
          case 'list': return { code: 200, body: await listResponse(api, r, t) };
          case 'create':
            if (t.name !== undefined) throw Errors.methodNotAllowed();
            return create(api, r, t);
          case 'update':
            if (t.name === undefined) throw Errors.methodNotAllowed();
            return update(api, r, t);
          case 'patch':
            if (t.name === undefined) throw Errors.methodNotAllowed();
            return patch(api, r, t);
          case 'delete': return deleteResource(api, r, t);
          case 'deletecollection': return deleteCollection(api, r, t);
          default: throw Errors.methodNotSupported(gr, verb);
        }
      case 'status':
        if (!t.def.subresources?.status || t.name === undefined) throw Errors.notFoundPath(r.url);
        if (verb === 'get') return { code: 200, body: await getObject(api, r, t) };
        if (verb === 'update') return update(api, r, t);
        if (verb === 'patch') return patch(api, r, t);
        throw Errors.methodNotSupported(gr, verb);
      case 'approval':
        // certificatesigningrequests/approval: like /status, but only status.conditions change.
        if (t.def.group !== 'certificates.k8s.io' || t.def.plural !== 'certificatesigningrequests' || t.name === undefined) throw Errors.notFoundPath(r.url);
        if (verb === 'get') return { code: 200, body: await getObject(api, r, t) };
        if (verb === 'update') return update(api, r, t);
        if (verb === 'patch') return patch(api, r, t);
        throw Errors.methodNotSupported(gr, verb);
      case 'scale': return scale(api, r, t);
      case 'binding':
        if (t.def.group !== '' || t.def.plural !== 'pods') throw Errors.notFoundPath(r.url);
        return bind(api, r, t);
      case 'eviction':
        if (t.def.group !== '' || t.def.plural !== 'pods') throw Errors.notFoundPath(r.url);
        return evict(api, r, t);
      case 'token':
        if (t.def.group !== '' || t.def.plural !== 'serviceaccounts') throw Errors.notFoundPath(r.url);
        return token(api, r, t, api.tokens);
      case 'finalize':
        if (t.def.group !== '' || t.def.plural !== 'namespaces' || verb !== 'update') throw Errors.notFoundPath(r.url);
        return finalizeNamespace(api, r, t, readObject(api, r, t.def));
      default:
        throw Errors.notFoundPath(r.url);
    }
  }

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

  // Upgrades (exec, attach, portforward) are taken before fastify, whose request pipeline cannot
  // hand over a raw connection; other upgrade requests go on to fastify as plain requests.
  const upgraded = new Set<Duplex>();
  // Joined exec/portforward connections are no longer the HTTP server's: close them on shutdown.
  app.addHook('preClose', (done) => { for (const s of upgraded) s.destroy(); done(); });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => { /* a client gone mid-upgrade; the proxy closes its side */ });
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const segs = url.pathname.split('/').filter(Boolean);
    const t = segs[0] === 'api' && segs[1] && api.resources.hasGroupVersion('', segs[1]) ? api.resources.resolve('', segs[1], segs.slice(2)) : undefined;
    if (!t || !isStreamTarget(t)) { asPlainRequest(app, req, socket); return; }
    socket.pause();
    const started = process.hrtime.bigint();
    void (async () => {
      let code = 500;
      try {
        authn.authenticate({ headers: req.headers, socket: req.socket });
        code = await podProxy.upgrade(req, socket, head, t);
      } catch (err) {
        const e = err instanceof ApiError ? err : Errors.internal((err as Error).message);
        if (!(err instanceof ApiError)) o.logger.error({ err }, 'upgrade failed');
        code = e.code;
        writeStatus(socket, e);
      } finally {
        o.onRequest?.({ verb: 'connect', target: t, code, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
      }
    })();
  });

  return app;
}

/** Serves an upgrade request that is not ours as an ordinary request on its connection. */
function asPlainRequest(app: FastifyInstance, req: IncomingMessage, socket: Duplex): void {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
  app.server.emit('request', req, res);
}

function sendStatus(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.code).type('application/json').send(err.status);
}
