// Decodes a parsed JSON request body along its schema the way upstream's decoder
// (sigs.k8s.io/json, a fork of encoding/json, into the typed Go struct) does: unknown fields
// are pruned and reported with their paths (fieldValidation Strict/Warn), nulls leave fields
// unset, and type mismatches give encoding/json's UnmarshalTypeError text. The special
// scalars follow their Go UnmarshalJSON methods (metav1.Time, resource.Quantity, ...).
import type { JsonObject, JsonValue } from '../api/types.js';
import type { ObjectType, Scalar, TypeRef } from './dsl.js';
import type { SchemaRegistry } from './registry.js';

/** The pruned value and unknown field paths; or `error` (then value is {}), the decode error text. */
export interface DecodeResult { value: JsonObject; unknownFields: string[]; error?: string }

/** Upstream keeps at most this many strict (unknown field) errors. */
const MAX_STRICT_ERRORS = 100;

/** An error returned from a custom UnmarshalJSON: encoding/json stops decoding at once. */
class Fatal extends Error {}

interface Ctx {
  reg: SchemaRegistry;
  unknown: string[];
  seenUnknown: Set<string>;
  /** The first recoverable error (encoding/json's savedError). */
  saved?: string;
  /** encoding/json's errorContext: the innermost struct and the JSON names of struct fields. */
  struct?: string;
  fields: string[];
  /** sigs.k8s.io/json's strict path: keys joined by ".", indices as "[i]". */
  path: string;
}

/**
 * Walks `input` along type `typeName`. Returns the pruned value and the unknown field paths
 * (document order), or the decode error text upstream puts after
 * `<Kind> in version "<v>" cannot be handled as a <Kind>: `.
 */
export function decodeBody(reg: SchemaRegistry, typeName: string, input: unknown): DecodeResult {
  const type = reg.get(typeName);
  if (!type) throw new Error(`decodeBody: no schema named ${typeName}`);
  const ctx: Ctx = { reg, unknown: [], seenUnknown: new Set(), fields: [], path: '' };
  let value: JsonObject = {};
  try {
    if (input === null || input === undefined) {
      // Unmarshal of `null` into a struct pointer is a no-op.
    } else if (!isObject(input)) {
      return failed(typeErrorText(ctx, describe(input as JsonValue), goRefName(typeName)));
    } else {
      value = decodeStruct(ctx, type, input);
    }
  } catch (e) {
    if (e instanceof Fatal) return failed(e.message);
    throw e;
  }
  if (ctx.saved !== undefined) return failed(ctx.saved);
  return { value, unknownFields: ctx.unknown };
}

const failed = (error: string): DecodeResult => ({ value: {}, unknownFields: [], error });

/** fieldValidation=Strict: the error for unknown fields (the server wraps it like a decode error). */
export function strictDecodingError(paths: string[]): string {
  return `strict decoding error: ${paths.slice(0, MAX_STRICT_ERRORS).map(unknownFieldWarning).join(', ')}`;
}

/** fieldValidation=Warn: the warning for one unknown field. */
export function unknownFieldWarning(path: string): string {
  return `unknown field ${goQuote(path)}`;
}

/** The 400 message upstream's handlers give for a body that does not decode. */
export function cannotBeHandled(kind: string, version: string, error: string, intoKind = kind): string {
  return `${kind} in version ${goQuote(version)} cannot be handled as a ${intoKind}: ${error}`;
}

// ---- walking ----

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeStruct(ctx: Ctx, type: ObjectType, input: JsonObject): JsonObject {
  const out: JsonObject = {};
  const struct = ctx.struct;
  const depth = ctx.fields.length;
  const path = ctx.path;
  for (const [key, raw] of Object.entries(input)) {
    const field = ctx.reg.field(type, key);
    if (!field) {
      if (type.preserveUnknownFields) { if (raw !== null) out[key] = raw; }
      else addUnknown(ctx, path ? `${path}.${key}` : key);
      continue;
    }
    ctx.struct = goTypeName(type.name);
    ctx.fields.push(key);
    ctx.path = path ? `${path}.${key}` : key;
    // Null leaves a field unset (a nil pointer, slice or map; a no-op for other kinds).
    const v = raw === null ? undefined : decodeValue(ctx, field.type, raw);
    if (v !== undefined) out[key] = v;
    ctx.struct = struct;
    ctx.fields.length = depth;
    ctx.path = path;
  }
  return out;
}

