// The MVCC state machine (etcd's mvcc + txn apply), deterministic and free of I/O: applying a
// request mutates the in-memory index and returns the records to persist and the events to
// publish. Values of the current revision live in memory; older revisions are read back through
// a HistoryReader (LevelDB) by revision.
import { Errors } from '../errors.js';
import {
  EventType, SortOrder, SortTarget,
  type Compare, type DeleteRangeRequest, type Event, type KeyValue, type PutRequest, type RangeRequest,
  type RangeResponse, type RequestOp, type ResponseOp, type TxnRequest, type TxnResponse, type PutResponse,
  type DeleteRangeResponse, CompareResult, CompareTarget,
} from '../types.js';
import { bounds, keyString, KeySpace, type RangeBounds } from './keyspace.js';
import type { KeyRecord } from './keyrecord.js';

const EMPTY = Buffer.alloc(0);

export interface RevisionRef { main: number; sub: number }

/** Which branch each txn of a (nested) Txn request takes: true = success. */
export type TxnPath = Map<TxnRequest, boolean>;

export function revId(main: number, sub: number): string { return `${main}.${sub}`; }

/** Reads persisted records by revision (undefined when compacted away). */
export interface HistoryReader {
  getRecords(refs: readonly RevisionRef[]): Promise<Array<KeyValue | undefined>>;
}

/** What the lessor must provide to the store: lease existence and key attachment. */
export interface LeaseHooks {
  exists(id: number): boolean;
  attach(id: number, key: string): void;
  detach(id: number, key: string): void;
}

/** One persisted MVCC record: a put (createRevision > 0) or a tombstone (createRevision 0). */
export interface StoredRecord { main: number; sub: number; kv: KeyValue }

/** Everything one applied write produced; the host persists records and publishes events. */
export interface WriteEffects {
  rev: number;
  records: StoredRecord[];
  events: Event[];
}

export class WriteTxn {
  readonly beginRev: number;
  readonly records: StoredRecord[] = [];
  readonly events: Event[] = [];

  constructor(private readonly store: MvccStore) { this.beginRev = store.currentRev; }

  get rev(): number { return this.beginRev + 1; }
  get changed(): boolean { return this.records.length > 0; }
  /** Reads inside a write see its own earlier writes. */
  get readRev(): number { return this.changed ? this.beginRev + 1 : this.beginRev; }

  put(keyBuf: Buffer, value: Buffer, lease: number): { kv: KeyValue; prev: KeyValue | null } {
    const s = this.store;
    const key = keyString(keyBuf);
    const rec = s.keys.getOrCreate(key, keyBuf);
    const prev = rec.live;
    const rev = this.rev;
    const sub = this.records.length;
    const kv: KeyValue = {
      key: rec.keyBuf,
      createRevision: prev ? prev.createRevision : rev,
      modRevision: rev,
      version: prev ? prev.version + 1 : 1,
      value,
      lease,
    };
    rec.push(rev, sub, false);
    rec.live = kv;
    if (prev && prev.lease !== 0 && prev.lease !== lease) s.leases.detach(prev.lease, key);
    if (lease !== 0 && (!prev || prev.lease !== lease)) s.leases.attach(lease, key);
    const rec2: StoredRecord = { main: rev, sub, kv };
    this.records.push(rec2);
    this.events.push(prev ? { type: EventType.PUT, kv, prevKv: prev } : { type: EventType.PUT, kv });
    s.pending.set(revId(rev, sub), rec2);
    return { kv, prev };
  }

  delete(rec: KeyRecord): KeyValue {
    const s = this.store;
    const prev = rec.live;
    if (!prev) throw new Error(`delete of a deleted key ${rec.key}`);
    const rev = this.rev;
    const sub = this.records.length;
    const tomb: KeyValue = { key: rec.keyBuf, createRevision: 0, modRevision: rev, version: 0, value: EMPTY, lease: 0 };
    rec.push(rev, sub, true);
    rec.live = null;
    if (prev.lease !== 0) s.leases.detach(prev.lease, rec.key);
    const rec2: StoredRecord = { main: rev, sub, kv: tomb };
    this.records.push(rec2);
    this.events.push({ type: EventType.DELETE, kv: tomb, prevKv: prev });
    s.pending.set(revId(rev, sub), rec2);
    return prev;
  }

