// LevelDB layout of a raftkv member. One database holds:
//   r<main:8><sub:4>  → mvccpb.KeyValue record (createRevision 0 marks a tombstone)
//   l<index:8>        → durable log entry (the proposal, as logged)
//   e<lease id:8>     → lease TTL in seconds (8 bytes)
//   m<name>           → metadata: applied (index, rev), compact rev, member identity
// Log appends are fsynced (group commit: one sync batch per round of proposals); applied state
// is written after, unsynced, together with the applied index, so replay after a crash re-applies
// exactly the entries whose effects were not yet written.
import { ClassicLevel } from 'classic-level';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue } from '../types.js';
import type { RevisionRef, StoredRecord } from '../mvcc/store.js';
import { decodeKeyValue, encodeKeyValue } from './kvcodec.js';

type DB = ClassicLevel<Buffer, Buffer>;
type Op = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

const P_REC = 0x72; // r
const P_LOG = 0x6c; // l
const P_LEASE = 0x65; // e
const P_META = 0x6d; // m

function u64(prefix: number, n: number, extra = 0): Buffer {
  const b = Buffer.allocUnsafe(9 + extra);
  b[0] = prefix;
  b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 1);
  b.writeUInt32BE(n >>> 0, 5);
  return b;
}

function readU64(b: Buffer, off: number): number {
  return b.readUInt32BE(off) * 0x1_0000_0000 + b.readUInt32BE(off + 4);
}

export function recordKey(main: number, sub: number): Buffer {
  const b = u64(P_REC, main, 4);
  b.writeUInt32BE(sub, 9);
  return b;
}

function logKey(index: number): Buffer { return u64(P_LOG, index); }
function leaseKey(id: number): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = P_LEASE;
  b.writeBigInt64BE(BigInt(id), 1);
  return b;
}
function metaKey(name: string): Buffer { return Buffer.concat([Buffer.from([P_META]), Buffer.from(name)]); }

const META_APPLIED = metaKey('applied');
const META_COMPACT = metaKey('compact');
const META_MEMBER = metaKey('member');

export interface AppliedState { index: number; rev: number }
export interface LogEntry { index: number; data: Buffer }

/** Ops of one applied round, written as one atomic LevelDB batch. */
export class ApplyBatch {
  readonly ops: Op[] = [];
  putRecord(r: StoredRecord): void { this.ops.push({ type: 'put', key: recordKey(r.main, r.sub), value: encodeKeyValue(r.kv) }); }
  deleteRecord(r: RevisionRef): void { this.ops.push({ type: 'del', key: recordKey(r.main, r.sub) }); }
  putLease(id: number, ttl: number): void {
    const v = Buffer.allocUnsafe(8);
    v.writeBigInt64BE(BigInt(ttl));
    this.ops.push({ type: 'put', key: leaseKey(id), value: v });
  }
  deleteLease(id: number): void { this.ops.push({ type: 'del', key: leaseKey(id) }); }
  setCompact(rev: number): void { this.ops.push({ type: 'put', key: META_COMPACT, value: u64(0, rev).subarray(1) }); }
  setApplied(s: AppliedState): void {
    const v = Buffer.allocUnsafe(16);
    v.writeUInt32BE(Math.floor(s.index / 0x1_0000_0000), 0); v.writeUInt32BE(s.index >>> 0, 4);
    v.writeUInt32BE(Math.floor(s.rev / 0x1_0000_0000), 8); v.writeUInt32BE(s.rev >>> 0, 12);
    this.ops.push({ type: 'put', key: META_APPLIED, value: v });
  }
}

export class Backend {
  private constructor(readonly dir: string, readonly db: DB) {}

