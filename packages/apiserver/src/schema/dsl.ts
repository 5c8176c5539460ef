// The schema language every resource is declared in. One declaration per API type (named as
// upstream's OpenAPI definitions, e.g. io.k8s.api.core.v1.Pod) feeds:
//   - OpenAPI v2 definitions and v3 components (kubectl explain, apply, validation),
//   - decoding: pruning unknown fields, fieldValidation Strict/Warn, type errors,
//   - protobuf request bodies (the `proto` field numbers are upstream's generated.proto numbers),
//   - strategic merge patch (patchStrategy/patchMergeKey) and server-side apply (listType,
//     listMapKeys, mapType).
import type { JsonValue } from '../api/types.js';

/**
 * Leaf types. Each has one JSON form and one protobuf form:
 * - string, int32, int64, double, boolean: as in JSON / protobuf scalars.
 * - bytes: base64 string in JSON, length-delimited bytes in protobuf.
 * - date-time / micro-time: metav1.Time / MicroTime, RFC 3339 string; protobuf {int64 seconds=1, int32 nanos=2}.
 * - duration: metav1.Duration, "1h2m3s"; protobuf {int64 duration=1} (nanoseconds).
 * - quantity: resource.Quantity, "500m" or a number in JSON; protobuf {string string=1}.
 * - int-or-string: intstr.IntOrString; protobuf {int64 type=1, int32 intVal=2, string strVal=3}.
 * - any: free-form JSON (x-kubernetes-preserve-unknown-fields), e.g. RawExtension, JSON;
 *   protobuf {bytes raw=1} holding JSON.
 * - fields-v1: metav1.FieldsV1, a JSON object; protobuf {bytes Raw=1} holding JSON.
 */
export type Scalar =
  | 'string' | 'int32' | 'int64' | 'double' | 'boolean' | 'bytes'
  | 'date-time' | 'micro-time' | 'duration' | 'quantity' | 'int-or-string' | 'any' | 'fields-v1';

/** A field's type: a leaf, a named object type, a list or a string-keyed map. */
export type TypeRef =
  | { scalar: Scalar }
  | { ref: string }
  | { list: TypeRef }
  | { map: TypeRef };

export interface FieldOptions {
  /** Field number in upstream's generated.proto (absent: the field has no protobuf form). */
  proto?: number;
  /** One or two sentences for kubectl explain. */
  doc?: string;
  required?: boolean;
  enum?: string[];
  /** OpenAPI default, shown by explain; the apiserver's defaulting is code in the resource. */
  default?: JsonValue;
  /** Strategic merge patch: how a list or map is merged (upstream's patchStrategy tag). */
  patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
  /** Strategic merge patch: the key identifying list items (upstream's patchMergeKey tag). */
  patchMergeKey?: string;
  /** Server-side apply: how a list is owned (x-kubernetes-list-type). Default: atomic. */
  listType?: 'atomic' | 'set' | 'map';
  /** Server-side apply: keys identifying items of a listType=map list. */
  listMapKeys?: string[];
  /** Server-side apply: a map or struct owned as one value (x-kubernetes-map-type). */
  mapType?: 'atomic' | 'granular';
  /** Not settable by clients; the server owns it (documentation only). */
  readOnly?: boolean;
}

export interface Field extends FieldOptions {
  type: TypeRef;
}

export interface GVK { group: string; version: string; kind: string }

export interface ObjectType {
  /** Upstream's OpenAPI definition name, e.g. io.k8s.api.core.v1.PodSpec. */
  name: string;
  doc: string;
  fields: Record<string, Field>;
  /** Top-level kinds this type is served as (x-kubernetes-group-version-kind). */
  gvk?: GVK[];
  /** The struct is owned as one value by server-side apply (x-kubernetes-map-type: atomic). */
  mapType?: 'atomic' | 'granular';
  /** Unknown fields are kept rather than pruned (x-kubernetes-preserve-unknown-fields). */
  preserveUnknownFields?: boolean;
  /**
   * Protobuf only: the JSON form is a list of field `protoList` (e.g. authentication's
   * ExtraValue: JSON ["a","b"], protobuf message { repeated string items = 1 }).
   */
  protoList?: TypeRef;
}

