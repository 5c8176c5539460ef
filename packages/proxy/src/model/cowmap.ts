// A copy-on-write map for the tracker's states: keys are spread over fixed shards (plain Maps),
// and a new version copies only the shards it writes. take() at 10,000 services then costs the
// touched shards, not two full map copies, while every state handed out stays immutable.
const SHARDS = 256;
const EMPTY_SHARD: ReadonlyMap<string, never> = new Map<string, never>();

/** FNV-1a, folded to a shard index. */
function shardOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & (SHARDS - 1);
}

export class CowMap<V> implements ReadonlyMap<string, V> {
  private constructor(private readonly shards: ReadonlyArray<ReadonlyMap<string, V>>, readonly size: number) {}

  static empty<V>(): CowMap<V> {
    return new CowMap<V>(new Array<ReadonlyMap<string, V>>(SHARDS).fill(EMPTY_SHARD), 0);
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)]!.get(key);
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)]!.has(key);
  }

  *entries(): MapIterator<[string, V]> {
    for (const shard of this.shards) yield* shard.entries();
  }

  *keys(): MapIterator<string> {
    for (const shard of this.shards) yield* shard.keys();
  }

  *values(): MapIterator<V> {
    for (const shard of this.shards) yield* shard.values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(cb: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
  }

  /**
   * Keys whose entries may differ between two versions of one map (a superset: every key of each
   * shard the versions do not share), or null when either map is not a CowMap.
   */
  static changedKeys<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): Set<string> | null {
    if (!(a instanceof CowMap) || !(b instanceof CowMap)) return null;
    const out = new Set<string>();
    if (a === b) return out;
    const sa = (a as CowMap<V>).shards;
    const sb = (b as CowMap<V>).shards;
    for (let i = 0; i < SHARDS; i++) {
      if (sa[i] === sb[i]) continue;
      for (const k of sa[i]!.keys()) out.add(k);
      for (const k of sb[i]!.keys()) out.add(k);
    }
    return out;
  }

  /** A writable draft based on this version; this version itself never changes. */
  edit(): CowMapDraft<V> {
    return new CowMapDraft(this.shards, this.size, (shards, size) => new CowMap(shards, size));
  }
}

export class CowMapDraft<V> {
  private readonly shards: Array<ReadonlyMap<string, V>>;
  private readonly owned = new Set<number>();

  constructor(
    base: ReadonlyArray<ReadonlyMap<string, V>>, private size: number,
    private readonly make: (shards: ReadonlyArray<ReadonlyMap<string, V>>, size: number) => CowMap<V>,
  ) {
    this.shards = [...base];
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)]!.get(key);
  }

  set(key: string, value: V): void {
    const shard = this.writable(shardOf(key));
    if (!shard.has(key)) this.size++;
    shard.set(key, value);
  }

  delete(key: string): void {
    const i = shardOf(key);
    if (!this.shards[i]!.has(key)) return;
    this.writable(i).delete(key);
    this.size--;
  }

  /** Freezes the draft into a new version; the draft must not be used afterwards. */
  finish(): CowMap<V> {
    return this.make(this.shards, this.size);
  }

  private writable(i: number): Map<string, V> {
    if (!this.owned.has(i)) {
      this.shards[i] = new Map(this.shards[i]!);
      this.owned.add(i);
    }
    return this.shards[i] as Map<string, V>;
  }
}