function addUnknown(ctx: Ctx, path: string): void {
  if (ctx.unknown.length >= MAX_STRICT_ERRORS || ctx.seenUnknown.has(path)) return;
  ctx.seenUnknown.add(path);
  ctx.unknown.push(path);
}

/** Decodes one non-null value; undefined when it is dropped (a type error or a zero time). */
function decodeValue(ctx: Ctx, t: TypeRef, v: JsonValue): JsonValue | undefined {
  if ('scalar' in t) return decodeScalar(ctx, t.scalar, v);
  if ('ref' in t) {
    const type = ctx.reg.resolve(t);
    if (!type) return v; // a dangling ref (a declaration bug, caught by the registry's tests): keep it
    if (type.protoList) return decodeList(ctx, type.protoList, v, goRefName(type.name));
    if (!isObject(v)) return save(ctx, describe(v), goRefName(type.name));
    return decodeStruct(ctx, type, v);
  }
  if ('list' in t) return decodeList(ctx, t.list, v, goType(t));
  if (!isObject(v)) return save(ctx, describe(v), goType(t));
  const out: JsonObject = {};
  const path = ctx.path;
  for (const [key, item] of Object.entries(v)) {
    ctx.path = path ? `${path}.${key}` : key;
    const d = item === null ? zeroOf(ctx, t.map) : decodeValue(ctx, t.map, item);
    out[key] = d === undefined ? zeroOf(ctx, t.map) : d;
  }
  ctx.path = path;
  return out;
}

function decodeList(ctx: Ctx, item: TypeRef, v: JsonValue, goName: string): JsonValue | undefined {
  if (!Array.isArray(v)) return save(ctx, describe(v), goName);
  const path = ctx.path;
  const out = v.map((x, i) => {
    ctx.path = `${path}[${i}]`;
    const d = x === null ? zeroOf(ctx, item) : decodeValue(ctx, item, x);
    return d === undefined ? zeroOf(ctx, item) : d;
  });
  ctx.path = path;
  return out;
}

/** What a JSON null becomes as a list item or map value: the Go zero value, as Go marshals it. */
function zeroOf(ctx: Ctx, t: TypeRef): JsonValue {
  if ('ref' in t) return ctx.reg.resolve(t)?.protoList ? null : {};
  if (!('scalar' in t)) return null;
  switch (t.scalar) {
    case 'string': return '';
    case 'int32': case 'int64': case 'double': case 'int-or-string': return 0;
    case 'boolean': return false;
    case 'quantity': return '0';
    // metav1.Duration's UnmarshalJSON parses null as "".
    case 'duration': throw new Fatal('time: invalid duration ""');
    default: return null;
  }
}

function decodeScalar(ctx: Ctx, s: Scalar, v: JsonValue): JsonValue | undefined {
  switch (s) {
    case 'string':
      return typeof v === 'string' ? v : save(ctx, describe(v), 'string');
    case 'int32': case 'int64':
      if (typeof v !== 'number') return save(ctx, describe(v), s);
      return fitsInt(v, s) ? v : save(ctx, `number ${numberText(v)}`, s);
    case 'double':
      return typeof v === 'number' ? v : save(ctx, describe(v), 'float64');
    case 'boolean':
      return typeof v === 'boolean' ? v : save(ctx, describe(v), 'bool');
    case 'bytes':
      return decodeBytes(ctx, v);
    case 'date-time': case 'micro-time': {
      // metav1.Time.UnmarshalJSON: json.Unmarshal into a string, then time.Parse.
      if (typeof v !== 'string') throw new Fatal(typeErrorText(ctx, describe(v), 'string'));
      const t = parseGoTime(v, s === 'micro-time');
      if (typeof t === 'string') throw new Fatal(t);
      return isZeroTime(t) ? undefined : formatTime(t, s === 'micro-time');
    }
    case 'duration': {
      if (typeof v !== 'string') throw new Fatal(typeErrorText(ctx, describe(v), 'string'));
      const d = parseGoDuration(v);
      if (typeof d === 'string') throw new Fatal(d);
      return formatGoDuration(d);
    }
    case 'quantity': {
      // resource.Quantity.UnmarshalJSON: strips quotes, trims, parses; anything else is parsed as its JSON text.
      const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? numberText(v) : JSON.stringify(v);
      const err = quantityError(text);
      if (err) throw new Fatal(err);
      return text;
    }
    case 'int-or-string':
      // intstr.IntOrString.UnmarshalJSON: a string, or json.Unmarshal into int32.
      if (typeof v === 'string') return v;
      if (typeof v !== 'number') throw new Fatal(typeErrorText(ctx, describe(v), 'int32'));
      if (!fitsInt(v, 'int32')) throw new Fatal(typeErrorText(ctx, `number ${numberText(v)}`, 'int32'));
      return v;
    case 'any': case 'fields-v1':
      return v;
  }
}