// ---- builders: short enough that a whole API group reads like its Go types ----

export const S = {
  string: { scalar: 'string' },
  int32: { scalar: 'int32' },
  int64: { scalar: 'int64' },
  double: { scalar: 'double' },
  boolean: { scalar: 'boolean' },
  bytes: { scalar: 'bytes' },
  time: { scalar: 'date-time' },
  microTime: { scalar: 'micro-time' },
  duration: { scalar: 'duration' },
  quantity: { scalar: 'quantity' },
  intOrString: { scalar: 'int-or-string' },
  any: { scalar: 'any' },
  fieldsV1: { scalar: 'fields-v1' },
} as const satisfies Record<string, TypeRef>;

export const ref = (name: string): TypeRef => ({ ref: name });
export const listOf = (t: TypeRef): TypeRef => ({ list: t });
export const mapOf = (t: TypeRef): TypeRef => ({ map: t });

/** A field: type, protobuf number, doc, then options. */
export function f(type: TypeRef, proto?: number, doc?: string, opts: FieldOptions = {}): Field {
  const out: Field = { type, ...opts };
  if (proto !== undefined) out.proto = proto;
  if (doc !== undefined) out.doc = doc;
  return out;
}

export const str = (proto?: number, doc?: string, o?: FieldOptions): Field => f(S.string, proto, doc, o);
export const i32 = (proto?: number, doc?: string, o?: FieldOptions): Field => f(S.int32, proto, doc, o);
export const i64 = (proto?: number, doc?: string, o?: FieldOptions): Field => f(S.int64, proto, doc, o);
export const bool = (proto?: number, doc?: string, o?: FieldOptions): Field => f(S.boolean, proto, doc, o);
export const time = (proto?: number, doc?: string, o?: FieldOptions): Field => f(S.time, proto, doc, o);
export const obj = (name: string, proto?: number, doc?: string, o?: FieldOptions): Field => f(ref(name), proto, doc, o);
export const list = (item: TypeRef, proto?: number, doc?: string, o?: FieldOptions): Field => f(listOf(item), proto, doc, o);
export const map = (value: TypeRef, proto?: number, doc?: string, o?: FieldOptions): Field => f(mapOf(value), proto, doc, o);

/** Well-known definition names shared by every group. */
export const META = {
  objectMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  listMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  labelSelector: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  condition: 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition',
  status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  deleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  watchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
} as const;

/** apiVersion and kind, as every top-level type declares them (no protobuf number: TypeMeta). */
export const TYPE_META = {
  apiVersion: str(undefined, 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.'),
  kind: str(undefined, 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.'),
} as const;

/** The standard `metadata` field of a top-level object (protobuf field 1 in every type). */
export const OBJECT_META_FIELD: Field = obj(META.objectMeta, 1, "Standard object's metadata.", { default: {} });

/** A top-level type: apiVersion, kind, metadata, then its own fields. */
export function topLevel(name: string, gvk: GVK, doc: string, fields: Record<string, Field>): ObjectType {
  return { name, doc, gvk: [gvk], fields: { ...TYPE_META, metadata: OBJECT_META_FIELD, ...fields } };
}

/** The List type for a top-level type: apiVersion, kind, metadata (ListMeta), items. */
export function listType(itemName: string, gvk: GVK, doc?: string): ObjectType {
  return {
    name: `${itemName}List`,
    doc: doc ?? `${gvk.kind}List is a list of ${gvk.kind} objects.`,
    gvk: [{ ...gvk, kind: `${gvk.kind}List` }],
    fields: {
      ...TYPE_META,
      metadata: obj(META.listMeta, 1, "Standard list metadata.", { default: {} }),
      items: list(ref(itemName), 2, `List of ${gvk.kind} objects.`, { required: true }),
    },
  };
}

/** A nested (non top-level) type. */
export function struct(name: string, doc: string, fields: Record<string, Field>, extra: Partial<ObjectType> = {}): ObjectType {
  return { name, doc, fields, ...extra };
}
