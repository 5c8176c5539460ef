// Kubernetes' protobuf wire format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the
// magic "k8s\0", then runtime.Unknown {TypeMeta typeMeta=1 {apiVersion=1, kind=2}; bytes raw=2;
// string contentEncoding=3; string contentType=4}, raw holding the object's message. Objects are
// decoded generically from each schema field's generated.proto number, into the JSON form Go
// would marshal the decoded struct to.
import Long from 'long';
import protobuf from 'protobufjs';
import { ApiError, Errors } from '../api/errors.js';
import type { JsonObject, JsonValue } from '../api/types.js';
import type { Field, GVK, ObjectType, Scalar, TypeRef } from './dsl.js';
import type { SchemaRegistry } from './registry.js';
import {
  epochSeconds, formatEpoch, formatGoDuration, goTypeName, parseGoDuration, parseGoTime, quantityError,
} from './decode.js';

const { Reader, Writer } = protobuf;
type Reader = protobuf.Reader;
type Writer = protobuf.Writer;

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Nested messages deeper than this are refused rather than risking the stack. */
const MAX_DEPTH = 100;

/**
 * Non-pointer Go int/bool fields with omitempty that are common in requests: Go always writes
 * them to the wire, so a zero there means unset. Other zero numbers and false are kept, since
 * pointer fields are only written when set and their zero is meaningful (replicas: 0).
 */
const OMIT_ZERO: Record<string, readonly string[]> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': ['generation'],
  'io.k8s.api.core.v1.Container': ['stdin', 'stdinOnce', 'tty'],
  'io.k8s.api.core.v1.EphemeralContainer': ['stdin', 'stdinOnce', 'tty'],
  'io.k8s.api.core.v1.ContainerPort': ['hostPort'],
  'io.k8s.api.core.v1.VolumeMount': ['readOnly'],
  'io.k8s.api.core.v1.Probe': ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'],
  'io.k8s.api.core.v1.PodSpec': ['hostNetwork', 'hostPID', 'hostIPC'],
};

/** A wire-level decoding error, with gogo-protobuf's message. */
class WireError extends Error {}

export interface DecodedProtobuf { apiVersion: string; kind: string; object: JsonObject }

/**
 * Decodes a protobuf request body. `defaults` (the endpoint's kind) fills a missing kind or
 * version, as upstream's copyKindDefaults does. Throws ApiError 400 for any malformed body.
 */