function decodeBytes(ctx: Ctx, v: JsonValue): JsonValue | undefined {
  if (typeof v === 'string') {
    const r = goBase64Decode(v);
    if (typeof r === 'string') { if (ctx.saved === undefined) ctx.saved = r; return undefined; }
    return r.toString('base64');
  }
  if (Array.isArray(v)) {
    // encoding/json fills a []byte from an array of numbers too.
    const bytes: number[] = [];
    for (const x of v) {
      if (x === null) bytes.push(0);
      else if (typeof x !== 'number') return save(ctx, describe(x), 'uint8');
      else if (!Number.isInteger(x) || x < 0 || x > 255) return save(ctx, `number ${numberText(x)}`, 'uint8');
      else bytes.push(x);
    }
    return Buffer.from(bytes).toString('base64');
  }
  return save(ctx, describe(v), '[]uint8');
}

function fitsInt(v: number, s: 'int32' | 'int64'): boolean {
  if (!Number.isInteger(v)) return false;
  return s === 'int32' ? v >= -2147483648 && v <= 2147483647 : v >= -(2 ** 63) && v < 2 ** 63;
}

/** Go prints the number's literal; JSON.parse has lost it, so this is its shortest form. */
function numberText(v: number): string {
  return String(v).replace('e+', 'e');
}

/** encoding/json's description of a JSON value in UnmarshalTypeError. */
function describe(v: JsonValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return v === null ? 'null' : 'object';
}

/** Records a recoverable type error (the first one wins) and drops the value. */
function save(ctx: Ctx, value: string, goTypeStr: string): undefined {
  if (ctx.saved === undefined) ctx.saved = typeErrorText(ctx, value, goTypeStr);
  return undefined;
}

function typeErrorText(ctx: Ctx, value: string, goTypeStr: string): string {
  if (ctx.struct !== undefined || ctx.fields.length > 0) {
    return `json: cannot unmarshal ${value} into Go struct field ${ctx.struct ?? ''}.${ctx.fields.join('.')} of type ${goTypeStr}`;
  }
  return `json: cannot unmarshal ${value} into Go value of type ${goTypeStr}`;
}

// ---- Go type names (reflect.Type.String()) ----

const GO_SCALARS: Record<Scalar, string> = {
  string: 'string', int32: 'int32', int64: 'int64', double: 'float64', boolean: 'bool', bytes: '[]uint8',
  'date-time': 'v1.Time', 'micro-time': 'v1.MicroTime', duration: 'v1.Duration', quantity: 'resource.Quantity',
  'int-or-string': 'intstr.IntOrString', any: 'runtime.RawExtension', 'fields-v1': 'v1.FieldsV1',
};

/** The Go type of a field, e.g. []v1.Container or map[string]string. */
export function goType(t: TypeRef): string {
  if ('scalar' in t) return GO_SCALARS[t.scalar];
  if ('ref' in t) return goRefName(t.ref);
  if ('list' in t) return `[]${goType(t.list)}`;
  return `map[string]${goType(t.map)}`;
}

/** io.k8s.api.core.v1.Container -> v1.Container (Go package name, then type name). */
function goRefName(defName: string): string {
  const parts = defName.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : defName;
}

/** io.k8s.api.core.v1.PodSpec -> PodSpec. */
export function goTypeName(defName: string): string {
  return defName.slice(defName.lastIndexOf('.') + 1);
}

