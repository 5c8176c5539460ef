// Request bodies: JSON, YAML and Kubernetes protobuf, decoded along the resource's schema as
// upstream's typed decoding does (unknown fields pruned, and reported per fieldValidation).
import { parse as parseYaml } from 'yaml';
import { Errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { apiVersionOf, type ResourceDef } from '../registry/resource.js';
import { header, type Api, type Request } from './context.js';
import { schemaCodec } from './codec.js';

export const PATCH_TYPES = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export function contentType(req: Request): string {
  return (header(req, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

function bytes(req: Request): Buffer {
  const body = req.body;
  if (!(body instanceof Buffer) || body.length === 0) throw Errors.badRequest('the body of the request was empty');
  return body;
}

/** The body as a JSON value (JSON, YAML, the patch types). Protobuf is handled by readObject. */
export function parseBody(req: Request): unknown {
  const body = bytes(req);
  const type = contentType(req);
  try {
    if (type === 'application/json' || type.endsWith('patch+json')) return JSON.parse(body.toString());
    if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(body.toString());
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw Errors.badRequest(type === 'application/json' || type.endsWith('patch+json')
      ? `json: ${msg}` : `error converting YAML to JSON: yaml: ${msg}`);
  }
  throw Errors.unsupportedMediaType(type);
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(req: Request): FieldValidation {
  const v = req.query.fieldValidation;
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw Errors.badRequest(`fieldValidation parameter unsupported: ${v}`);
}

/**
 * Prunes `raw` along the resource's schema and applies fieldValidation: Strict rejects unknown
 * fields, Warn reports them as warnings, Ignore drops them silently. Type errors are 400s.
 */
export function decodeAs(api: Api, req: Request, def: ResourceDef, raw: unknown): KubeObject {
  const r = schemaCodec.decode(api.schemas, def.schema, raw);
  if (r.error) throw Errors.badRequest(schemaCodec.cannotBeHandled(def.kind, def.version, r.error));
  if (r.unknownFields.length > 0) {
    const mode = fieldValidation(req);
    if (mode === 'Strict') throw Errors.badRequest(schemaCodec.cannotBeHandled(def.kind, def.version, schemaCodec.strictMessage(r.unknownFields)));
    if (mode === 'Warn') req.warnings.push(...r.unknownFields.map((f) => schemaCodec.warning(f)));
  }
  return r.value as KubeObject;
}

/** The body as an object of `def`'s kind: checked apiVersion/kind, pruned by the schema. */
export function readObject(api: Api, req: Request, def: ResourceDef): KubeObject {
  const type = contentType(req);
  let raw: unknown;
  let kind: unknown;
  let apiVersion: unknown;
  if (type === 'application/vnd.kubernetes.protobuf') {
    const p = schemaCodec.decodeProtobuf(api.schemas, bytes(req), { group: def.group, version: def.version, kind: def.kind });
    raw = p.object;
    kind = p.kind;
    apiVersion = p.apiVersion;
  } else {
    raw = parseBody(req);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(raw).slice(0, 100)}'`);
    kind = (raw as Record<string, unknown>).kind;
    apiVersion = (raw as Record<string, unknown>).apiVersion;
  }
  const want = apiVersionOf(def);
  if (kind !== undefined && kind !== '' && kind !== def.kind) throw Errors.badRequest(`the kind in the data (${String(kind)}) does not match the expected kind (${def.kind})`);
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== want) throw Errors.badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${want})`);
  const obj = decodeAs(api, req, def, { ...(raw as object), kind: def.kind, apiVersion: want });
  obj.kind = def.kind;
  obj.apiVersion = want;
  if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
  return obj;
}