export function decodeProtobuf(reg: SchemaRegistry, body: Buffer, defaults?: GVK): DecodedProtobuf {
  const unrecognized = (err: string): ApiError => Errors.badRequest(defaults
    ? `the object provided is unrecognized (must be of type ${defaults.kind}): ${err} (${summarize(body)})`
    : err);
  if (body.length === 0) throw unrecognized('empty data');
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw unrecognized(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  if (body.length === PROTOBUF_MAGIC.length) throw unrecognized('empty body');

  let unk: Unknown;
  try {
    unk = readUnknown(body.subarray(PROTOBUF_MAGIC.length));
  } catch (e) {
    throw unrecognized(wireMessage(e));
  }
  const gvk = parseApiVersion(unk.apiVersion, unk.kind);
  if (defaults) {
    if (!gvk.kind) gvk.kind = defaults.kind;
    if (!gvk.version && defaults.version) { gvk.group = defaults.group; gvk.version = defaults.version; }
  }
  const typeMeta = `runtime.TypeMeta{APIVersion:${JSON.stringify(unk.apiVersion)}, Kind:${JSON.stringify(unk.kind)}}`;
  if (!gvk.kind) throw unrecognized(`Object 'Kind' is missing in '${typeMeta}'`);
  if (!gvk.version) throw unrecognized(`Object 'apiVersion' is missing in '${typeMeta}'`);

  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  const handled = (err: string): ApiError =>
    Errors.badRequest(`${gvk.kind} in version "${gvk.version}" cannot be handled as a ${defaults?.kind ?? gvk.kind}: ${err}`);
  const type = reg.forGVK(gvk);
  if (!type) throw handled(`no kind "${gvk.kind}" is registered for version "${apiVersion}"`);
  let fields: JsonValue;
  try {
    fields = decodeMessage(reg, type, unk.raw, 0);
  } catch (e) {
    throw handled(wireMessage(e));
  }
  const object: JsonObject = { apiVersion, kind: gvk.kind, ...(fields as JsonObject) };
  return { apiVersion, kind: gvk.kind, object };
}

/** Encodes an object (apiVersion and kind set) as a protobuf body: the inverse of decodeProtobuf. */
export function encodeProtobuf(reg: SchemaRegistry, obj: JsonObject): Buffer {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const type = reg.forGVK(parseApiVersion(apiVersion, kind));
  if (!type) throw Errors.badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  let raw: Uint8Array;
  try {
    const w = Writer.create();
    writeMessage(reg, type, obj, w);
    raw = w.finish();
  } catch (e) {
    if (e instanceof WireError) throw Errors.badRequest(e.message);
    throw e;
  }
  const w = Writer.create();
  w.uint32(tag(1, 2)).fork().uint32(tag(1, 2)).string(apiVersion).uint32(tag(2, 2)).string(kind).ldelim();
  w.uint32(tag(2, 2)).bytes(raw);
  // contentEncoding and contentType: empty, as upstream always writes them.
  w.uint32(tag(3, 2)).string('');
  w.uint32(tag(4, 2)).string('');
  return Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
}

// ---- envelope ----

interface Unknown { apiVersion: string; kind: string; raw: Uint8Array }

function readUnknown(data: Uint8Array): Unknown {
  const out: Unknown = { apiVersion: '', kind: '', raw: new Uint8Array(0) };
  const r = Reader.create(data);
  while (r.pos < r.len) {
    const [num, wt] = readTag(r, 'Unknown');
    if (num === 1) {
      expectWire(wt, 2, 'TypeMeta');
      const tm = Reader.create(r.bytes());
      while (tm.pos < tm.len) {
        const [n, t] = readTag(tm, 'TypeMeta');
        if (n === 1) { expectWire(t, 2, 'APIVersion'); out.apiVersion = tm.string(); }
        else if (n === 2) { expectWire(t, 2, 'Kind'); out.kind = tm.string(); }
        else tm.skipType(t);
      }
    } else if (num === 2) { expectWire(wt, 2, 'Raw'); out.raw = r.bytes(); }
    else r.skipType(wt);
  }
  return out;
}

function parseApiVersion(apiVersion: string, kind: string): GVK {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind };
}

/** upstream's summarizeData: the first 30 bytes, as text for JSON and hex otherwise. */
function summarize(data: Buffer): string {
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, 30);
  const s = data[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return data.length > 30 ? `${s} ...` : s;
}

/** The text for a decoding failure: ours, or protobufjs's reader errors in gogo-protobuf's words. */
function wireMessage(e: unknown): string {
  if (e instanceof WireError) return e.message;
  if (e instanceof RangeError) return /call stack/i.test(e.message) ? 'proto: message nested too deeply' : 'unexpected EOF';
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) {
    if (/invalid varint/.test(e.message)) return 'proto: integer overflow';
    const m = /invalid wire type (\d+)/.exec(e.message);
    if (m) return `proto: illegal wireType ${m[1]}`;
    return e.message;
  }
  return String(e);
}

// ---- decoding ----

const tag = (num: number, wire: number): number => ((num << 3) | wire) >>> 0;

function readTag(r: Reader, msg: string): [number, number] {
  const t = r.uint32();
  const num = t >>> 3;
  const wt = t & 7;
  if (wt === 4) throw new WireError(`proto: ${msg}: wiretype end group for non-group`);
  if (num <= 0) throw new WireError(`proto: ${msg}: illegal tag ${num} (wire type ${wt})`);
  return [num, wt];
}

function expectWire(got: number, want: number, field: string): void {
  if (got !== want) throw new WireError(`proto: wrong wireType = ${got} for field ${field}`);
}

/** Go's field name, for messages: the JSON name capitalized. */
const goField = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Go structs embedded inline (`json:",inline"`): flat in JSON, but a nested message in protobuf.
 * By outer type: the embedded message's number there, and the flattened fields' numbers inside it.
 */