  /** Closes the write: the revision advances only when something changed (as etcd). */
  end(): WriteEffects {
    if (this.changed) this.store.currentRev = this.rev;
    return { rev: this.store.currentRev, records: this.records, events: this.events };
  }
}

export function isDefaultOrdering(r: RangeRequest): boolean {
  return r.sortOrder === SortOrder.NONE || (r.sortTarget === SortTarget.KEY && r.sortOrder === SortOrder.ASCEND);
}

function hasRevisionFilters(r: RangeRequest): boolean {
  return r.minModRevision !== 0 || r.maxModRevision !== 0 || r.minCreateRevision !== 0 || r.maxCreateRevision !== 0;
}

/** How many KVs a range must collect (0 = all): etcd's rangeLimit, limit+1 to detect `more`. */
function collectLimit(r: RangeRequest): number {
  if (!isDefaultOrdering(r) || hasRevisionFilters(r) || r.limit <= 0) return 0;
  return r.limit + 1;
}

/** Filter, sort, truncate: etcd's filterRangeResults / sortRangeResults / asembleRangeResponse. */
function assembleRange(r: RangeRequest, kvs: KeyValue[], count: number, rev: number): RangeResponse {
  if (r.maxModRevision !== 0) kvs = kvs.filter((kv) => kv.modRevision <= r.maxModRevision);
  if (r.minModRevision !== 0) kvs = kvs.filter((kv) => kv.modRevision >= r.minModRevision);
  if (r.maxCreateRevision !== 0) kvs = kvs.filter((kv) => kv.createRevision <= r.maxCreateRevision);
  if (r.minCreateRevision !== 0) kvs = kvs.filter((kv) => kv.createRevision >= r.minCreateRevision);
  let order = r.sortOrder;
  if (r.sortTarget !== SortTarget.KEY && order === SortOrder.NONE) order = SortOrder.ASCEND;
  if (!(order === SortOrder.NONE || (r.sortTarget === SortTarget.KEY && order === SortOrder.ASCEND))) {
    const cmp = sorter(r.sortTarget);
    kvs = kvs.slice().sort(order === SortOrder.DESCEND ? (a, b) => cmp(b, a) : cmp);
  }
  let more = false;
  if (r.limit > 0 && kvs.length > r.limit) {
    kvs = kvs.slice(0, r.limit);
    more = true;
  }
  if (r.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY }));
  return { header: { revision: rev }, kvs, more, count };
}

function sorter(t: SortTarget): (a: KeyValue, b: KeyValue) => number {
  switch (t) {
    case SortTarget.KEY: return (a, b) => Buffer.compare(a.key, b.key);
    case SortTarget.VERSION: return (a, b) => a.version - b.version;
    case SortTarget.CREATE: return (a, b) => a.createRevision - b.createRevision;
    case SortTarget.MOD: return (a, b) => a.modRevision - b.modRevision;
    case SortTarget.VALUE: return (a, b) => Buffer.compare(a.value, b.value);
  }
}

export class MvccStore {
  readonly keys = new KeySpace();
  /** Latest revision; a fresh store starts at 1 like etcd. */
  currentRev = 1;
  /** Revisions below this are compacted (0: never compacted). */
  compactRev = 0;
  /** Records applied but not yet written to the backend, by revId, in revision order. */
  readonly pending = new Map<string, StoredRecord>();

  constructor(readonly leases: LeaseHooks, private readonly history: HistoryReader) {}

  // ---- loading --------------------------------------------------------------------------------

