// The sorted in-memory key index (etcd's treeIndex). Keys are held as latin1 strings, whose
// JS ordering equals byte ordering, in a B+tree.
import BTreeModule from 'sorted-btree';
import { KeyRecord } from './keyrecord.js';

// sorted-btree is CommonJS: Node hands us its exports object (class at `.default`); bundlers
// such as vitest's may hand the class itself.
const BTree = (typeof BTreeModule === 'function' ? BTreeModule : BTreeModule.default) as typeof BTreeModule.default;
type Tree = InstanceType<typeof BTree<string, KeyRecord>>;
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function keyString(b: Buffer): string {
  return b.toString('latin1');
}

/** etcd range semantics: empty end = one key; "\0" = every key >= key; else [key, end). */
export type RangeBounds = { single: string } | { from: string; to: string | null };

export function bounds(key: Buffer, rangeEnd: Buffer): RangeBounds {
  if (rangeEnd.length === 0) return { single: keyString(key) };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { from: keyString(key), to: null };
  return { from: keyString(key), to: keyString(rangeEnd) };
}

export function inBounds(b: RangeBounds, k: string): boolean {
  if ('single' in b) return b.single === k;
  return k >= b.from && (b.to === null || k < b.to);
}

export class KeySpace {
  private readonly tree: Tree = new BTree<string, KeyRecord>(undefined, byCodeUnit);

  get size(): number { return this.tree.size; }

  get(key: string): KeyRecord | undefined { return this.tree.get(key); }

  getOrCreate(key: string, keyBuf: Buffer): KeyRecord {
    let rec = this.tree.get(key);
    if (!rec) {
      rec = new KeyRecord(key, keyBuf);
      this.tree.set(key, rec);
    }
    return rec;
  }

  remove(key: string): void { this.tree.delete(key); }

  /** Visits records in key order within bounds; stop by returning false. */
  forEach(b: RangeBounds, fn: (rec: KeyRecord) => boolean | void): void {
    if ('single' in b) {
      const rec = this.tree.get(b.single);
      if (rec) fn(rec);
      return;
    }
    if (b.to !== null && b.from >= b.to) return;
    const max = this.tree.maxKey();
    if (max === undefined || max < b.from) return;
    const hi = b.to ?? max;
    const includeHi = b.to === null;
    this.tree.forRange(b.from, hi, includeHi, (_k: string, rec: KeyRecord) => (fn(rec) === false ? { break: true } : undefined));
  }

  /** Every record, in key order. */
  all(): IterableIterator<KeyRecord> { return this.tree.values(); }
}
