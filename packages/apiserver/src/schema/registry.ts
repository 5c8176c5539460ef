// Looks up schemas by definition name and by GVK; the one place that knows every type.
import type { Field, GVK, ObjectType, TypeRef } from './dsl.js';

export class SchemaRegistry {
  private readonly byName = new Map<string, ObjectType>();
  private readonly byGVK = new Map<string, ObjectType>();

  constructor(types: Iterable<ObjectType> = []) {
    for (const t of types) this.add(t);
  }

  /** Adds a type (CRDs add theirs at runtime). A second type with the same name replaces the first. */
  add(t: ObjectType): void {
    this.byName.set(t.name, t);
    for (const g of t.gvk ?? []) this.byGVK.set(gvkKey(g), t);
  }

  get(name: string): ObjectType | undefined {
    return this.byName.get(name);
  }

  /** The type served as this group/version/kind. */
  forGVK(g: GVK): ObjectType | undefined {
    return this.byGVK.get(gvkKey(g));
  }

  /** The object type a reference names (undefined for leaves, lists and maps). */
  resolve(t: TypeRef): ObjectType | undefined {
    return 'ref' in t ? this.byName.get(t.ref) : undefined;
  }

  /** The field named `name` of object type `type`, if declared. */
  field(type: ObjectType, name: string): Field | undefined {
    return Object.prototype.hasOwnProperty.call(type.fields, name) ? type.fields[name] : undefined;
  }

  all(): IterableIterator<ObjectType> {
    return this.byName.values();
  }

  /** Refs that name no declared type: a declaration bug, checked by the unit tests. */
  danglingRefs(): string[] {
    const out: string[] = [];
    const visit = (t: TypeRef, where: string): void => {
      if ('ref' in t) { if (!this.byName.has(t.ref)) out.push(`${where} -> ${t.ref}`); }
      else if ('list' in t) visit(t.list, where);
      else if ('map' in t) visit(t.map, where);
    };
    for (const t of this.byName.values()) {
      for (const [n, f] of Object.entries(t.fields)) visit(f.type, `${t.name}.${n}`);
      if (t.protoList) visit(t.protoList, `${t.name}(protoList)`);
    }
    return out;
  }
}

export function gvkKey(g: GVK): string {
  return `${g.group}/${g.version}/${g.kind}`;
}