  /** Replays one persisted record while loading (records arrive in revision order). */
  load(rec: StoredRecord): void {
    const { kv } = rec;
    const key = keyString(kv.key);
    const kr = this.keys.getOrCreate(key, kv.key);
    const tomb = kv.createRevision === 0;
    const prev = kr.live;
    kr.push(rec.main, rec.sub, tomb);
    kr.live = tomb ? null : kv;
    if (prev && prev.lease !== 0 && (tomb || prev.lease !== kv.lease)) this.leases.detach(prev.lease, key);
    if (!tomb && kv.lease !== 0 && (!prev || prev.lease !== kv.lease)) this.leases.attach(kv.lease, key);
    if (rec.main > this.currentRev) this.currentRev = rec.main;
  }

  /** The given records are now in the backend. */
  persisted(records: readonly StoredRecord[]): void {
    for (const r of records) this.pending.delete(revId(r.main, r.sub));
  }

  /** Unpersisted records with fromRev <= main <= toRev, in revision order. */
  pendingBetween(fromRev: number, toRev: number): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const r of this.pending.values()) if (r.main >= fromRev && r.main <= toRev) out.push(r);
    return out;
  }

  // ---- reads ----------------------------------------------------------------------------------

  checkRevision(rev: number, current = this.currentRev): void {
    if (rev > current) throw Errors.futureRev();
    if (rev > 0 && rev < this.compactRev) throw Errors.compacted();
  }

  /** Range at the latest revision (or at readRev inside a write): synchronous, from memory. */
  rangeLatest(r: RangeRequest, readRev = this.currentRev): RangeResponse {
    const b = bounds(r.key, r.rangeEnd);
    const limit = r.countOnly ? 0 : collectLimit(r);
    const kvs: KeyValue[] = [];
    let count = 0;
    this.keys.forEach(b, (rec) => {
      const live = rec.live;
      if (!live) return;
      count++;
      if (!r.countOnly && (limit === 0 || kvs.length < limit)) kvs.push(live);
    });
    if (r.countOnly) return { header: { revision: readRev }, kvs: [], more: false, count };
    return assembleRange(r, kvs, count, readRev);
  }

  /** A client Range: validates the revision, then reads from memory or from history. */
  range(r: RangeRequest): RangeResponse | Promise<RangeResponse> {
    const rev = r.revision;
    if (rev <= 0 || rev === this.currentRev) return this.rangeLatest(r);
    this.checkRevision(rev);
    return this.rangeHistory(r, rev);
  }

  /** Range at a past revision: the index says which revision of each key was visible. */
  async rangeHistory(r: RangeRequest, rev: number): Promise<RangeResponse> {
    const b = bounds(r.key, r.rangeEnd);
    const limit = r.countOnly ? 0 : collectLimit(r);
    const refs: Array<{ rec: KeyRecord; main: number; sub: number }> = [];
    let count = 0;
    this.keys.forEach(b, (rec) => {
      const v = rec.visibleAt(rev);
      if (!v) return;
      count++;
      if (!r.countOnly && (limit === 0 || refs.length < limit)) refs.push({ rec, main: v.main, sub: v.sub });
    });
    if (r.countOnly) return { header: { revision: this.currentRev }, kvs: [], more: false, count };
    const kvs = await this.fetch(refs);
    return assembleRange(r, kvs, count, this.currentRev);
  }

  /** Values for the given revisions: live ones from memory, others from pending or the backend. */
  async fetch(refs: ReadonlyArray<{ rec?: KeyRecord; main: number; sub: number }>): Promise<KeyValue[]> {
    const out: Array<KeyValue | undefined> = new Array(refs.length);
    const missing: RevisionRef[] = [];
    const missingAt: number[] = [];
    refs.forEach((ref, i) => {
      const live = ref.rec?.live;
      if (live && ref.rec!.isLatest(ref.main, ref.sub)) { out[i] = live; return; }
      const p = this.pending.get(revId(ref.main, ref.sub));
      if (p) { out[i] = p.kv; return; }
      missing.push({ main: ref.main, sub: ref.sub });
      missingAt.push(i);
    });
    if (missing.length > 0) {
      const got = await this.history.getRecords(missing);
      got.forEach((kv, j) => {
        // A record can vanish if a compaction ran while we read: report it as compacted.
        if (!kv) throw Errors.compacted();
        out[missingAt[j]!] = kv;
      });
    }
    return out as KeyValue[];
  }

  // ---- writes (called only by the apply loop) -------------------------------------------------

  put(p: PutRequest): { resp: PutResponse; effects: WriteEffects } {
    this.checkPut(p);
    const txn = new WriteTxn(this);
    const resp = this.execPut(txn, p);
    const effects = txn.end();
    return { resp, effects };
  }

  deleteRange(d: DeleteRangeRequest): { resp: DeleteRangeResponse; effects: WriteEffects } {
    const txn = new WriteTxn(this);
    const resp = this.execDelete(txn, d);
    const effects = txn.end();
    resp.header.revision = this.currentRev;
    return { resp, effects };
  }

  /** Deletes every given key in one revision (lease revoke). */
  deleteKeys(keys: Iterable<string>): WriteEffects {
    const txn = new WriteTxn(this);
    for (const k of keys) {
      const rec = this.keys.get(k);
      if (rec?.live) txn.delete(rec);
    }
    return txn.end();
  }

  /**
   * The branch every (nested) txn takes, decided once against the state before the txn, as
   * etcd's compareToPath does: later ops of the txn cannot change which branch ran.
   */
  txnPath(t: TxnRequest, path: TxnPath = new Map()): TxnPath {
    const ok = this.compares(t.compare);
    path.set(t, ok);
    for (const op of ok ? t.success : t.failure) if ('txn' in op) this.txnPath(op.txn, path);
    return path;
  }

  /** Ranges at explicit past revisions along the taken path: read before applying. */
  historicalTxnRanges(t: TxnRequest, path: TxnPath): RangeRequest[] {
    const out: RangeRequest[] = [];
    const walk = (txn: TxnRequest): void => {
      for (const op of path.get(txn) ? txn.success : txn.failure) {
        if ('range' in op && op.range.revision > 0) out.push(op.range);
        else if ('txn' in op) walk(op.txn);
      }
    };
    walk(t);
    return out;
  }

  /**
   * Applies a Txn along `path` (from txnPath, computed now when not given). `prefetched` holds
   * the results of historicalTxnRanges, read just before while nothing else could write.
   */
  txn(t: TxnRequest, path: TxnPath = this.txnPath(t), prefetched?: Map<RangeRequest, RangeResponse>): { resp: TxnResponse; effects: WriteEffects } {
    this.checkTxn(t, path);
    const txn = new WriteTxn(this);
    const resp = this.execTxn(txn, t, path, prefetched);
    const effects = txn.end();
    resp.header.revision = this.currentRev;
    return { resp, effects };
  }

  compact(rev: number): { dropped: RevisionRef[] } {
    if (rev <= this.compactRev) throw Errors.compacted();
    if (rev > this.currentRev) throw Errors.futureRev();
    this.compactRev = rev;
    const dropped: RevisionRef[] = [];
    const emptied: string[] = [];
    for (const rec of this.keys.all()) {
      if (rec.compact(rev, (main, sub) => dropped.push({ main, sub }))) emptied.push(rec.key);
    }
    for (const k of emptied) this.keys.remove(k);
    return { dropped };
  }

  // ---- txn internals --------------------------------------------------------------------------

  private compares(cmps: readonly Compare[]): boolean {
    for (const c of cmps) if (!this.compare(c)) return false;
    return true;
  }

  /** etcd applyCompare: every key in the compare's range must satisfy it. */
  private compare(c: Compare): boolean {
    const b: RangeBounds = bounds(c.key, c.rangeEnd);
    let seen = false;
    let ok = true;
    this.keys.forEach(b, (rec) => {
      if (!rec.live) return;
      seen = true;
      if (!compareKV(c, rec.live)) { ok = false; return false; }
    });
    if (!seen) {
      if (c.target === CompareTarget.VALUE) return false; // a missing key has no value
      return compareKV(c, null);
    }
    return ok;
  }

  /** Errors that abort a txn before it changes anything (etcd checkTxn), along the taken path. */
  private checkTxn(t: TxnRequest, path: TxnPath): void {
    for (const op of path.get(t) ? t.success : t.failure) {
      if ('range' in op) this.checkRevision(op.range.revision);
      else if ('put' in op) this.checkPut(op.put);
      else if ('txn' in op) this.checkTxn(op.txn, path);
    }
  }

  private checkPut(p: PutRequest): void {
    if (p.lease !== 0 && !this.leases.exists(p.lease)) throw Errors.leaseNotFound();
    if (p.ignoreValue || p.ignoreLease) {
      const rec = this.keys.get(keyString(p.key));
      if (!rec?.live) throw Errors.keyNotFound();
    }
  }

  private execPut(txn: WriteTxn, p: PutRequest): PutResponse {
    const prevRec = this.keys.get(keyString(p.key))?.live ?? null;
    const value = p.ignoreValue ? prevRec!.value : p.value;
    const lease = p.ignoreLease ? prevRec!.lease : p.lease;
    txn.put(p.key, value, lease);
    const resp: PutResponse = { header: { revision: txn.rev } };
    if (p.prevKv && prevRec) resp.prevKv = prevRec;
    return resp;
  }

  private execDelete(txn: WriteTxn, d: DeleteRangeRequest): DeleteRangeResponse {
    const targets: KeyRecord[] = [];
    this.keys.forEach(bounds(d.key, d.rangeEnd), (rec) => { if (rec.live) targets.push(rec); });
    const prevKvs: KeyValue[] = [];
    for (const rec of targets) {
      const prev = txn.delete(rec);
      if (d.prevKv) prevKvs.push(prev);
    }
    return { header: { revision: txn.readRev }, deleted: targets.length, prevKvs };
  }

  private execTxn(txn: WriteTxn, t: TxnRequest, path: TxnPath, prefetched?: Map<RangeRequest, RangeResponse>): TxnResponse {
    const succeeded = path.get(t) === true;
    const ops: RequestOp[] = succeeded ? t.success : t.failure;
    const responses: ResponseOp[] = ops.map((op): ResponseOp => {
      if ('range' in op) {
        const r = op.range;
        const pre = r.revision > 0 ? prefetched?.get(r) : undefined;
        if (pre) return { responseRange: pre };
        return { responseRange: this.rangeLatest(r, txn.readRev) };
      }
      if ('put' in op) return { responsePut: this.execPut(txn, op.put) };
      if ('deleteRange' in op) return { responseDeleteRange: this.execDelete(txn, op.deleteRange) };
      if ('txn' in op) return { responseTxn: this.execTxn(txn, op.txn, path, prefetched) };
      return {};
    });
    return { header: { revision: txn.readRev }, succeeded, responses };
  }
}

function compareKV(c: Compare, kv: KeyValue | null): boolean {
  let result: number;
  switch (c.target) {
    case CompareTarget.VALUE: result = Buffer.compare(kv ? kv.value : EMPTY, c.value); break;
    case CompareTarget.CREATE: result = Math.sign((kv?.createRevision ?? 0) - c.num); break;
    case CompareTarget.MOD: result = Math.sign((kv?.modRevision ?? 0) - c.num); break;
    case CompareTarget.VERSION: result = Math.sign((kv?.version ?? 0) - c.num); break;
    case CompareTarget.LEASE: result = Math.sign((kv?.lease ?? 0) - c.num); break;
    default: return true;
  }
  switch (c.result) {
    case CompareResult.EQUAL: return result === 0;
    case CompareResult.NOT_EQUAL: return result !== 0;
    case CompareResult.GREATER: return result > 0;
    case CompareResult.LESS: return result < 0;
    default: return true;
  }
}