interface Embedding { proto: number; fields: Record<string, number>; embedded?: Embedding[] }

const LOCAL_OBJECT_REFERENCE: Embedding = { proto: 1, fields: { name: 1 } };
const RULE: Embedding = { proto: 2, fields: { apiGroups: 1, apiVersions: 2, resources: 3, scope: 4 } };
const RULE_WITH_OPERATIONS: Embedding = { proto: 2, fields: { operations: 1 }, embedded: [RULE] };
const DEVICE_CONFIGURATION = { opaque: 1 };

const EMBEDDED: Record<string, Embedding[]> = {
  'io.k8s.api.core.v1.Probe': [{ proto: 1, fields: { exec: 1, httpGet: 2, tcpSocket: 3, grpc: 4 } }],
  'io.k8s.api.core.v1.Volume': [{ proto: 2, fields: {
    hostPath: 1, emptyDir: 2, gcePersistentDisk: 3, awsElasticBlockStore: 4, gitRepo: 5, secret: 6, nfs: 7, iscsi: 8,
    glusterfs: 9, persistentVolumeClaim: 10, rbd: 11, flexVolume: 12, cinder: 13, cephfs: 14, flocker: 15, downwardAPI: 16,
    fc: 17, azureFile: 18, configMap: 19, vsphereVolume: 20, quobyte: 21, azureDisk: 22, photonPersistentDisk: 23,
    portworxVolume: 24, scaleIO: 25, projected: 26, storageos: 27, csi: 28, ephemeral: 29, image: 30,
  } }],
  'io.k8s.api.core.v1.PersistentVolumeSpec': [{ proto: 2, fields: {
    gcePersistentDisk: 1, awsElasticBlockStore: 2, hostPath: 3, glusterfs: 4, nfs: 5, rbd: 6, iscsi: 7, cinder: 8, cephfs: 9,
    fc: 10, flocker: 11, flexVolume: 12, azureFile: 13, vsphereVolume: 14, quobyte: 15, azureDisk: 16,
    photonPersistentDisk: 17, portworxVolume: 18, scaleIO: 19, local: 20, storageos: 21, csi: 22,
  } }],
  'io.k8s.api.core.v1.EphemeralContainer': [{ proto: 1, fields: {
    name: 1, image: 2, command: 3, args: 4, workingDir: 5, ports: 6, env: 7, resources: 8, volumeMounts: 9,
    livenessProbe: 10, readinessProbe: 11, lifecycle: 12, terminationMessagePath: 13, imagePullPolicy: 14,
    securityContext: 15, stdin: 16, stdinOnce: 17, tty: 18, envFrom: 19, terminationMessagePolicy: 20,
    volumeDevices: 21, startupProbe: 22, resizePolicy: 23, restartPolicy: 24, restartPolicyRules: 25,
  } }],
  'io.k8s.api.core.v1.SecretProjection': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.core.v1.ConfigMapVolumeSource': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.core.v1.ConfigMapProjection': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.core.v1.ConfigMapKeySelector': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.core.v1.SecretKeySelector': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.core.v1.ConfigMapEnvSource': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.core.v1.SecretEnvSource': [LOCAL_OBJECT_REFERENCE],
  'io.k8s.api.networking.v1.IngressRule': [{ proto: 2, fields: { http: 1 } }],
  'io.k8s.api.admissionregistration.v1.RuleWithOperations': [RULE],
  'io.k8s.api.admissionregistration.v1.NamedRuleWithOperations': [RULE_WITH_OPERATIONS],
  'io.k8s.api.resource.v1.DeviceClaimConfiguration': [{ proto: 2, fields: DEVICE_CONFIGURATION }],
  'io.k8s.api.resource.v1.DeviceAllocationConfiguration': [{ proto: 3, fields: DEVICE_CONFIGURATION }],
  'io.k8s.api.resource.v1.DeviceClassConfiguration': [{ proto: 1, fields: DEVICE_CONFIGURATION }],
};

