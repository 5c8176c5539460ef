// client-go's thread-safe store + indexer: objects by `namespace/name` key, with named indexes
// (namespace by default) kept in step on every add/update/delete.
import { objectKey, type KubeObject } from './types.js';

export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';
export const namespaceIndexFunc: IndexFunc<KubeObject> = (o) => [o.metadata.namespace ?? ''];

export class Indexer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> index value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = { [NAMESPACE_INDEX]: namespaceIndexFunc }) {
    this.addIndexers(indexers);
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer conflict: ${name}`);
      this.indexers.set(name, fn);
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      for (const [k, o] of this.items) this.indexOne(idx, fn, k, o);
    }
  }

  private indexOne(idx: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const v of fn(obj)) {
      let s = idx.get(v);
      if (!s) idx.set(v, (s = new Set()));
      s.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const s = idx.get(v);
        s?.delete(key);
        if (s && s.size === 0) idx.delete(v);
      }
    }
  }

  /** Adds or replaces; returns the previous object under that key. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(this.indices.get(name)!, fn, key, obj);
    return old;
  }

  /** Removes by the object's key; returns what was stored. */
  remove(obj: T | string): T | undefined {
    const key = typeof obj === 'string' ? obj : objectKey(obj);
    const old = this.items.get(key);
    if (old) { this.unindex(key, old); this.items.delete(key); }
    return old;
  }

  get(key: string): T | undefined { return this.items.get(key); }
  getByName(namespace: string | undefined, name: string): T | undefined { return this.items.get(namespace ? `${namespace}/${name}` : name); }
  has(key: string): boolean { return this.items.has(key); }
  list(): T[] { return [...this.items.values()]; }
  keys(): string[] { return [...this.items.keys()]; }
  get size(): number { return this.items.size; }

  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index ${indexName} does not exist`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  /** Objects in one namespace (via the namespace index when present). */
  listNamespace(namespace: string): T[] {
    if (this.indices.has(NAMESPACE_INDEX)) return this.byIndex(NAMESPACE_INDEX, namespace);
    return this.list().filter((o) => (o.metadata.namespace ?? '') === namespace);
  }
}
