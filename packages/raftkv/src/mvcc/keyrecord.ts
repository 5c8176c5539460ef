// One key's revision history (etcd's keyIndex, flattened): pairs of [main, sub<<1 | tombstone]
// in ascending order, plus the live value so reads at the current revision need no I/O.
import type { KeyValue } from '../types.js';

export class KeyRecord {
  /** Flattened [main, (sub << 1) | tombstone, ...], ascending. */
  revs: number[] = [];
  /** Current value, or null when the key is deleted (a tombstone is its last revision). */
  live: KeyValue | null = null;

  constructor(readonly key: string, readonly keyBuf: Buffer) {}

  /** Pair offset of the last revision with main <= rev, or -1. */
  at(rev: number): number {
    const r = this.revs;
    for (let i = r.length - 2; i >= 0; i -= 2) if (r[i]! <= rev) return i;
    return -1;
  }

  /** The revision visible at `rev` when the key exists then, else null. */
  visibleAt(rev: number): { main: number; sub: number } | null {
    const i = this.at(rev);
    if (i < 0) return null;
    const st = this.revs[i + 1]!;
    if (st & 1) return null;
    return { main: this.revs[i]!, sub: st >>> 1 };
  }

  isLatest(main: number, sub: number): boolean {
    const n = this.revs.length;
    return n > 0 && this.revs[n - 2] === main && this.revs[n - 1]! >>> 1 === sub;
  }

  push(main: number, sub: number, tombstone: boolean): void {
    this.revs.push(main, (sub << 1) | (tombstone ? 1 : 0));
  }

  /**
   * etcd keyIndex.compact: drop revisions <= atRev except the largest one, which is dropped too
   * when it is a tombstone. Calls `dropped` for each removed revision. Returns true when no
   * revision is left (the record can leave the index).
   */
  compact(atRev: number, dropped: (main: number, sub: number) => void): boolean {
    const r = this.revs;
    let keepFrom = this.at(atRev); // largest <= atRev
    if (keepFrom < 0) return r.length === 0;
    if (r[keepFrom + 1]! & 1) keepFrom += 2; // tombstone: drop it as well
    for (let i = 0; i < keepFrom; i += 2) dropped(r[i]!, r[i + 1]! >>> 1);
    if (keepFrom > 0) this.revs = r.slice(keepFrom);
    return this.revs.length === 0;
  }
}