/** A message's fields by number: a schema field, or an embedded message holding more of them. */
type Layout = Map<number, { name: string; field: Field } | { embedded: Layout }>;

const layouts = new WeakMap<ObjectType, Layout>();

function layoutOf(t: ObjectType): Layout {
  let layout = layouts.get(t);
  if (!layout) {
    const embeddings = EMBEDDED[t.name] ?? [];
    const inner = new Set<string>();
    const build = (e: Embedding): Layout => {
      const l: Layout = new Map();
      for (const [name, num] of Object.entries(e.fields)) {
        const field = t.fields[name];
        if (field) { l.set(num, { name, field }); inner.add(name); }
      }
      for (const sub of e.embedded ?? []) l.set(sub.proto, { embedded: build(sub) });
      return l;
    };
    layout = new Map();
    for (const e of embeddings) layout.set(e.proto, { embedded: build(e) });
    for (const [name, field] of Object.entries(t.fields)) {
      if (field.proto !== undefined && !inner.has(name) && !layout.has(field.proto)) layout.set(field.proto, { name, field });
    }
    layouts.set(t, layout);
  }
  return layout;
}

/** protobufjs's int64 results: a Long (its own copy of the type) or, without long.js, a number. */
type PbLong = ReturnType<Reader['int64']> | number;
const asLong = (v: Exclude<PbLong, number>): Long => Long.fromBits(v.low, v.high, v.unsigned);
const toNumber = (v: PbLong): number => (typeof v === 'number' ? v : asLong(v).toNumber());
const toBigInt = (v: PbLong): bigint => (typeof v === 'number' ? BigInt(v) : BigInt(asLong(v).toString()));

/** Whether a scalar is carried as a varint / fixed64 (and so may be packed in a repeated field). */
function numericWire(s: Scalar): number | undefined {
  if (s === 'int32' || s === 'int64' || s === 'boolean') return 0;
  if (s === 'double') return 1;
  return undefined;
}

/** Decodes an object type's message: a JSON object, or a JSON list for protoList types. */
function decodeMessage(reg: SchemaRegistry, type: ObjectType, data: Uint8Array, depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new WireError('proto: message nested too deeply');
  const msg = goTypeName(type.name);
  const r = Reader.create(data);
  if (type.protoList) {
    const items: JsonValue[] = [];
    while (r.pos < r.len) {
      const [num, wt] = readTag(r, msg);
      if (num === 1) readRepeated(reg, type.protoList, r, wt, 'Items', items, depth);
      else r.skipType(wt);
    }
    return items;
  }
  const out: JsonObject = {};
  decodeFields(reg, layoutOf(type), r, msg, out, new Map(), depth);
  // Go's omitempty: an empty string is unset, as are the known non-pointer zero fields.
  for (const [name, v] of Object.entries(out)) if (v === '') delete out[name];
  for (const name of OMIT_ZERO[type.name] ?? []) if (out[name] === 0 || out[name] === false) delete out[name];
  return out;
}

/** Reads a message's fields into `out`; an embedded message's fields land in the same object. */
function decodeFields(reg: SchemaRegistry, layout: Layout, r: Reader, msg: string, out: JsonObject, lists: Map<string, JsonValue[]>, depth: number): void {
  while (r.pos < r.len) {
    const [num, wt] = readTag(r, msg);
    const entry = layout.get(num);
    if (!entry) { r.skipType(wt); continue; }
    if ('embedded' in entry) {
      expectWire(wt, 2, msg);
      if (depth > MAX_DEPTH) throw new WireError('proto: message nested too deeply');
      decodeFields(reg, entry.embedded, Reader.create(r.bytes()), msg, out, lists, depth + 1);
      continue;
    }
    const { name, field } = entry;
    const t = field.type;
    if ('list' in t) {
      let items = lists.get(name);
      if (!items) { items = []; lists.set(name, items); out[name] = items; }
      readRepeated(reg, t.list, r, wt, goField(name), items, depth);
    } else if ('map' in t) {
      expectWire(wt, 2, goField(name));
      const m = (out[name] ??= {}) as JsonObject;
      const [k, v] = readMapEntry(reg, t.map, r.bytes(), goField(name), depth);
      m[k] = v;
    } else {
      const v = readSingle(reg, t, r, wt, goField(name), depth);
      if (v === undefined) { delete out[name]; continue; }
      // A repeated occurrence of a message merges into the first (proto semantics); scalars: last wins.
      const prev = out[name];
      out[name] = isObj(prev) && isObj(v) ? { ...prev, ...v } : v;
    }
  }
}

