// OpenAPI v2 (swagger 2.0, /openapi/v2) and v3 (/openapi/v3/<gv>) documents derived from the
// resource declarations and the schema registry, shaped like kube-apiserver's: definition names,
// operation ids, x-kubernetes-* extensions, parameters. kubectl reads v3 for explain, for
// strategic-merge keys and to learn that the server validates fields (fieldValidation on PATCH).
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../api/types.js';
import { VERBS, type ResourceDef, type Verb } from '../registry/resource.js';
import { META, type Field, type GVK, type ObjectType, type Scalar, type TypeRef } from './dsl.js';
import type { SchemaRegistry } from './registry.js';

export type Flavor = 'v2' | 'v3';

export interface OpenApiOptions {
  /** info.version, e.g. the server's gitVersion. */
  version?: string;
}

/** Definition names the documents use besides the declared types. */
export const DEFS = {
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  fieldsV1: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  patch: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  scale: 'io.k8s.api.autoscaling.v1.Scale',
  apiResourceList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  apiGroup: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup',
  apiGroupList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList',
  apiVersions: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions',
  versionInfo: 'io.k8s.apimachinery.pkg.version.Info',
} as const;

/** Leaf scalars that upstream renders as a named definition rather than inline. */
const SCALAR_DEFS: Partial<Record<Scalar, string>> = {
  'date-time': DEFS.time,
  'micro-time': DEFS.microTime,
  quantity: DEFS.quantity,
  'int-or-string': DEFS.intOrString,
  'fields-v1': DEFS.fieldsV1,
  any: DEFS.rawExtension,
};

