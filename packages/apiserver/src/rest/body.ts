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

/** Upstream's summary of a body in decode errors: the first 30 bytes, as text or hex. */
function summarize(b: Buffer): string {
  if (b.length === 0) return '<empty>';
  if (b[0] === 0x7b) return b.length > 30 ? `${b.subarray(0, 30).toString()} ...` : b.toString();
  return b.length > 30 ? `${b.subarray(0, 30).toString('hex')} ...` : b.toString('hex');
}

/** Go's encoding/json wording for a JSON.parse failure (position from V8's message). */
function goJsonError(e: Error, text: string): string {
  const m = /position (\d+)/.exec(e.message);
  const pos = m ? Number(m[1]) : text.length;
  if (pos >= text.length || /end of JSON input/i.test(e.message)) return 'unexpected end of JSON input';
  const c = text[pos]!;
  if (/property name/.test(e.message)) return `invalid character '${c}' looking for beginning of object key string`;
  if (/after property value/.test(e.message)) return `invalid character '${c}' after object key:value pair`;
  if (/after array element/.test(e.message)) return `invalid character '${c}' after array element`;
  if (/after property name/.test(e.message)) return `invalid character '${c}' after object key`;
  return `invalid character '${c}' looking for beginning of value`;
}

/** A YAML error as Go's yaml.v2 words it: "line N: message". */
function goYamlError(e: Error): string {
  const linePos = (e as { linePos?: Array<{ line: number }> }).linePos;
  const line = linePos?.[0]?.line ?? 1;
  const msg = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  return `line ${line}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`;
}

/**
 * The body as a JSON value (JSON, YAML, the patch types). Protobuf is handled by readObject.
 * `kind`: the endpoint's kind, for upstream's "the object provided is unrecognized" wording.
 */
export function parseBody(req: Request, kind?: string): unknown {
  const body = bytes(req);
  const type = contentType(req);
  const text = body.toString();
  const wrap = (msg: string): never => {
    throw Errors.badRequest(kind ? `the object provided is unrecognized (must be of type ${kind}): ${msg} (${summarize(body)})` : msg);
  };
  if (type === 'application/json' || type.endsWith('patch+json')) {
    try { return JSON.parse(text); } catch (e) { return wrap(kind ? `couldn't get version/kind; json parse error: ${goJsonError(e as Error, text)}` : `json: ${goJsonError(e as Error, text)}`); }
  }
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try { return parseYaml(text, { prettyErrors: true }); } catch (e) { return wrap(`error converting YAML to JSON: yaml: ${goYamlError(e as Error)}`); }
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
    raw = parseBody(req, def.kind);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw Errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(raw).slice(0, 100)}'`);
    kind = (raw as Record<string, unknown>).kind;
    apiVersion = (raw as Record<string, unknown>).apiVersion;
  }
  const want = apiVersionOf(def);
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== want) {
    throw Errors.badRequest(schemaCodec.cannotBeHandled(def.kind, def.version, `no kind "${String(kind ?? def.kind)}" is registered for version "${String(apiVersion)}" in scheme "pkg/api/legacyscheme/scheme.go:30"`));
  }
  if (kind !== undefined && kind !== '' && kind !== def.kind) {
    const v = String(apiVersion || want);
    throw Errors.badRequest(`${String(kind)} in version "${v.includes('/') ? v.split('/')[1] : v}" cannot be handled as a ${def.kind}: converting (${def.version}.${String(kind)}) to (${def.version}.${def.kind}): unknown conversion`);
  }
  const obj = decodeAs(api, req, def, { ...(raw as object), kind: def.kind, apiVersion: want });
  obj.kind = def.kind;
  obj.apiVersion = want;
  if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
  return obj;
}