const isObj = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function readRepeated(reg: SchemaRegistry, item: TypeRef, r: Reader, wt: number, field: string, into: JsonValue[], depth: number): void {
  const nw = 'scalar' in item ? numericWire(item.scalar) : undefined;
  if (nw !== undefined && wt === 2) {
    // Packed: one length-delimited run of varints or fixed64s.
    const p = Reader.create(r.bytes());
    while (p.pos < p.len) into.push(readScalarValue(item as { scalar: Scalar }, p));
    return;
  }
  const v = readSingle(reg, item, r, wt, field, depth);
  into.push(v === undefined ? null : v);
}

function readMapEntry(reg: SchemaRegistry, valueType: TypeRef, data: Uint8Array, field: string, depth: number): [string, JsonValue] {
  const r = Reader.create(data);
  let key = '';
  let value: JsonValue | undefined;
  while (r.pos < r.len) {
    const [num, wt] = readTag(r, `${field}Entry`);
    if (num === 1) { expectWire(wt, 2, 'key'); key = r.string(); }
    else if (num === 2) value = readSingle(reg, valueType, r, wt, 'value', depth);
    else r.skipType(wt);
  }
  if (value === undefined) value = zeroValue(reg, valueType, depth);
  return [key, value];
}

/** A map value missing from its entry: the Go zero value, as Go marshals it. */
function zeroValue(reg: SchemaRegistry, t: TypeRef, depth: number): JsonValue {
  if ('scalar' in t) {
    const nw = numericWire(t.scalar);
    if (nw !== undefined) return t.scalar === 'boolean' ? false : 0;
    if (t.scalar === 'string') return '';
    return readSpecial(reg, t.scalar, new Uint8Array(0), depth) ?? null;
  }
  if ('ref' in t) {
    const type = reg.resolve(t);
    return type ? decodeMessage(reg, type, new Uint8Array(0), depth + 1) : {};
  }
  return null;
}

function readScalarValue(t: { scalar: Scalar }, r: Reader): JsonValue {
  switch (t.scalar) {
    case 'int32': return r.int32();
    case 'int64': return toNumber(r.int64());
    case 'boolean': return r.bool();
    default: return r.double();
  }
}

/** One non-repeated value; undefined when Go would leave it unset (a zero time, an empty extension). */
function readSingle(reg: SchemaRegistry, t: TypeRef, r: Reader, wt: number, field: string, depth: number): JsonValue | undefined {
  if ('scalar' in t) {
    const nw = numericWire(t.scalar);
    if (nw !== undefined) { expectWire(wt, nw, field); return readScalarValue(t as { scalar: Scalar }, r); }
    expectWire(wt, 2, field);
    if (t.scalar === 'string') return r.string();
    const bytes = r.bytes();
    if (t.scalar === 'bytes') return Buffer.from(bytes).toString('base64');
    return readSpecial(reg, t.scalar, bytes, depth);
  }
  if ('ref' in t) {
    expectWire(wt, 2, field);
    const bytes = r.bytes();
    const type = reg.resolve(t);
    return type ? decodeMessage(reg, type, bytes, depth + 1) : undefined;
  }
  // Lists of lists and maps of lists have no protobuf form except through protoList wrapper types.
  throw new WireError(`proto: field ${field} has no protobuf form`);
}