/** The well-known leaf definitions (upstream: types with OpenAPISchemaType/OneOfTypes). */
function wellKnown(name: string, flavor: Flavor): JsonObject | undefined {
  switch (name) {
    case DEFS.time:
      return { description: 'Time is a wrapper around time.Time that marshals to YAML and JSON as RFC 3339.', type: 'string', format: 'date-time' };
    case DEFS.microTime:
      return { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' };
    case DEFS.quantity: {
      const description = 'Quantity is a fixed-point representation of a number, serialized as a string such as "500m", "2Gi" or "1e3".';
      return flavor === 'v2' ? { description, type: 'string' } : { description, oneOf: [{ type: 'string' }, { type: 'number' }] };
    }
    case DEFS.intOrString: {
      const description = 'IntOrString is a type that can hold an int32 or a string; JSON carries the inner type.';
      return flavor === 'v2'
        ? { description, type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true }
        : { description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
    }
    case DEFS.fieldsV1:
      return { description: 'FieldsV1 stores a set of fields in a trie-like JSON structure.', type: 'object' };
    case DEFS.rawExtension:
      return { description: 'RawExtension holds an embedded object or any JSON value.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case DEFS.patch:
      return { description: 'Patch gives a concrete name and type to the Kubernetes PATCH request body.', type: 'object' };
    default:
      return undefined;
  }
}

// Leaves keep the leaf definitions: a registry type of the same name cannot replace them.
const LEAF_DEFS: ReadonlySet<string> = new Set(Object.values(SCALAR_DEFS));

/** A ref to a name neither the registry nor the well-known set holds: kept resolvable, but free-form. */
function stub(name: string): JsonObject {
  return { description: `${name.slice(name.lastIndexOf('.') + 1)} (schema not declared).`, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function refPath(name: string, flavor: Flavor): string {
  return (flavor === 'v2' ? '#/definitions/' : '#/components/schemas/') + escapePointer(name);
}

function gvkJson(g: GVK): JsonObject {
  return { group: g.group, kind: g.kind, version: g.version };
}

// ---------- schema rendering ----------

/** The OpenAPI schema of a type reference (no field options). */
export function renderTypeRef(t: TypeRef, flavor: Flavor): JsonObject {
  if ('ref' in t) return { $ref: refPath(t.ref, flavor) };
  if ('list' in t) return { type: 'array', items: renderTypeRef(t.list, flavor) };
  if ('map' in t) return { type: 'object', additionalProperties: renderTypeRef(t.map, flavor) };
  const def = SCALAR_DEFS[t.scalar];
  if (def) return { $ref: refPath(def, flavor) };
  switch (t.scalar) {
    case 'string': return { type: 'string' };
    case 'int32': return { type: 'integer', format: 'int32' };
    case 'int64': return { type: 'integer', format: 'int64' };
    case 'double': return { type: 'number', format: 'double' };
    case 'boolean': return { type: 'boolean' };
    case 'bytes': return { type: 'string', format: 'byte' };
    // metav1.Duration is inlined upstream (it has OpenAPISchemaType but no definition of its own).
    case 'duration': return { type: 'string' };
    default: return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** A field's schema: its type plus description, default, enum and the x-kubernetes extensions. */
export function renderField(f: Field, flavor: Flavor): JsonObject {
  const base = renderTypeRef(f.type, flavor);
  const extra: JsonObject = {};
  if (f.doc !== undefined) extra.description = f.doc;
  if (f.default !== undefined) extra.default = f.default;
  if (f.enum) extra.enum = [...f.enum];
  if (f.patchMergeKey) extra['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
  if (f.patchStrategy) extra['x-kubernetes-patch-strategy'] = f.patchStrategy;
  if (f.listType) extra['x-kubernetes-list-type'] = f.listType;
  if (f.listMapKeys) extra['x-kubernetes-list-map-keys'] = [...f.listMapKeys];
  if (f.mapType) extra['x-kubernetes-map-type'] = f.mapType;
  if ('$ref' in base && Object.keys(extra).length > 0 && flavor === 'v3') {
    // OpenAPI 3.0 ignores siblings of $ref: upstream wraps the ref (kube-openapi WrapRefs).
    return { ...extra, allOf: [base] };
  }
  return { ...base, ...extra };
}

/** An object type's definition. */
export function renderObjectType(t: ObjectType, flavor: Flavor): JsonObject {
  const out: JsonObject = { description: t.doc };
  if (t.protoList) {
    // Its JSON form is the list itself (e.g. authentication's ExtraValue).
    Object.assign(out, { type: 'array', items: renderTypeRef(t.protoList, flavor) });
    return out;
  }
  out.type = 'object';
  const names = Object.keys(t.fields);
  if (names.length > 0 || t.gvk) {
    // kubectl's v3 parser rejects a kind (a type with a GVK) that has no properties.
    const props: JsonObject = {};
    for (const n of names) props[n] = renderField(t.fields[n]!, flavor);
    out.properties = props;
  }
  const required = names.filter((n) => t.fields[n]!.required);
  if (required.length) out.required = required;
  if (t.gvk?.length) out['x-kubernetes-group-version-kind'] = t.gvk.map(gvkJson);
  if (t.mapType) out['x-kubernetes-map-type'] = t.mapType;
  if (t.preserveUnknownFields) out['x-kubernetes-preserve-unknown-fields'] = true;
  return out;
}

/** Definition names a type reference uses directly (declared refs and leaf definitions). */
function typeRefNames(t: TypeRef, out: string[]): void {
  if ('ref' in t) out.push(t.ref);
  else if ('list' in t) typeRefNames(t.list, out);
  else if ('map' in t) typeRefNames(t.map, out);
  else {
    const d = SCALAR_DEFS[t.scalar];
    if (d) out.push(d);
  }
}

/** Every definition reachable from `roots` through field types. */
export function schemaClosure(roots: Iterable<string>, reg: SchemaRegistry): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const t = LEAF_DEFS.has(name) ? undefined : reg.get(name);
    if (!t) continue;
    const next: string[] = [];
    for (const f of Object.values(t.fields)) typeRefNames(f.type, next);
    if (t.protoList) typeRefNames(t.protoList, next);
    for (const n of next) if (!seen.has(n)) todo.push(n);
  }
  return seen;
}

/** The definition of `name`: declared, well-known, or a free-form stub. */
export function renderDefinition(name: string, reg: SchemaRegistry, flavor: Flavor): JsonObject {
  if (LEAF_DEFS.has(name)) return wellKnown(name, flavor)!;
  const t = reg.get(name);
  if (t) return renderObjectType(t, flavor);
  return wellKnown(name, flavor) ?? stub(name);
}

function renderDefinitions(names: Iterable<string>, reg: SchemaRegistry, flavor: Flavor): JsonObject {
  const out: JsonObject = {};
  for (const n of [...names].sort()) out[n] = renderDefinition(n, reg, flavor);
  return out;
}

// ---------- operations ----------

type ParamType = 'string' | 'integer' | 'boolean';
interface Param { name: string; in: 'path' | 'query'; type: ParamType; description: string; required?: boolean }

interface Op {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  operationId: string;
  description: string;
  tag: string;
  action?: string;
  gvk?: GVK;
  params: Param[];
  /** Request body schema name. */
  body?: string;
  consumes: string[];
  produces: string[];
  responses: Array<{ code: number; description: string; schema: string }>;
}

interface PathItem {
  /** The v3 document this path belongs to: "api/v1", "apis/apps/v1", "apis/apps", "api", "apis", "version". */
  doc: string;
  path: string;
  params: Param[];
  ops: Op[];
}

const q = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });

// Descriptions paraphrase upstream's (k8s.io/apimachinery meta/v1 ListOptions, CreateOptions...).
const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, modifications are not persisted. Valid values: All (all dry run stages are processed).'),
  fieldManager: q('fieldManager', 'string', 'Name of the actor making these changes (at most 128 printable characters).'),
  fieldManagerPatch: q('fieldManager', 'string', 'Name of the actor making these changes (at most 128 printable characters); required for apply patches.'),
  fieldValidation: q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the request object: Ignore, Warn (warnings, request served) or Strict (request fails).'),
  force: q('force', 'boolean', 'Force apply requests: re-acquire fields owned by other managers. Must be unset for non-apply patches.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: q('limit', 'integer', 'Maximum number of items to return; if more exist, the list metadata carries a continue token for the rest.'),
  continue: q('continue', 'string', 'The continue token of a previous list call with the same query, to fetch the next chunk.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which resource versions the request may be served from. Defaults to unset (most recent).'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to list calls: Exact or NotOlderThan. Defaults to unset.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch=true, start the stream with synthetic ADDED events for the current state, ended by a bookmark annotated k8s.io/initial-events-end.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call, regardless of activity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and stream add, update and remove notifications.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Request watch events of type BOOKMARK; servers may send them at their discretion.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted (non-negative; zero deletes immediately). Defaults to the per-type value.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
} as const;

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion,
  P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

const JSON_YAML_PB = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_TYPES = [...JSON_YAML_PB, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const ANY = ['*/*'];

/** Upstream's ToValidOperationID: letters kept, every other rune capitalizes the next letter. */
function opIdPart(s: string, capitalizeFirst: boolean): string {
  let out = '';
  let cap = capitalizeFirst;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c))) {
      out += cap ? c.toUpperCase() : c;
      cap = false;
    } else cap = true;
  }
  return out;
}

/** "core_v1", "apps_v1", "rbacAuthorization_v1". */
function tagOf(group: string, version?: string): string {
  const g = opIdPart((group || 'core').replace(/\.k8s\.io$/, ''), false);
  return version === undefined ? g : `${g}_${opIdPart(version, false)}`;
}

/** Upstream's getArticleForNoun: no article for plural-looking kinds (Endpoints). */
function article(kind: string): string {
  if (!kind.endsWith('ss') && kind.endsWith('s')) return ' ';
  return /^[AEIOUaeiou]/.test(kind) ? ' an ' : ' a ';
}

function prefixOf(r: Pick<ResourceDef, 'group' | 'version'>): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

export function docKeyOf(r: Pick<ResourceDef, 'group' | 'version'>): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
}

function sortParams(ps: Param[]): Param[] {
  return [...ps].sort((a, b) => (a.name === b.name ? a.in.localeCompare(b.in) : a.name < b.name ? -1 : 1));
}

function resourcePaths(r: ResourceDef): PathItem[] {
  const verbs = new Set<Verb>(r.verbs ?? VERBS);
  const gvk: GVK = { group: r.group, version: r.version, kind: r.kind };
  const doc = docKeyOf(r);
  const prefix = prefixOf(r);
  const tag = tagOf(r.group, r.version);
  // operationId = verb + Group + Version + rest, as upstream's GetOperationIDAndTags builds it.
  const gvPart = opIdPart((r.group || 'core').replace(/\.k8s\.io$/, ''), true) + opIdPart(r.version, true);
  const id = (verb: string, rest: string): string => verb + gvPart + rest;
  const ns = r.namespaced ? 'Namespaced' : '';
  const K = r.kind;
  const listName = `${r.schema}List`;
  const namespaceParam: Param = { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' };
  const nameParam = (kind: string): Param => ({ name: 'name', in: 'path', type: 'string', required: true, description: `name of the ${kind}` });
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const baseParams = r.namespaced ? [namespaceParam] : [];
  const out: PathItem[] = [];
  const item = (path: string, params: Param[], ops: Op[]): void => { if (ops.length) out.push({ doc, path, params, ops }); };
  const op = (o: Omit<Op, 'tag'>): Op => ({ ...o, tag });
  const ok = (schema: string, ...more: Array<[number, string]>): Op['responses'] =>
    [{ code: 200, description: 'OK', schema }, ...more.map(([code, description]) => ({ code, description, schema }))];

  // Collection: list, create, deletecollection.
  const coll: Op[] = [];
  if (verbs.has('list')) coll.push(op({ method: 'get', operationId: id('list', `${ns}${K}`), description: `list or watch objects of kind ${K}`, action: 'list', gvk, params: LIST_PARAMS, consumes: ANY, produces: WATCH_TYPES, responses: ok(listName) }));
  if (verbs.has('create')) coll.push(op({ method: 'post', operationId: id('create', `${ns}${K}`), description: `create${article(K)}${K}`, action: 'post', gvk, params: [P.dryRun, P.fieldManager, P.fieldValidation], body: r.schema, consumes: ANY, produces: JSON_YAML_PB, responses: ok(r.schema, [201, 'Created'], [202, 'Accepted']) }));
  if (verbs.has('deletecollection')) coll.push(op({ method: 'delete', operationId: id('delete', `Collection${ns}${K}`), description: `delete collection of ${K}`, action: 'deletecollection', gvk, params: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')], body: META.deleteOptions, consumes: ANY, produces: JSON_YAML_PB, responses: ok(META.status) }));
  item(base, baseParams, coll);

  // One object: read, replace, patch, delete.
  const one: Op[] = [];
  const mutate = (sub: '' | 'Status' | 'Scale', schema: string, g: GVK): Op[] => {
    const what = sub ? `${sub.toLowerCase()} of the specified ${K}` : `the specified ${K}`;
    const ops: Op[] = [];
    if (verbs.has('get')) ops.push(op({ method: 'get', operationId: id('read', `${ns}${K}${sub}`), description: `read ${what}`, action: 'get', gvk: g, params: [], consumes: ANY, produces: JSON_YAML_PB, responses: ok(schema) }));
    if (verbs.has('update')) ops.push(op({ method: 'put', operationId: id('replace', `${ns}${K}${sub}`), description: `replace ${what}`, action: 'put', gvk: g, params: [P.dryRun, P.fieldManager, P.fieldValidation], body: schema, consumes: ANY, produces: JSON_YAML_PB, responses: ok(schema, [201, 'Created']) }));
    if (verbs.has('patch')) ops.push(op({ method: 'patch', operationId: id('patch', `${ns}${K}${sub}`), description: `partially update ${what}`, action: 'patch', gvk: g, params: [P.dryRun, P.fieldManagerPatch, P.fieldValidation, P.force], body: DEFS.patch, consumes: PATCH_TYPES, produces: JSON_YAML_PB, responses: ok(schema, [201, 'Created']) }));
    return ops;
  };
  one.push(...mutate('', r.schema, gvk));
  if (verbs.has('delete')) one.push(op({ method: 'delete', operationId: id('delete', `${ns}${K}`), description: `delete${article(K)}${K}`, action: 'delete', gvk, params: DELETE_PARAMS, body: META.deleteOptions, consumes: ANY, produces: JSON_YAML_PB, responses: ok(META.status, [202, 'Accepted']) }));
  item(`${base}/{name}`, [nameParam(K), ...baseParams], one);
  if (r.subresources?.status) item(`${base}/{name}/status`, [nameParam(K), ...baseParams], mutate('Status', r.schema, gvk));
  if (r.subresources?.scale) item(`${base}/{name}/scale`, [nameParam('Scale'), ...baseParams], mutate('Scale', DEFS.scale, { group: 'autoscaling', version: 'v1', kind: 'Scale' }));

  // Watch paths (deprecated upstream, still served and documented) and the all-namespaces list.
  const watchPrefix = r.namespaced ? `${prefix}/watch/namespaces/{namespace}/${r.plural}` : `${prefix}/watch/${r.plural}`;
  const watchOp = (operationId: string, description: string, action: string): Op =>
    op({ method: 'get', operationId, description, action, gvk, params: LIST_PARAMS, consumes: ANY, produces: WATCH_TYPES, responses: ok(META.watchEvent) });
  if (verbs.has('watch')) {
    item(watchPrefix, baseParams, [watchOp(id('watch', `${ns}${K}List`), `watch individual changes to a list of ${K}. deprecated: use the 'watch' parameter with a list operation instead.`, 'watchlist')]);
    item(`${watchPrefix}/{name}`, [nameParam(K), ...baseParams], [watchOp(id('watch', `${ns}${K}`), `watch changes to an object of kind ${K}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, 'watch')]);
  }
  if (r.namespaced && verbs.has('list')) {
    item(`${prefix}/${r.plural}`, [], [op({ method: 'get', operationId: id('list', `${K}ForAllNamespaces`), description: `list or watch objects of kind ${K}`, action: 'list', gvk, params: LIST_PARAMS, consumes: ANY, produces: WATCH_TYPES, responses: ok(listName) })]);
    if (verbs.has('watch')) item(`${prefix}/watch/${r.plural}`, [], [watchOp(id('watch', `${K}ListForAllNamespaces`), `watch individual changes to a list of ${K}. deprecated: use the 'watch' parameter with a list operation instead.`, 'watchlist')]);
  }
  return out;
}

/** Every path of the server's API, each tagged with the v3 document it belongs to. */
function buildPaths(resources: readonly ResourceDef[]): PathItem[] {
  const out: PathItem[] = [];
  const discovery = (doc: string, path: string, operationId: string, tag: string, schema: string, description: string, types = JSON_YAML_PB): PathItem =>
    ({ doc, path, params: [], ops: [{ method: 'get', operationId, description, tag, params: [], consumes: types, produces: types, responses: [{ code: 200, description: 'OK', schema }] }] });
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    if (!groups.has(r.group)) groups.set(r.group, new Set());
    groups.get(r.group)!.add(r.version);
  }
  out.push(discovery('api', '/api/', 'getCoreAPIVersions', 'core', DEFS.apiVersions, 'get available API versions'));
  out.push(discovery('apis', '/apis/', 'getAPIVersions', 'apis', DEFS.apiGroupList, 'get available API versions'));
  out.push(discovery('version', '/version/', 'getCodeVersion', 'version', DEFS.versionInfo, 'get the code version', ['application/json']));
  for (const [group, versions] of groups) {
    const G = opIdPart((group || 'core').replace(/\.k8s\.io$/, ''), true);
    if (group) out.push(discovery(`apis/${group}`, `/apis/${group}/`, `get${G}APIGroup`, tagOf(group), DEFS.apiGroup, 'get information of a group'));
    for (const v of versions) {
      const r = { group, version: v };
      out.push(discovery(docKeyOf(r), `${prefixOf(r)}/`, `get${G}${opIdPart(v, true)}APIResources`, tagOf(group, v), DEFS.apiResourceList, 'get available resources'));
    }
  }
  for (const r of resources) out.push(...resourcePaths(r));
  return out;
}

/** Parameters every operation of a path shares move to the path (upstream's findCommonParameters). */
function splitCommon(p: PathItem): { common: Param[]; ops: Op[] } {
  const key = (x: Param): string => `${x.in}:${x.name}`;
  // A PATCH keeps its own parameters: kubectl looks for fieldValidation on the operation itself.
  if (p.ops.some((o) => o.method === 'patch') || p.ops.length === 0) return { common: sortParams([...p.params, P.pretty]), ops: p.ops };
  let shared = new Set(p.ops[0]!.params.map(key));
  for (const o of p.ops.slice(1)) shared = new Set(o.params.map(key).filter((k) => shared.has(k)));
  const hoisted = p.ops[0]!.params.filter((x) => shared.has(key(x)));
  return {
    common: sortParams([...p.params, P.pretty, ...hoisted]),
    ops: p.ops.map((o) => ({ ...o, params: o.params.filter((x) => !shared.has(key(x))) })),
  };
}

function schemaNamesOf(paths: PathItem[]): Set<string> {
  const names = new Set<string>();
  for (const p of paths) for (const o of p.ops) {
    if (o.body) names.add(o.body);
    for (const r of o.responses) names.add(r.schema);
  }
  return names;
}

function paramV2(p: Param): JsonObject {
  const out: JsonObject = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function paramV3(p: Param): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function opExtensions(o: Op, out: JsonObject): void {
  if (o.action) out['x-kubernetes-action'] = o.action;
  // On operations the GVK is one object (on schemas it is a list).
  if (o.gvk) out['x-kubernetes-group-version-kind'] = gvkJson(o.gvk);
}

function renderOpV2(o: Op): JsonObject {
  const params: JsonValue[] = [];
  if (o.body) params.push({ name: 'body', in: 'body', required: true, schema: { $ref: refPath(o.body, 'v2') } });
  params.push(...sortParams(o.params).map(paramV2));
  const responses: JsonObject = {};
  for (const r of o.responses) responses[String(r.code)] = { description: r.description, schema: { $ref: refPath(r.schema, 'v2') } };
  responses['401'] = { description: 'Unauthorized' };
  const out: JsonObject = { description: o.description, consumes: o.consumes, produces: o.produces, schemes: ['https'], tags: [o.tag], operationId: o.operationId };
  if (params.length) out.parameters = params;
  out.responses = responses;
  opExtensions(o, out);
  return out;
}

function renderOpV3(o: Op): JsonObject {
  const out: JsonObject = { tags: [o.tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out.parameters = sortParams(o.params).map(paramV3);
  if (o.body) {
    const content: JsonObject = {};
    for (const t of o.consumes) content[t] = { schema: { $ref: refPath(o.body, 'v3') } };
    out.requestBody = { content, required: true };
  }
  const responses: JsonObject = {};
  for (const r of o.responses) {
    const content: JsonObject = {};
    for (const t of o.produces) content[t] = { schema: { $ref: refPath(r.schema, 'v3') } };
    responses[String(r.code)] = { description: r.description, content };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  opExtensions(o, out);
  return out;
}

function renderPaths(paths: PathItem[], flavor: Flavor): JsonObject {
  const out: JsonObject = {};
  for (const p of [...paths].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const { common, ops } = splitCommon(p);
    const item: JsonObject = {};
    for (const o of ops) item[o.method] = flavor === 'v2' ? renderOpV2(o) : renderOpV3(o);
    item.parameters = common.map(flavor === 'v2' ? paramV2 : paramV3);
    out[p.path] = item;
  }
  return out;
}

const BEARER: JsonObject = { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } };

function info(opts: OpenApiOptions): JsonObject {
  return { title: 'Kubernetes', version: opts.version ?? 'v1.32.0' };
}

// ---------- documents ----------

/** The swagger 2.0 document served at /openapi/v2: every path and every definition. */
export function openApiV2(resources: readonly ResourceDef[], reg: SchemaRegistry, opts: OpenApiOptions = {}): JsonObject {
  const paths = buildPaths(resources);
  const roots = schemaNamesOf(paths);
  for (const t of reg.all()) roots.add(t.name);
  return {
    swagger: '2.0',
    info: info(opts),
    paths: renderPaths(paths, 'v2'),
    definitions: renderDefinitions(schemaClosure(roots, reg), reg, 'v2'),
    securityDefinitions: BEARER,
    security: [{ BearerToken: [] }],
  };
}

/** The v3 document keys this server serves: "api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "version". */
export function openApiV3Keys(resources: readonly ResourceDef[]): string[] {
  return [...new Set(buildPaths(resources).map((p) => p.doc))].sort();
}

/** One /openapi/v3/<key> document: that group-version's paths and the schemas reachable from them. */
export function openApiV3GroupVersion(gv: string, resources: readonly ResourceDef[], reg: SchemaRegistry, opts: OpenApiOptions = {}): JsonObject | undefined {
  return renderV3(buildPaths(resources), gv, reg, opts);
}

function renderV3(all: PathItem[], key: string, reg: SchemaRegistry, opts: OpenApiOptions): JsonObject | undefined {
  const paths = all.filter((p) => p.doc === key);
  if (paths.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: info(opts),
    paths: renderPaths(paths, 'v3'),
    components: {
      schemas: renderDefinitions(schemaClosure(schemaNamesOf(paths), reg), reg, 'v3'),
      securitySchemes: BEARER,
    },
    security: [{ BearerToken: [] }],
  };
}

/** Every v3 document by key, rendered once. */
export function openApiV3Documents(resources: readonly ResourceDef[], reg: SchemaRegistry, opts: OpenApiOptions = {}): Map<string, JsonObject> {
  const all = buildPaths(resources);
  const out = new Map<string, JsonObject>();
  for (const key of [...new Set(all.map((p) => p.doc))].sort()) out.set(key, renderV3(all, key, reg, opts)!);
  return out;
}

/** Upstream's ETag and ?hash=: the uppercase hex SHA-512 of the served JSON bytes. */
export function documentHash(json: string): string {
  return createHash('sha512').update(json).digest('hex').toUpperCase();
}

export function serverRelativeURL(key: string, hash: string): string {
  return `/openapi/v3/${key}?hash=${hash}`;
}

/** The /openapi/v3 discovery document, from the hashes of the documents it lists. */
export function openApiV3IndexFromHashes(hashes: ReadonlyMap<string, string>): JsonObject {
  const paths: JsonObject = {};
  for (const key of [...hashes.keys()].sort()) paths[key] = { serverRelativeURL: serverRelativeURL(key, hashes.get(key)!) };
  return { paths };
}

/** The /openapi/v3 discovery document: each group-version with the hash of its document. */
export function openApiV3Index(resources: readonly ResourceDef[], reg: SchemaRegistry, opts: OpenApiOptions = {}): JsonObject {
  const hashes = new Map<string, string>();
  for (const [key, doc] of openApiV3Documents(resources, reg, opts)) hashes.set(key, documentHash(JSON.stringify(doc)));
  return openApiV3IndexFromHashes(hashes);
}