/** strconv.Quote for the strings that appear in field paths. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The time package's quote: non-ASCII and control bytes as \x escapes. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c >= 0x80) for (const b of Buffer.from(ch)) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

// ---- metav1.Time / MicroTime: time.Parse with RFC3339 / RFC3339Micro ----

export interface GoTime { year: number; month: number; day: number; hour: number; min: number; sec: number; nsec: number; offset: number }

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

const isDigit = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';

/** The time package's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

/** The time package's atoi: optional sign, then only digits. */
function atoi(s: string): number | undefined {
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * Number(m[2]);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses like Go's time.Parse(RFC3339[Micro], value); a string is Go's error text. */
export function parseGoTime(value: string, micro: boolean): GoTime | string {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const chunks: [string, string][] = [['', '2006'], ['-', '01'], ['-', '02'], ['T', '15'], [':', '04'], [':', '05']];
  if (micro) chunks.push(['', '.000000']);
  chunks.push(['', 'Z07:00']);
  const t: GoTime = { year: 0, month: 1, day: 1, hour: 0, min: 0, sec: 0, nsec: 0, offset: 0 };
  const cannot = (valueElem: string, layoutElem: string): string =>
    `parsing time ${timeQuote(value)} as ${timeQuote(layout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`;
  const outOfRange = (what: string): string => `parsing time ${timeQuote(value)}: ${what} out of range`;
  let v = value;
  for (const [prefix, std] of chunks) {
    for (const ch of prefix) {
      if (v.length === 0 || v[0] !== ch) return cannot(v, prefix);
      v = v.slice(1);
    }
    const hold = v;
    let bad = false;
    let range = '';
    switch (std) {
      case '2006': {
        const y = v.length >= 4 && isDigit(v, 0) ? atoi(v.slice(0, 4)) : undefined;
        if (y === undefined) bad = true; else { t.year = y; v = v.slice(4); }
        break;
      }
      case '01': case '02': case '15': case '04': case '05': {
        const r = getnum(v, std !== '15');
        if (!r) { bad = true; break; }
        v = r[1];
        if (std === '01') { t.month = r[0]; if (r[0] <= 0 || r[0] > 12) range = 'month'; }
        else if (std === '02') t.day = r[0]; // validated once the month and year are known
        else if (std === '15') { t.hour = r[0]; if (r[0] >= 24) range = 'hour'; }
        else if (std === '04') { t.min = r[0]; if (r[0] >= 60) range = 'minute'; }
        else {
          t.sec = r[0];
          if (r[0] >= 60) { range = 'second'; break; }
          // A fraction the layout does not name is still accepted after the seconds.
          if (!micro && v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigit(v, 1)) {
            let n = 2;
            while (isDigit(v, n)) n++;
            const ns = parseNanoseconds(v, n);
            if (typeof ns === 'string') range = ns; else if (ns === undefined) bad = true; else t.nsec = ns;
            v = v.slice(n);
          }
        }
        break;
      }
      case '.000000': {
        if (v.length < 7) { bad = true; break; }
        const ns = parseNanoseconds(v, 7);
        if (typeof ns === 'string') range = ns; else if (ns === undefined) bad = true; else t.nsec = ns;
        v = v.slice(7);
        break;
      }
      case 'Z07:00': {
        if (v.length >= 1 && v[0] === 'Z') { v = v.slice(1); break; }
        if (v.length < 6 || v[3] !== ':') { bad = true; break; }
        const sign = v[0];
        const hh = getnum(v.slice(1, 3), true);
        const mm = hh ? getnum(v.slice(4, 6), true) : undefined;
        v = v.slice(6);
        if (!hh || !mm) { bad = true; break; }
        if (hh[0] > 24) range = 'time zone offset hour';
        if (mm[0] > 60) range = 'time zone offset minute';
        t.offset = (hh[0] * 60 + mm[0]) * 60 * (sign === '-' ? -1 : 1);
        if (sign !== '+' && sign !== '-') bad = true;
        break;
      }
    }
    if (range) return outOfRange(range);
    if (bad) return cannot(hold, std);
  }
  if (v.length > 0) return `parsing time ${timeQuote(value)}: extra text: ${timeQuote(v)}`;
  if (t.day < 1 || t.day > daysIn(t.month, t.year)) return outOfRange('day');
  return t;
}

/** The time package's parseNanoseconds; a string is a range error, undefined a syntax error. */
function parseNanoseconds(v: string, nbytes: number): number | string | undefined {
  if (v[0] !== '.' && v[0] !== ',') return undefined;
  const digits = v.slice(1, Math.min(nbytes, 10));
  const ns = atoi(digits);
  if (ns === undefined) return undefined;
  if (ns < 0) return 'fractional second';
  return ns * 10 ** (9 - digits.length);
}

function isZeroTime(t: GoTime): boolean {
  return epochSeconds(t) === -62135596800 && t.nsec === 0;
}

/** Seconds since the Unix epoch. */
export function epochSeconds(t: GoTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.min, t.sec, 0);
  return d.getTime() / 1000 - t.offset;
}

/** Formats as metav1.Time (RFC 3339, UTC, no fraction) or MicroTime (6-digit fraction) marshal. */
export function formatTime(t: GoTime, micro: boolean): string {
  return formatEpoch(epochSeconds(t), micro ? Math.floor(t.nsec / 1000) : undefined);
}