/** The special scalars documented in dsl.ts, each a small message. */
function readSpecial(reg: SchemaRegistry, s: Scalar, data: Uint8Array, depth: number): JsonValue | undefined {
  const r = Reader.create(data);
  const fields = new Map<number, PbLong | string | Uint8Array>();
  while (r.pos < r.len) {
    const [num, wt] = readTag(r, s);
    const want = SPECIAL_FIELDS[s]?.[num];
    if (!want) { r.skipType(wt); continue; }
    expectWire(wt, want === 'int' ? 0 : 2, `${s}.${num}`);
    fields.set(num, want === 'int' ? r.int64() : want === 'string' ? r.string() : r.bytes());
  }
  const int = (n: number): PbLong => (fields.get(n) as PbLong | undefined) ?? 0;
  switch (s) {
    case 'date-time': case 'micro-time': {
      // An empty message is Go's zero time, which marshals as null; Time keeps only seconds.
      if (data.length === 0) return undefined;
      const seconds = toNumber(int(1));
      // Beyond what a JS Date holds (±270,000 years): garbage, not a time anyone sent.
      if (Math.abs(seconds) > 8.64e12) throw new WireError('proto: time out of range');
      const nanos = Number(toNumber(int(2)) | 0);
      return s === 'date-time' ? formatEpoch(seconds) : formatEpoch(seconds, Math.max(0, Math.floor(nanos / 1000)));
    }
    case 'duration':
      return formatGoDuration(toBigInt(int(1)));
    case 'quantity': {
      // No string: Go's zero Quantity, "0".
      const q = (fields.get(1) as string | undefined) ?? '0';
      const err = quantityError(q);
      if (err) throw new WireError(err);
      return q;
    }
    case 'int-or-string':
      return toNumber(int(1)) === 1 ? ((fields.get(3) as string | undefined) ?? '') : toNumber(int(2)) | 0;
    case 'any': case 'fields-v1': {
      const raw = fields.get(1) as Uint8Array | undefined;
      if (!raw || raw.length === 0) return undefined;
      return parseRaw(reg, raw, depth);
    }
    default:
      return undefined;
  }
}

/** Field numbers and kinds of the special scalars' messages. */
const SPECIAL_FIELDS: Partial<Record<Scalar, Record<number, 'int' | 'string' | 'bytes'>>> = {
  'date-time': { 1: 'int', 2: 'int' },
  'micro-time': { 1: 'int', 2: 'int' },
  duration: { 1: 'int' },
  quantity: { 1: 'string' },
  'int-or-string': { 1: 'int', 2: 'int', 3: 'string' },
  any: { 1: 'bytes' },
  'fields-v1': { 1: 'bytes' },
};

/** A RawExtension's bytes: JSON, or (from protobuf clients) a nested k8s protobuf object. */
function parseRaw(reg: SchemaRegistry, raw: Uint8Array, depth: number): JsonValue {
  const buf = Buffer.from(raw);
  if (buf.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    if (depth > MAX_DEPTH) throw new WireError('proto: message nested too deeply');
    return decodeProtobuf(reg, buf).object;
  }
  try {
    return JSON.parse(buf.toString('utf8')) as JsonValue;
  } catch (e) {
    throw new WireError(`embedded object is not valid JSON: ${(e as Error).message}`);
  }
}

// ---- encoding ----

function writeMessage(reg: SchemaRegistry, type: ObjectType, v: JsonValue, w: Writer): void {
  if (type.protoList) {
    if (!Array.isArray(v)) throw new WireError(`${goTypeName(type.name)}: expected a list`);
    for (const item of v) writeValue(reg, type.protoList, 1, item, w);
    return;
  }
  if (!isObj(v)) throw new WireError(`${goTypeName(type.name)}: expected an object`);
  writeFields(reg, layoutOf(type), v, w);
}

/** Writes fields in number order; an embedded message is always written, as Go does. */
function writeFields(reg: SchemaRegistry, layout: Layout, v: JsonObject, w: Writer): void {
  for (const num of [...layout.keys()].sort((a, b) => a - b)) {
    const entry = layout.get(num)!;
    if ('embedded' in entry) {
      w.uint32(tag(num, 2)).fork();
      writeFields(reg, entry.embedded, v, w);
      w.ldelim();
      continue;
    }
    const { name, field } = entry;
    const val = v[name];
    if (val === undefined || val === null) continue;
    const t = field.type;
    if ('list' in t) {
      if (!Array.isArray(val)) throw new WireError(`${name}: expected a list`);
      for (const item of val) writeValue(reg, t.list, num, item, w);
    } else if ('map' in t) {
      if (!isObj(val)) throw new WireError(`${name}: expected an object`);
      // Go writes map entries sorted by key.
      for (const k of Object.keys(val).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
        w.uint32(tag(num, 2)).fork().uint32(tag(1, 2)).string(k);
        writeValue(reg, t.map, 2, val[k]!, w);
        w.ldelim();
      }
    } else {
      writeValue(reg, t, num, val, w);
    }
  }
}

