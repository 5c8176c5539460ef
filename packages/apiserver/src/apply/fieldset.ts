// Sets of field paths (structured-merge-diff's fieldpath.Set) and their FieldsV1 JSON encoding,
// as stored in metadata.managedFields[].fieldsV1.
import type { JsonObject, JsonValue } from '../api/types.js';

/** One step of a path: a struct field or map key, a list-map item key, a set item, or an index. */
export type PathElement =
  | { field: string }
  | { key: Array<[string, JsonValue]> }
  | { value: JsonValue }
  | { index: number };

export type Path = PathElement[];

/** Go's encoding/json escapes HTML characters and line separators; FieldsV1 keys follow it. */
export function goJSON(v: JsonValue): string {
  return JSON.stringify(sortKeys(v))
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort(byteCompare)) out[k] = sortKeys(v[k] as JsonValue);
    return out;
  }
  return v;
}

/** The FieldsV1 key of a path element: f:name, k:{"name":"x"}, v:"x" or i:0. */
export function encodePE(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([n, v]) => `${goJSON(n)}:${goJSON(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJSON(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses a FieldsV1 key; undefined for an unknown element type (upstream skips those). */
export function decodePE(s: string): PathElement | undefined {
  if (s.length < 2 || s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f': return { field: rest };
    case 'v': return { value: JSON.parse(rest) as JsonValue };
    case 'k': {
      const o = JSON.parse(rest) as JsonValue;
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`key must be an object: ${s}`);
      return { key: Object.entries(o).sort((a, b) => byteCompare(a[0], b[0])) };
    }
    case 'i': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index: ${s}`);
      return { index: Number(rest) };
    }
    default: return undefined;
  }
}

/** Upstream's PathElement.String, used in conflict messages: .spec, [name="nginx"], [="a"], [0]. */
export function peString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

export function pathString(p: Path): string {
  return p.map(peString).join('');
}