  static async open(dir: string): Promise<Backend> {
    const db = new ClassicLevel<Buffer, Buffer>(join(dir, 'member', 'kv'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open({ createIfMissing: true });
    return new Backend(dir, db);
  }

  async close(): Promise<void> { await this.db.close(); }

  // ---- metadata ---------------------------------------------------------------------------------

  async applied(): Promise<AppliedState> {
    const v = await this.db.get(META_APPLIED);
    if (!v) return { index: 0, rev: 1 };
    return { index: readU64(v, 0), rev: readU64(v, 8) };
  }

  async compactRev(): Promise<number> {
    const v = await this.db.get(META_COMPACT);
    return v ? readU64(v, 0) : 0;
  }

  async member(): Promise<Record<string, unknown> | undefined> {
    const v = await this.db.get(META_MEMBER);
    return v ? (JSON.parse(v.toString()) as Record<string, unknown>) : undefined;
  }

  async setMember(m: Record<string, unknown>): Promise<void> {
    await this.db.put(META_MEMBER, Buffer.from(JSON.stringify(m)), { sync: true });
  }

  // ---- MVCC records -----------------------------------------------------------------------------

  /** Streams every record in revision order (startup and snapshot restore). */
  async forEachRecord(fn: (r: StoredRecord) => void, fromRev = 0): Promise<void> {
    for await (const [k, v] of this.db.iterator({ gte: recordKey(fromRev, 0), lt: Buffer.from([P_REC + 1]) })) {
      fn({ main: readU64(k, 1), sub: k.readUInt32BE(9), kv: decodeKeyValue(v) });
    }
  }

  /** Records with fromRev <= main <= toRev, at most `limitRecords` (whole revisions kept). */
  async recordsBetween(fromRev: number, toRev: number, limitRecords: number): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    let lastMain = -1;
    for await (const [k, v] of this.db.iterator({ gte: recordKey(fromRev, 0), lt: recordKey(toRev + 1, 0) })) {
      const main = readU64(k, 1);
      if (out.length >= limitRecords && main !== lastMain) break;
      lastMain = main;
      out.push({ main, sub: k.readUInt32BE(9), kv: decodeKeyValue(v) });
    }
    return out;
  }

  async getRecords(refs: readonly RevisionRef[]): Promise<Array<KeyValue | undefined>> {
    const vals = await this.db.getMany(refs.map((r) => recordKey(r.main, r.sub)));
    return vals.map((v) => (v ? decodeKeyValue(v) : undefined));
  }

  // ---- leases -----------------------------------------------------------------------------------

  async leases(): Promise<Array<{ id: number; ttl: number }>> {
    const out: Array<{ id: number; ttl: number }> = [];
    for await (const [k, v] of this.db.iterator({ gt: Buffer.from([P_LEASE]), lt: Buffer.from([P_LEASE + 1]) })) {
      out.push({ id: Number(k.readBigInt64BE(1)), ttl: Number(v.readBigInt64BE(0)) });
    }
    return out;
  }

  // ---- the durable log --------------------------------------------------------------------------

  /** Appends entries durably: one fsync for the whole group. */
  async appendLog(entries: readonly LogEntry[]): Promise<void> {
    await this.db.batch(entries.map((e) => ({ type: 'put' as const, key: logKey(e.index), value: e.data })), { sync: true });
  }

  async logAfter(index: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for await (const [k, v] of this.db.iterator({ gt: logKey(index), lt: Buffer.from([P_LOG + 1]) })) {
      out.push({ index: readU64(k, 1), data: v });
    }
    return out;
  }

  async lastLogIndex(): Promise<number> {
    for await (const k of this.db.keys({ lt: Buffer.from([P_LOG + 1]), gte: Buffer.from([P_LOG]), reverse: true, limit: 1 })) {
      return readU64(k, 1);
    }
    return 0;
  }

  /** Drops log entries below `index` (their effects are applied and persisted). */
  async truncateLogBefore(index: number): Promise<void> {
    await this.db.clear({ gte: Buffer.from([P_LOG]), lt: logKey(index) });
  }

  async writeApplied(batch: ApplyBatch, sync = false): Promise<void> {
    if (batch.ops.length > 0) await this.db.batch(batch.ops, { sync });
  }

  // ---- maintenance ------------------------------------------------------------------------------

  /** Bytes on disk of the LevelDB directory. */
  sizeOnDisk(): number {
    const d = join(this.dir, 'member', 'kv');
    let total = 0;
    try {
      for (const f of readdirSync(d)) {
        try { total += statSync(join(d, f)).size; } catch { /* file rotated away */ }
      }
    } catch { /* not created yet */ }
    return total;
  }

  async defragment(): Promise<void> {
    await this.db.compactRange(Buffer.from([0]), Buffer.from([0xff]));
  }

  /** All non-log keys at one point in time (snapshot save), in key order. */
  async *stateEntries(): AsyncGenerator<[Buffer, Buffer]> {
    for await (const [k, v] of this.db.iterator({})) {
      if (k[0] === P_LOG) continue;
      yield [k, v];
    }
  }

  static readonly prefixes = { P_REC, P_LOG, P_LEASE, P_META } as const;
}