function writeValue(reg: SchemaRegistry, t: TypeRef, num: number, v: JsonValue, w: Writer): void {
  if ('ref' in t) {
    const type = reg.resolve(t);
    if (!type) throw new WireError(`no schema named ${t.ref}`);
    w.uint32(tag(num, 2)).fork();
    if (v !== null) writeMessage(reg, type, v, w);
    w.ldelim();
    return;
  }
  if (!('scalar' in t)) throw new WireError('nested lists and maps have no protobuf form');
  const s = t.scalar;
  const bad = (): WireError => new WireError(`cannot encode ${JSON.stringify(v)} as ${s}`);
  switch (s) {
    case 'string':
      if (typeof v !== 'string' && v !== null) throw bad();
      w.uint32(tag(num, 2)).string(v ?? '');
      return;
    case 'int32':
      if (typeof v !== 'number' && v !== null) throw bad();
      w.uint32(tag(num, 0)).int32(v ?? 0);
      return;
    case 'int64':
      if (typeof v !== 'number' && v !== null) throw bad();
      w.uint32(tag(num, 0)).int64(Long.fromNumber(v ?? 0));
      return;
    case 'double':
      if (typeof v !== 'number' && v !== null) throw bad();
      w.uint32(tag(num, 1)).double(v ?? 0);
      return;
    case 'boolean':
      if (typeof v !== 'boolean' && v !== null) throw bad();
      w.uint32(tag(num, 0)).bool(v ?? false);
      return;
    case 'bytes':
      if (typeof v !== 'string' && v !== null) throw bad();
      w.uint32(tag(num, 2)).bytes(Buffer.from(v ?? '', 'base64'));
      return;
    default:
      break;
  }
  w.uint32(tag(num, 2)).fork();
  if (v !== null) writeSpecial(s, v, w, bad);
  w.ldelim();
}

function writeSpecial(s: Scalar, v: JsonValue, w: Writer, bad: () => WireError): void {
  switch (s) {
    case 'date-time': case 'micro-time': {
      if (typeof v !== 'string') throw bad();
      const t = parseGoTime(v, s === 'micro-time');
      if (typeof t === 'string') throw new WireError(t);
      // Time carries only seconds (nanos written as 0), MicroTime microseconds.
      w.uint32(tag(1, 0)).int64(Long.fromNumber(epochSeconds(t)));
      w.uint32(tag(2, 0)).int32(s === 'micro-time' ? Math.floor(t.nsec / 1000) * 1000 : 0);
      return;
    }
    case 'duration': {
      if (typeof v !== 'string') throw bad();
      const d = parseGoDuration(v);
      if (typeof d === 'string') throw new WireError(d);
      w.uint32(tag(1, 0)).int64(Long.fromString(d.toString()));
      return;
    }
    case 'quantity':
      if (typeof v !== 'string' && typeof v !== 'number') throw bad();
      w.uint32(tag(1, 2)).string(String(v));
      return;
    case 'int-or-string':
      if (typeof v === 'number') w.uint32(tag(1, 0)).int64(0).uint32(tag(2, 0)).int32(v).uint32(tag(3, 2)).string('');
      else if (typeof v === 'string') w.uint32(tag(1, 0)).int64(1).uint32(tag(2, 0)).int32(0).uint32(tag(3, 2)).string(v);
      else throw bad();
      return;
    case 'any': case 'fields-v1':
      w.uint32(tag(1, 2)).bytes(Buffer.from(JSON.stringify(v)));
      return;
    default:
      throw bad();
  }
}
