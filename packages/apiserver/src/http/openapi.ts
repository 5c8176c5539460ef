// /openapi/v2 and /openapi/v3[/<gv>], served as kube-apiserver serves them (kube-openapi
// handler/handler3): JSON bodies, quoted SHA-512 ETags, If-None-Match, and immutable caching of
// a v3 document fetched by its current ?hash=. Documents are rendered lazily and kept until the
// declarations or the schema registry change (CRDs add types at runtime).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, type ApiError } from '../api/errors.js';
import type { ResourceDef } from '../registry/resource.js';
import type { ObjectType } from '../schema/dsl.js';
import {
  documentHash, openApiV2, openApiV3Documents, openApiV3IndexFromHashes, serverRelativeURL, type OpenApiOptions,
} from '../schema/openapi.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { VERSION_INFO } from '../version.js';

export interface OpenApiSource {
  resources: readonly ResourceDef[];
  reg: SchemaRegistry;
}

interface Rendered { body: string; etag: string }

interface Generation {
  resources: readonly ResourceDef[];
  types: ObjectType[];
  /** Last-Modified of every document of this generation. */
  built: Date;
  v2?: Rendered;
  v3?: Map<string, Rendered>;
  index?: Rendered;
}

function render(doc: unknown): Rendered {
  const body = JSON.stringify(doc);
  return { body, etag: documentHash(body) };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Registers GET /openapi/v2, /openapi/v3 and /openapi/v3/*. Returns `invalidate` for callers
 * that change a registered type in place (replacing it via SchemaRegistry.add is noticed).
 */
export function registerOpenApi(app: FastifyInstance, source: () => OpenApiSource, opts: OpenApiOptions = {}): { invalidate(): void } {
  const options: OpenApiOptions = { version: opts.version ?? VERSION_INFO.gitVersion };
  let gen: Generation | undefined;

  // Cheap per-request check: the same declaration and type objects mean the same documents.
  const current = (): { g: Generation; src: OpenApiSource } => {
    const src = source();
    const types = [...src.reg.all()];
    if (!gen || !sameItems(gen.resources, src.resources) || !sameItems(gen.types, types)) {
      gen = { resources: [...src.resources], types, built: new Date(Math.floor(Date.now() / 1000) * 1000) };
    }
    return { g: gen, src };
  };
  const v3Docs = (g: Generation, src: OpenApiSource): Map<string, Rendered> => {
    if (!g.v3) {
      g.v3 = new Map();
      for (const [key, doc] of openApiV3Documents(src.resources, src.reg, options)) g.v3.set(key, render(doc));
    }
    return g.v3;
  };

  app.get('/openapi/v2', async (req, reply) => {
    const { g, src } = current();
    // JSON whatever the Accept header prefers (kubectl asks for protobuf first and takes JSON).
    g.v2 ??= render(openApiV2(src.resources, src.reg, options));
    return send(req, reply, g.v2, g.built, false);
  });

  app.get('/openapi/v3', async (req, reply) => {
    const { g, src } = current();
    if (!g.index) {
      const hashes = new Map([...v3Docs(g, src)].map(([k, d]) => [k, d.etag] as const));
      g.index = render(openApiV3IndexFromHashes(hashes));
    }
    return send(req, reply, g.index, g.built, false);
  });

  app.get('/openapi/v3/*', async (req, reply) => {
    const key = (req.params as { '*': string })['*'].replace(/\/+$/, '');
    const { g, src } = current();
    const doc = v3Docs(g, src).get(key);
    if (!doc) return sendStatus(reply, Errors.notFoundPath(req.url));
    const hash = (req.query as Record<string, string | undefined>).hash;
    reply.header('Vary', 'Accept');
    // A stale hash is redirected to the current one, as upstream's handler3 does.
    if (hash && hash !== doc.etag) return reply.redirect(serverRelativeURL(key, doc.etag), 301);
    return send(req, reply, doc, g.built, hash === doc.etag);
  });

  return { invalidate: () => { gen = undefined; } };
}

function send(req: FastifyRequest, reply: FastifyReply, doc: Rendered, built: Date, immutable: boolean): FastifyReply {
  const etag = `"${doc.etag}"`;
  reply.header('ETag', etag).header('Last-Modified', built.toUTCString());
  if (immutable) {
    // The URL names the content: clients may keep it for good.
    const expires = new Date();
    expires.setFullYear(expires.getFullYear() + 1);
    reply.header('Cache-Control', 'public, immutable').header('Expires', expires.toUTCString());
  } else {
    // Upstream's default for API responses (genericapiserver WithCacheControl).
    reply.header('Cache-Control', 'no-cache, private');
  }
  if (notModified(req.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.code(200).type('application/json').send(doc.body);
}

function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').map((s) => s.trim().replace(/^W\//, '')).some((t) => t === '*' || t === etag);
}

function sendStatus(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.code).type('application/json').send(err.status);
}