/** `micros` undefined: no fraction (metav1.Time); otherwise the 6-digit fraction of MicroTime. */
export function formatEpoch(seconds: number, micros?: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = micros === undefined ? '' : `.${p(micros, 6)}`;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}Z`;
}

// ---- metav1.Duration: time.ParseDuration and Duration.String ----

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n,
};
const MAX_INT64 = (1n << 63n) - 1n;

/** Go's time.ParseDuration: nanoseconds, or the error text. */
export function parseGoDuration(orig: string): bigint | string {
  const invalid = `time: invalid duration ${timeQuote(orig)}`;
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) { neg = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return 0n;
  if (s === '') return invalid;
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s, 0))) return invalid;
    let i = 0;
    while (isDigit(s, i)) i++;
    const pre = i > 0;
    let v = BigInt(s.slice(0, i) || '0');
    if (v > 1n << 63n) return invalid;
    s = s.slice(i);
    let f = 0n;
    let scale = 1n;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (isDigit(s, j)) {
        // Digits past int64 precision are consumed but ignored, as Go's leadingFraction does.
        if (f <= MAX_INT64 / 10n) { f = f * 10n + BigInt(s[j]!); scale *= 10n; }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid;
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s, k)) k++;
    if (k === 0) return `time: missing unit in duration ${timeQuote(orig)}`;
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = DURATION_UNITS[u];
    if (unit === undefined) return `time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}`;
    if (v > (1n << 63n) / unit) return invalid;
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.floor(Number(f) * (Number(unit) / Number(scale))));
      if (v > 1n << 63n) return invalid;
    }
    d += v;
    if (d > 1n << 63n) return invalid;
  }
  if (neg) return -d;
  if (d > MAX_INT64) return invalid;
  return d;
}

/** Go's Duration.String(), e.g. 1h2m3s, 1.5s, 300ms, 0s. */
export function formatGoDuration(d: bigint): string {
  const neg = d < 0n;
  let u = neg ? -d : d;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let s = '';
    let print = false;
    for (let i = 0; i < prec; i++) {
      const digit = v % 10n;
      print ||= digit !== 0n;
      if (print) s = `${digit}${s}`;
      v /= 10n;
    }
    return [print ? `.${s}` : '', v];
  };
  let out: string;
  if (u < 1000000000n) {
    if (u === 0n) return '0s';
    const [prec, unit] = u < 1000n ? [0, 'ns'] : u < 1000000n ? [3, 'µs'] : [6, 'ms'];
    const [f, whole] = frac(u, prec);
    out = `${whole}${f}${unit}`;
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

// ---- resource.Quantity: ParseQuantity's syntax checks ----

const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_SUFFIXES = new Set(['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);

/** The error ParseQuantity gives for `str`, or undefined when it parses (a port of parseQuantityString). */
export function quantityError(str: string): string | undefined {
  if (str.length === 0) return QUANTITY_FORMAT_ERROR;
  const end = str.length;
  let pos = 0;
  if (str[0] === '-' || str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  while (pos < end && isDigit(str, pos)) pos++;
  if (pos === end) return undefined;
  if (str[pos] === '.') {
    pos++;
    while (pos < end && isDigit(str, pos)) pos++;
    if (pos === end) return undefined;
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str, pos)) pos++;
  if (pos < end) return QUANTITY_FORMAT_ERROR;
  const suffix = str.slice(suffixStart);
  if (QUANTITY_SUFFIXES.has(suffix)) return undefined;
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) return undefined;
  return "unable to parse quantity's suffix";
}

// ---- []byte: encoding/base64 StdEncoding.Decode ----

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_MAP = new Map([...B64].map((c, i) => [c.charCodeAt(0), i]));

/** Decodes like Go's base64.StdEncoding (padding required, CR/LF ignored); a string is Go's error. */
export function goBase64Decode(s: string): Buffer | string {
  const src = Buffer.from(s, 'utf8');
  const out: number[] = [];
  const corrupt = (at: number): string => `illegal base64 data at input byte ${at}`;
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: number | undefined;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        return corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const val = B64_MAP.get(c);
      if (val !== undefined) { dbuf[j] = val; continue; }
      if (c === 0x0a || c === 0x0d) { j--; continue; }
      if (c !== 0x3d) return corrupt(si - 1);
      // Padding: only after two or three symbols.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const v = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    const bytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (trailing !== undefined) return corrupt(trailing);
  }
  return Buffer.from(out);
}