function valueString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${valueString(x)}`).join('');
  return String(v);
}

/** Go's strings.Compare: byte-wise over UTF-8. */
export function byteCompare(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const rank = (v: JsonValue): number =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : v === null ? 5 : 4;

/** Upstream's total order on values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return byteCompare(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i] as JsonValue, b[i] as JsonValue);
      if (c !== 0) return c;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort(byteCompare), kb = Object.keys(b).sort(byteCompare);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = byteCompare(ka[i]!, kb[i]!) || compareValues(a[ka[i]!] as JsonValue, b[kb[i]!] as JsonValue);
      if (c !== 0) return c;
    }
    return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
  }
  return 0;
}

const peRank = (pe: PathElement): number => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

/** Upstream's PathElement order: field names, then keys, then values, then indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  const ra = peRank(a), rb = peRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a && 'field' in b) return byteCompare(a.field, b.field);
  if ('key' in a && 'key' in b) {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      const [an, av] = a.key[i]!, [bn, bv] = b.key[i]!;
      const c = byteCompare(an, bn) || compareValues(av, bv);
      if (c !== 0) return c;
    }
    return a.key.length === b.key.length ? 0 : a.key.length < b.key.length ? -1 : 1;
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index < b.index ? -1 : a.index > b.index ? 1 : 0;
  return 0;
}

/**
 * An immutable set of paths, stored as a trie: at each level the elements that are members
 * (paths ending there) and the children (paths continuing below). A path may be both, which
 * FieldsV1 writes as a child object holding ".".
 */
export class FieldSet {
  private constructor(
    private readonly members: ReadonlyMap<string, PathElement>,
    private readonly children: ReadonlyMap<string, { pe: PathElement; set: FieldSet }>,
  ) {}

  static readonly EMPTY = new FieldSet(new Map(), new Map());

  static of(...paths: Path[]): FieldSet {
    const b = new FieldSetBuilder();
    for (const p of paths) b.insert(p);
    return b.build();
  }

  empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  has(p: Path): boolean {
    if (p.length === 0) return false;
    const k = encodePE(p[0]!);
    if (p.length === 1) return this.members.has(k);
    const c = this.children.get(k);
    return c ? c.set.has(p.slice(1)) : false;
  }

  /** The paths below `pe` (with `pe` itself cut off). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(encodePE(pe))?.set ?? FieldSet.EMPTY;
  }

  /** Whether `pe` is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(encodePE(pe));
  }

  union(o: FieldSet): FieldSet {
    if (o.empty()) return this;
    if (this.empty()) return o;
    const members = new Map(this.members);
    for (const [k, pe] of o.members) members.set(k, pe);
    const children = new Map(this.children);
    for (const [k, c] of o.children) {
      const mine = children.get(k);
      children.set(k, mine ? { pe: mine.pe, set: mine.set.union(c.set) } : c);
    }
    return new FieldSet(members, children);
  }

  intersection(o: FieldSet): FieldSet {
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (o.members.has(k)) members.set(k, pe);
    const children = new Map<string, { pe: PathElement; set: FieldSet }>();
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs) continue;
      const s = c.set.intersection(theirs.set);
      if (!s.empty()) children.set(k, { pe: c.pe, set: s });
    }
    return new FieldSet(members, children);
  }

  /** Paths of this set not in `o` (a removed member keeps its children, as upstream). */
  difference(o: FieldSet): FieldSet {
    if (o.empty()) return this;
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (!o.members.has(k)) members.set(k, pe);
    const children = new Map<string, { pe: PathElement; set: FieldSet }>();
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      const s = theirs ? c.set.difference(theirs.set) : c.set;
      if (!s.empty()) children.set(k, { pe: c.pe, set: s });
    }
    return new FieldSet(members, children);
  }

  /** Like difference, but a member of `o` also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.empty()) return this;
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (!o.members.has(k)) members.set(k, pe);
    const children = new Map<string, { pe: PathElement; set: FieldSet }>();
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const theirs = o.children.get(k);
      const s = theirs ? c.set.recursiveDifference(theirs.set) : c.set;
      if (!s.empty()) children.set(k, { pe: c.pe, set: s });
    }
    return new FieldSet(members, children);
  }

  /** Every member path in upstream's iteration order: this level's members, then each child. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: Path): void => {
      for (const pe of sortedPEs(s.members.values())) out.push([...prefix, pe]);
      for (const c of [...s.children.values()].sort((a, b) => comparePE(a.pe, b.pe))) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  /** A copy in which `f` decides, per level, which members stay and which children are kept. */
  mapLevels(f: (members: PathElement[], children: Array<{ pe: PathElement; set: FieldSet }>) => { members: PathElement[]; children: Array<{ pe: PathElement; set: FieldSet }> }): FieldSet {
    const r = f([...this.members.values()], [...this.children.values()]);
    const members = new Map(r.members.map((pe) => [encodePE(pe), pe] as const));
    const children = new Map<string, { pe: PathElement; set: FieldSet }>();
    for (const c of r.children) if (!c.set.empty()) children.set(encodePE(c.pe), c);
    return new FieldSet(members, children);
  }

  /** The FieldsV1 JSON object, keys in upstream's order ("." first, then by path element). */
  toFieldsV1(): JsonObject {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    if (includeSelf && !this.empty()) out['.'] = {};
    const all = new Map<string, PathElement>(this.members);
    for (const [k, c] of this.children) all.set(k, c.pe);
    for (const pe of sortedPEs(all.values())) {
      const k = encodePE(pe);
      const c = this.children.get(k);
      out[k] = c ? c.set.emit(this.members.has(k)) : {};
    }
    return out;
  }

  /** Parses FieldsV1; throws on malformed input (unknown element types are skipped, as upstream). */
  static fromFieldsV1(v: unknown): FieldSet {
    if (v === null || v === undefined) return FieldSet.EMPTY;
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error('FieldsV1 must be a JSON object');
    return FieldSet.read(v as Record<string, unknown>).set ?? FieldSet.EMPTY;
  }

  private static read(o: Record<string, unknown>): { set: FieldSet | undefined; isMember: boolean } {
    let isMember = false;
    const members = new Map<string, PathElement>();
    const children = new Map<string, { pe: PathElement; set: FieldSet }>();
    for (const [k, sub] of Object.entries(o)) {
      if (k === '.') { isMember = true; continue; }
      const pe = decodePE(k);
      if (!pe) continue;
      if (sub === null || typeof sub !== 'object' || Array.isArray(sub)) throw new Error(`FieldsV1 value of ${k} must be an object`);
      const r = FieldSet.read(sub as Record<string, unknown>);
      const key = encodePE(pe);
      if (r.isMember) members.set(key, pe);
      if (r.set && !r.set.empty()) children.set(key, { pe, set: r.set });
    }
    // An object with no (known) entries stands for the element itself, as upstream reads it.
    if (members.size === 0 && children.size === 0) return { set: undefined, isMember: true };
    return { set: new FieldSet(members, children), isMember };
  }

  toString(): string {
    return this.paths().map(pathString).join('\n');
  }
}

function sortedPEs(pes: Iterable<PathElement>): PathElement[] {
  return [...pes].sort(comparePE);
}

/** Mutable builder; sets are built once per walk, then combined immutably. */
export class FieldSetBuilder {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, { pe: PathElement; b: FieldSetBuilder }>();

  insert(p: Path): void {
    if (p.length === 0) return;
    const pe = p[0]!;
    const k = encodePE(pe);
    if (p.length === 1) { this.members.set(k, pe); return; }
    let c = this.children.get(k);
    if (!c) { c = { pe, b: new FieldSetBuilder() }; this.children.set(k, c); }
    c.b.insert(p.slice(1));
  }

  build(): FieldSet {
    return FieldSet.EMPTY.mapLevels(() => ({
      members: [...this.members.values()],
      children: [...this.children.values()].map((c) => ({ pe: c.pe, set: c.b.build() })),
    }));
  }
}
